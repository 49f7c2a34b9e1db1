"""`fairness --by COL` on any column: plain groups, and numeric columns banded into quintiles,
checked against numpy."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from engine.cli.app import app, load_commands
from engine.evaluate import fairness
from engine.evaluate.rows import ReportError
from tests.evaluate.evalgen import CARD, make_rows, make_table

load_commands(None)


def hand_quintile_groups(values: np.ndarray) -> tuple[list[float], np.ndarray]:
    """Cuts at numpy's quantiles 20..80 % (above the minimum, deduplicated); band index per
    value (0 = lowest band, -1 = missing), bands closed on the left."""
    known = ~np.isnan(values)
    q = np.quantile(values[known], [0.2, 0.4, 0.6, 0.8])
    cuts = sorted({float(c) for c in q if c > values[known].min()})
    idx = np.where(known, np.digitize(values, cuts, right=False), -1)
    return cuts, idx


def test_numeric_column_banded_into_quintiles_against_numpy() -> None:
    rows, _ = make_rows(61)
    rng = np.random.default_rng(7)
    age = rng.integers(18, 90, len(rows)).astype(float)
    age[rng.random(len(rows)) < 0.04] = np.nan
    values: list[object] = [None if math.isnan(a) else int(a) for a in age]
    fa = fairness.fairness(rows, "age", values, None)
    cuts, idx = hand_quintile_groups(age)
    assert len(cuts) == 4
    assert fa.banding is not None and "quintiles" in fa.banding
    selected = np.array([s == "high" for s in rows.segment], dtype=bool)
    expected_names = [
        f"(-inf, {cuts[0]:.6g})",
        *(f"[{a:.6g}, {b:.6g})" for a, b in itertools.pairwise(cuts)),
        f"[{cuts[-1]:.6g}, +inf)",
        "(missing)",
    ]
    assert [g.group for g in fa.groups] == expected_names
    rates = []
    for g, band in zip(fa.groups, [*range(len(cuts) + 1), -1], strict=True):
        members = idx == band
        assert g.rows == int(members.sum())
        assert g.selected == int((members & selected).sum())
        assert g.selection_rate == pytest.approx(selected[members].mean())
        scored = members & ~np.isnan(rows.score)
        assert g.mean_score == pytest.approx(rows.score[scored].mean())
        rates.append(selected[members].mean())
    assert fa.disparate_impact == pytest.approx(min(rates) / max(rates))


def test_few_numeric_values_stay_groups_in_numeric_order() -> None:
    rows, _ = make_rows(62)
    values: list[object] = [str((i * 7) % 12) for i in range(len(rows))]  # 12 values as text
    values[:12] = [str(v) for v in range(12)]
    assert fairness.fairness(rows, "n", values, None).banding is not None
    few: list[object] = [(i * 7) % 3 + 8 for i in range(len(rows))]  # 8, 9, 10
    fa = fairness.fairness(rows, "n", few, None)
    assert fa.banding is None
    assert [g.group for g in fa.groups] == ["8", "9", "10"]


def test_id_like_text_column_is_refused() -> None:
    rows, _ = make_rows(63)
    with pytest.raises(fairness.GroupingError, match="distinct values"):
        fairness.fairness(rows, "id", [f"k{i}" for i in range(len(rows))], None)
    assert issubclass(fairness.GroupingError, ReportError)


def test_fairness_command_by_an_input_and_a_non_input_column(tmp_path: Path) -> None:
    card = tmp_path / "retention.scorecard"
    card.write_text(CARD, encoding="utf-8")
    data = tmp_path / "base.csv"
    table = make_table(64, 1200)
    region = np.where(np.random.default_rng(3).random(1200) < 0.3, "north", "south")
    names = [f"customer {i}" for i in range(1200)]
    table.with_columns(pl.Series("region", region), pl.Series("name", names)).write_csv(data)
    runner = CliRunner()
    result = runner.invoke(app, ["fairness", str(card), str(data), "--by", "age", "--json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)["fairness"]
    assert "quintiles" in doc["banding"]
    age = np.array([np.nan if a is None else float(a) for a in table["age"].to_list()])
    _, idx = hand_quintile_groups(age)
    assert [g["rows"] for g in doc["groups"]] == [
        int((idx == b).sum()) for b in [*range(len(doc["groups"]) - 1), -1]
    ]
    result = runner.invoke(app, ["fairness", str(card), str(data), "--by", "region"])
    assert result.exit_code == 0, result.stderr
    assert "north" in result.stdout and "south" in result.stdout
    assert "quintiles" not in result.stdout
    result = runner.invoke(app, ["fairness", str(card), str(data), "--by", "name"])
    assert result.exit_code == 1
    assert "E1010" in result.stderr and "1,200 distinct values" in result.stderr
