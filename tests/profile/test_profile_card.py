"""`profile_table` with a card: the card's bins are the categories, its results can be the
group's condition and are profiled too; checked against the card's arithmetic done by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

import engine
from engine.profile.run import ProfileOptions, profile_table
from tests.profile.profgen import make_table

CARD = """
scorecard buyers {
  title "Insurance buyers"
}

input {
  customer_id : string key
  age         : int
  income      : float
  csp         : string
  gender      : string sensitive
}

let income_k = income / 1000

rule cadre when csp = "cadre" then 30

bins age_band on age {
  missing  -> 0
  < 30     -> 10
  [30, 50) -> 20
  >= 50    -> 5
}

bins income_band on income_k {
  < 20  -> 0
  >= 20 -> 15
}

segment "high" when score >= 40
segment "low" otherwise

classes 4
"""


def hand_scores(frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The score, the age bin (0 missing, 1..3) and the income bin (0 none, 1, 2) by hand."""
    age = frame["age"].cast(pl.Float64).to_numpy()
    income = frame["income"].to_numpy() / 1000
    age_bin = np.where(np.isnan(age), 0, np.where(age < 30, 1, np.where(age < 50, 2, 3)))
    inc_bin = np.where(np.isnan(income), 0, np.where(income < 20, 1, 2))
    points = np.array([0, 10, 20, 5])[age_bin] + np.array([0, 0, 15])[inc_bin]
    points = points + 30 * (frame["csp"] == "cadre").fill_null(False).to_numpy()
    return points.astype(float), age_bin, inc_bin


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("profile-card")
    (folder / "buyers.scorecard").write_text(CARD, encoding="utf-8")
    make_table(11, 3000).write_parquet(folder / "customers.parquet")
    return {"card": folder / "buyers.scorecard", "data": folder / "customers.parquet"}


def test_bins_are_the_categories_and_results_the_group(files: dict[str, Path]) -> None:
    card = engine.load(files["card"])
    frame = pl.read_parquet(files["data"])
    score, age_bin, inc_bin = hand_scores(frame)
    in_group = score >= 40
    profile = profile_table(files["data"], 'segment = "high"', card=card)
    assert profile.group_rows == int(in_group.sum())
    by_name = {c.column: c for c in profile.columns}
    # the condition reads the segment: the class and the score follow from the same score
    assert set(by_name) == {"age", "income", "income_k", "csp"}
    age = by_name["age"]
    assert age.how == "card bins"
    assert [c.label for c in age.categories] == ["missing", "< 30", "[30, 50)", ">= 50"]
    for i, c in enumerate(age.categories):
        assert c.group_count == int((in_group & (age_bin == i)).sum())
        assert c.base_count == int((age_bin == i).sum())
    income = {c.label: c for c in by_name["income_k"].categories}
    assert income["(no bin)"].base_count == int((inc_bin == 0).sum())
    assert income[">= 20"].group_count == int((in_group & (inc_bin == 2)).sum())
    skipped = {s.column: s.reason for s in profile.skipped}
    assert "sensitive" in skipped["gender"]
    assert all("--group" in skipped[r] for r in ("segment", "class", "score"))


def test_sensitive_column_named_explicitly_is_marked(files: dict[str, Path]) -> None:
    card = engine.load(files["card"])
    options = ProfileOptions(columns=("gender", "segment"))
    profile = profile_table(files["data"], "class = 1", card=card, options=options)
    by_name = {c.column: c for c in profile.columns}
    assert by_name["gender"].sensitive and not by_name["segment"].sensitive
    assert next(c.label for c in by_name["segment"].categories) == "high"
