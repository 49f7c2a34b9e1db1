"""The progress bar of the commands that read data, besides `apply` (tests/cli/test_progress.py):
on a real pseudo-terminal each shows its steps, and rows per second where it counts rows,
while its output stays right (checked against Polars on the same table); on a pipe nothing
is drawn."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from tests.cli.terminal import on_a_pipe, on_a_terminal

ROWS = 100_000

CARD = """
scorecard progress { }
input {
  id     : string key
  age    : int
  income : float
  region : string
}
outcome churned
bins age_pts on age { < 30 -> 20  [30, 60) -> 10  >= 60 -> 0 }
bins income_pts on income { missing -> 5  < 2000 -> 15  else -> 0 }
"""

REGIONS = ["north", "south", "east", "west"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A card and a table of `ROWS` customers (every tenth income missing; churn is likelier
    under 30), written once for the module."""
    path = tmp_path_factory.mktemp("progress")
    (path / "card.scorecard").write_text(CARD, encoding="utf-8")
    i = pl.int_range(0, ROWS).alias("i")
    age = i * 7 % 70 + 18
    table = pl.select(i).select(
        id=pl.lit("K") + i.cast(pl.String),
        age=age,
        income=pl.when(i % 10 == 0).then(None).otherwise(i * 37 % 5000).cast(pl.Float64),
        region=(i % 4).replace_strict(list(range(4)), REGIONS),
        churned=((age < 30) | (i * 13 % 10 < 3)).cast(pl.Int32),
    )
    table.write_csv(path / "data.csv")
    return path


def _table(folder: Path) -> pl.DataFrame:
    return pl.read_csv(folder / "data.csv")


def test_evaluate(folder: Path) -> None:
    shown = on_a_terminal(folder, "evaluate", "card.scorecard", "data.csv", "--json")
    assert "scoring" in shown.text and "measuring" in shown.text
    assert "rows/s" in shown.text and f"/{ROWS}" in shown.text
    coverage = json.loads(shown.stdout)["evaluation"]["coverage"]
    table = _table(folder)
    assert coverage["rows"] == table.height == ROWS
    assert coverage["events"] == table["churned"].sum()


def test_fit(folder: Path) -> None:
    shown = on_a_terminal(
        folder, "fit", "data.csv", "--target", "churned", "-o", "fitted.scorecard", "--json"
    )
    for step in ("reading", "binning", "fitting"):
        assert step in shown.text
    assert "rows/s" in shown.text  # the reading counts rows
    assert "columns/s" in shown.text  # the binning counts columns
    figures = json.loads(shown.stdout)
    assert figures["rows_read"] == _table(folder).height
    assert figures["train"]["rows"] + figures["holdout"]["rows"] == ROWS
    assert "scorecard fitted {" in (folder / "fitted.scorecard").read_text(encoding="utf-8")


def test_quality(folder: Path) -> None:
    shown = on_a_terminal(folder, "quality", "card.scorecard", "data.csv", "--json")
    for step in ("reading", "measuring columns", "checking bins", "checking keys"):
        assert step in shown.text
    assert "rows/s" in shown.text
    found = json.loads(shown.stdout)
    table = _table(folder)
    assert found["rows"] == table.height
    nulls = {c["name"]: c["nulls"] for c in found["columns"]}
    assert nulls["income"] == table["income"].null_count() == ROWS // 10


def test_profile(folder: Path) -> None:
    shown = on_a_terminal(
        folder,
        "profile",
        "data.csv",
        "--group",
        'region = "north"',
        "--card",
        "card.scorecard",
        "--json",
    )
    for step in ("reading", "scoring", "comparing"):
        assert step in shown.text
    assert "rows/s" in shown.text
    found = json.loads(shown.stdout)
    table = _table(folder)
    assert found["group_rows"] == table.filter(pl.col("region") == "north").height
    assert found["base_rows"] == table.height


def _scores(table: pl.DataFrame) -> pl.DataFrame:
    """The card's score, written by hand: the two bins blocks added."""
    age, income = pl.col("age"), pl.col("income")
    age_pts = pl.when(age < 30).then(20).when(age < 60).then(10).otherwise(0)
    income_pts = pl.when(income.is_null()).then(5).when(income < 2000).then(15).otherwise(0)
    return table.with_columns(score=(age_pts + income_pts).cast(pl.Float64))


def test_stability(folder: Path) -> None:
    shown = on_a_terminal(folder, "stability", "card.scorecard", "data.csv", "data.csv", "--json")
    assert "scoring" in shown.text and "rows/s" in shown.text
    found = json.loads(shown.stdout)["stability"]
    assert found["base_rows"] == found["cur_rows"] == ROWS
    by_label = {b["label"]: b for b in found["score"]["bins"]}
    high = _scores(_table(folder)).filter(pl.col("score") >= 25).height
    assert by_label[">= 25"]["base_rows"] == by_label[">= 25"]["cur_rows"] == high


def test_fairness(folder: Path) -> None:
    shown = on_a_terminal(
        folder, "fairness", "card.scorecard", "data.csv", "--by", "region", "--top", "10%", "--json"
    )
    assert "scoring" in shown.text and "rows/s" in shown.text
    groups = {g["group"]: g for g in json.loads(shown.stdout)["fairness"]["groups"]}
    expected = _scores(_table(folder)).group_by("region").agg(pl.len(), pl.col("score").mean())
    for region, rows, mean in expected.iter_rows():
        assert groups[region]["rows"] == rows
        assert groups[region]["mean_score"] == pytest.approx(mean, abs=0.005)


def test_explain(folder: Path) -> None:
    shown = on_a_terminal(folder, "explain", "card.scorecard", "data.csv", "--key", "K5")
    assert "reading" in shown.text
    age = _table(folder).filter(pl.col("id") == "K5")["age"].item()
    assert f"age = '{age}'" in shown.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["evaluate", "card.scorecard", "data.csv", "--json"],
        ["fit", "data.csv", "--target", "churned", "-o", "piped.scorecard"],
        ["quality", "card.scorecard", "data.csv"],
        ["profile", "data.csv", "--group", 'region = "north"', "--card", "card.scorecard"],
    ],
    ids=["evaluate", "fit", "quality", "profile"],
)
def test_nothing_on_a_pipe(folder: Path, args: list[str]) -> None:
    run = on_a_pipe(folder, *args)
    assert run.returncode == 0, run.stderr
    assert "\x1b[" not in run.stderr and "rows/s" not in run.stderr
    for step in ("reading", "scoring", "binning", "measuring", "comparing"):
        assert step not in run.stderr
