"""Every figure of `scorecard quality` against a plain Python/Polars computation on the
generated table (nulls, wrong types, values outside the bins, unseen categories, constant
columns, duplicate keys as read and normalised)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from engine.api import load
from engine.quality.figures import Quality
from engine.quality.run import quality_of
from tests.quality.qualgen import make_rows, write_card, write_csv

TRUE = {"true", "1", "yes", "t", "y"}
FALSE = {"false", "0", "no", "f", "n"}


def parse(kind: str, text: str) -> object:
    """The value a field holds, by the documented reading rules; ValueError when it has none."""
    t = text.strip()
    if kind == "int":
        if not re.fullmatch(r"[+-]?\d+", t):
            raise ValueError(text)
        return int(t)
    if kind == "float":
        return float(t)
    if kind == "date":
        return dt.datetime.strptime(t, "%Y-%m-%d").date()
    if kind == "bool":
        if t.lower() in TRUE | FALSE:
            return t.lower() in TRUE
        raise ValueError(text)
    return text


TYPES = {
    "customer_id": "string",
    "age": "int",
    "income": "float",
    "csp": "string",
    "joined": "date",
    "opt_in": "bool",
    "country": "string",
    "segment_id": "int",
}


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[Quality, list[dict[str, str]]]:
    folder = tmp_path_factory.mktemp("quality")
    rows = make_rows()
    data = write_csv(rows, folder / "customers.csv")
    return quality_of(load(write_card(folder)), data), rows


def read_values(rows: list[dict[str, str]], column: str) -> tuple[list[object], int, list[int]]:
    """The values as read (None for null or unreadable), the null count, the bad rows."""
    values: list[object] = []
    nulls, bad = 0, []
    for i, row in enumerate(rows, start=1):
        text = row[column]
        if text == "":
            nulls += 1
            values.append(None)
            continue
        try:
            values.append(parse(TYPES[column], text))
        except ValueError:
            bad.append(i)
            values.append(None)
    return values, nulls, bad


def test_column_figures(measured: tuple[Quality, list[dict[str, str]]]) -> None:
    q, rows = measured
    assert q.rows == len(rows)
    assert [c.name for c in q.columns] == list(TYPES)
    for c in q.columns:
        values, nulls, bad = read_values(rows, c.name)
        distinct = len({v for v in values if v is not None})
        assert (c.nulls, c.bad_type, c.distinct) == (nulls, len(bad), distinct), c.name
        assert c.null_share == pytest.approx(nulls / len(rows))
        assert [e.row for e in c.bad_type_examples] == bad[:5]
        assert [e.value for e in c.bad_type_examples] == [rows[r - 1][c.name] for r in bad[:5]]
        assert [e.key for e in c.bad_type_examples] == [rows[r - 1]["customer_id"] for r in bad[:5]]
        assert c.constant == (distinct <= 1), c.name
    by_name = {c.name: c for c in q.columns}
    assert by_name["country"].constant and not by_name["age"].constant
    assert by_name["age"].bad_type > 0 and by_name["opt_in"].bad_type > 0
    assert by_name["joined"].bad_type > 0 and by_name["income"].bad_type > 0


def test_bins_figures(measured: tuple[Quality, list[dict[str, str]]]) -> None:
    q, rows = measured
    bins = {b.name: b for b in q.bins}
    assert list(bins) == ["age_pts", "income_pts", "csp_pts"]

    ages, _, _ = read_values(rows, "age")
    out = [i for i, a in enumerate(ages, 1) if a is not None and not 18 <= a <= 90]  # type: ignore[operator]
    b = bins["age_pts"]
    assert (b.outside, b.no_bin, b.caught_by_else) == (len(out), len(out), False)
    assert [e.row for e in b.outside_examples] == out[:5]
    assert b.outside_min == min(ages[i - 1] for i in out)  # type: ignore[type-var]
    assert b.outside_max == max(ages[i - 1] for i in out)  # type: ignore[type-var]

    incomes, _, _ = read_values(rows, "income")
    out = [i for i, v in enumerate(incomes, 1) if v is not None and v > 80000]  # type: ignore[operator]
    missing = sum(1 for v in incomes if v is None)
    b = bins["income_pts"]
    assert (b.outside, b.no_bin) == (len(out), len(out) + missing)
    assert b.outside_max == pytest.approx(max(incomes[i - 1] for i in out))  # type: ignore[type-var]

    csps = [r["csp"] for r in rows]
    unseen = Counter(c for c in csps if c and c not in ("cadre", "artisan", "employe"))
    b = bins["csp_pts"]
    assert (b.outside, b.no_bin, b.caught_by_else) == (sum(unseen.values()), 0, True)
    assert {c.value: c.rows for c in b.unseen_categories} == dict(unseen)
    assert [c.rows for c in b.unseen_categories] == sorted(unseen.values(), reverse=True)
    assert b.unseen_total == len(unseen) and "Cadre" in unseen


def groups(keys: list[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for i, k in enumerate(keys, start=1):
        found.setdefault(k, []).append(i)
    return {k: v for k, v in found.items() if len(v) > 1}


def test_duplicate_keys(measured: tuple[Quality, list[dict[str, str]]]) -> None:
    q, rows = measured
    raw = [r["customer_id"] for r in rows]
    exact = groups(raw)
    norm = groups([unicodedata.normalize("NFC", k.strip()).lower() for k in raw])
    k = q.keys
    assert k.exact_groups == len(exact) == 2
    assert k.exact_rows == sum(len(v) for v in exact.values())
    assert {g.key: g.rows for g in k.exact} == exact
    assert k.normalised_groups == len(norm) == 5
    assert k.normalised_rows == sum(len(v) for v in norm.values())
    assert {g.key: g.rows for g in k.normalised} == norm
    assert {g.key: set(g.spellings) for g in k.normalised} == {
        n: {raw[i - 1] for i in r} for n, r in norm.items()
    }
    assert k.dedupe_drops == k.normalised_rows - k.normalised_groups == 7
    assert "zoé-9" in norm and len(norm["fr1"]) == 3


def test_missing_column_is_e810(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "income"} for r in make_rows(60)]
    data = write_csv(rows, tmp_path / "short.csv")
    from engine.diagnostics import ScorecardError

    with pytest.raises(ScorecardError) as caught:
        quality_of(load(write_card(tmp_path)), data)
    assert [d.code for d in caught.value.diagnostics] == ["E810"]
    assert "income" in caught.value.diagnostics[0].message
