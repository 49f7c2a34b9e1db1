"""`profile_table` against figures computed here with numpy and scipy from the same data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from engine.diagnostics import ScorecardError
from engine.profile.run import ColumnProfile, ProfileOptions, profile_table
from tests.profile.profgen import (
    Expected,
    cramer,
    make_table,
    numeric_expected,
    value_expected,
    z_and_p,
)


@pytest.fixture(scope="module")
def table_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("profile") / "customers.csv"
    make_table(7, 4000).write_csv(path)
    return path


def check_column(col: ColumnProfile, exp: Expected, min_count: int = 30) -> None:
    """Every category's counts, shares, index, z, p and flag; then Cramér's V and its p."""
    kept = [i for i in range(len(exp.labels)) if exp.group[i] + exp.base[i] > 0]
    assert [c.label for c in col.categories] == [exp.labels[i] for i in kept]
    n_g, n_b, n_c = exp.group.sum(), exp.base.sum(), exp.compared.sum()
    for c, i in zip(col.categories, kept, strict=True):
        assert (c.group_count, c.base_count) == (exp.group[i], exp.base[i])
        assert c.group_share == pytest.approx(exp.group[i] / n_g)
        assert c.base_share == pytest.approx(exp.base[i] / n_b)
        assert c.index == pytest.approx(100 * (exp.group[i] / n_g) / (exp.base[i] / n_b))
        z, p = z_and_p(int(exp.group[i]), int(n_g), int(exp.compared[i]), int(n_c))
        assert c.z == pytest.approx(z, rel=1e-9)
        assert c.p_value == pytest.approx(p, rel=1e-6, abs=1e-300)
        assert c.small == (exp.base[i] < min_count)
    v, p = cramer(exp.group, exp.compared)
    assert col.cramers_v == pytest.approx(v, rel=1e-9)
    assert col.p_value == pytest.approx(p, rel=1e-6, abs=1e-300)


def test_group_against_the_rest_of_the_table(table_file: Path) -> None:
    frame = pl.read_csv(table_file)
    profile = profile_table(table_file, "bought = 1")
    mask = frame["bought"] == 1
    group, rest = frame.filter(mask), frame.filter(~mask)
    assert (profile.group_rows, profile.base_rows) == (group.height, frame.height)
    by_name = {c.column: c for c in profile.columns}
    for name in ("age", "income"):
        check_column(
            by_name[name],
            numeric_expected(group[name], frame[name], rest[name], as_int=name == "age"),
        )
    for name in ("csp", "region"):
        check_column(by_name[name], value_expected(group[name], frame[name], rest[name]))
    email = value_expected(
        group["email_opt_in"].cast(pl.String),
        frame["email_opt_in"].cast(pl.String),
        rest["email_opt_in"].cast(pl.String),
    )
    check_column(by_name["email_opt_in"], email)
    # ranked by Cramér's V, descending
    vs = [c.cramers_v for c in profile.columns]
    assert vs == sorted(vs, reverse=True)
    # the rare category is shown and flagged; the regions past the 20th are grouped
    csp = {c.label: c for c in by_name["csp"].categories}
    assert csp["agriculteur"].small and not csp["cadre"].small
    assert "(other)" in [c.label for c in by_name["region"].categories]
    # the key, the sensitive column and the condition's column are left aside, with reasons
    skipped = {s.column: s.reason for s in profile.skipped}
    assert set(skipped) == {"customer_id", "gender", "bought"}
    assert "sensitive" in skipped["gender"]
    # the strongest trait is the generated affinity's: cadres, high incomes
    assert profile.traits and profile.traits[0].column in {"csp", "income"}
    assert any('csp = "cadre"' in t.text for t in profile.traits)


def test_group_against_another_base_and_explicit_columns(tmp_path: Path) -> None:
    data, base_path = tmp_path / "campaign.parquet", tmp_path / "base.parquet"
    frame, base = make_table(3, 1500), make_table(4, 5000)
    frame.write_parquet(data)
    base.write_parquet(base_path)
    options = ProfileOptions(columns=("gender", "age", "csp"), min_count=50)
    profile = profile_table(
        data, 'csp in ["cadre", "employe"] and age < 40', base=base_path, options=options
    )
    group = frame.filter(
        (pl.col("csp").is_in(["cadre", "employe"]) & (pl.col("age") < 40)).fill_null(False)
    )
    by_name = {c.column: c for c in profile.columns}
    assert set(by_name) == {"gender", "age", "csp"}
    assert by_name["gender"].sensitive and not by_name["age"].sensitive
    check_column(by_name["age"], numeric_expected(group["age"], base["age"], base["age"], True), 50)
    check_column(by_name["csp"], value_expected(group["csp"], base["csp"], base["csp"]), 50)
    check_column(
        by_name["gender"], value_expected(group["gender"], base["gender"], base["gender"]), 50
    )
    assert profile.compared_with == "the base table"


def test_mistakes_are_diagnostics(table_file: Path) -> None:
    with pytest.raises(ScorecardError) as info:
        profile_table(table_file, "bougth = 1")
    d = info.value.diagnostics[0]
    assert d.code == "E200" and "bought" in d.message
    with pytest.raises(ScorecardError) as info:
        profile_table(table_file, "age > 200")
    assert info.value.diagnostics[0].code == "E1201"
    with pytest.raises(ScorecardError) as info:
        profile_table(table_file, "bought = 1", options=ProfileOptions(columns=("incme",)))
    assert info.value.diagnostics[0].code == "E1200"
    assert "income" in " ".join(info.value.diagnostics[0].notes)
    with pytest.raises(ScorecardError) as info:
        profile_table(table_file, "bought = 1", options=ProfileOptions(min_count=0))
    assert info.value.diagnostics[0].code == "E1202"


def test_every_share_sums_to_one(table_file: Path) -> None:
    profile = profile_table(table_file, 'region = "region_00" or income >= 40000')
    for col in profile.columns:
        assert sum(c.group_share for c in col.categories) == pytest.approx(1.0)
        assert sum(c.base_share for c in col.categories) == pytest.approx(1.0)
        assert np.isfinite(col.cramers_v)


def test_dates_are_cut_at_the_base_deciles_of_their_days(tmp_path: Path) -> None:
    import datetime as dt

    rng = np.random.default_rng(17)
    days = rng.integers(0, 400, 2500)
    start = dt.date(2025, 6, 1)
    last = [None if d % 13 == 0 else start + dt.timedelta(days=int(d)) for d in days]
    frame = pl.DataFrame(
        {"id": [f"R{i}" for i in range(2500)], "last_order": last, "flag": (days % 3 == 0)}
    )
    path = tmp_path / "orders.parquet"
    frame.write_parquet(path)
    profile = profile_table(path, "flag")
    col = next(c for c in profile.columns if c.column == "last_order")
    ordinal = np.array([np.nan if v is None else (v - start).days for v in last])
    filled = ordinal[~np.isnan(ordinal)]
    qs = np.quantile(filled, np.arange(1, 10) / 10, method="inverted_cdf")
    edges = np.unique(qs[qs > filled.min()])
    text = [(start + dt.timedelta(days=int(e))).isoformat() for e in edges]
    assert col.categories[0].label == f"< {text[0]}"
    assert col.categories[1].label == f"[{text[0]}, {text[1]})"
    assert col.categories[-2].label == f">= {text[-1]}"
    assert col.categories[-1].label == "missing"
    bins = np.where(
        np.isnan(ordinal), len(edges) + 1, np.searchsorted(edges, ordinal, side="right")
    )
    in_group = days % 3 == 0
    for i, c in enumerate(col.categories):
        assert c.base_count == int((bins == i).sum())
        assert c.group_count == int(((bins == i) & in_group).sum())
