"""Bins, WoE, IV and event rates of a fit, checked against numpy on the generated table."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import engine
from engine.fitting import FitResult
from tests.fit.fitgen import make_table
from tests.fit.helpers import bins_blocks, match, woe_table

MIN_SHARE = 0.06


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    return make_table(6000, seed=1)


@pytest.fixture(scope="module")
def fitted(table: pl.DataFrame) -> FitResult:
    return engine.fit(
        table,
        "bad",
        sensitive=["gender"],
        exclude=["month"],
        special={"income": ["-999"]},
        holdout=0,
        min_bin_share=MIN_SHARE,
        min_iv=0.0,
    )


def test_woe_iv_and_event_rates_equal_numpy(table: pl.DataFrame, fitted: FitResult) -> None:
    blocks = bins_blocks(fitted.card)
    event = table["bad"].to_numpy() == 1
    checked = 0
    for c in fitted.figures.characteristics:
        if not c.selected:
            continue
        stmt = blocks[c.block or ""]
        assert stmt.on.name == c.column
        index = match(stmt, table[c.column])
        want = woe_table(index, len(stmt.entries), event)
        assert [b.train_rows for b in c.bins] == want["rows"].astype(int).tolist()
        assert [b.train_events for b in c.bins] == want["events"].astype(int).tolist()
        got_rate = np.array(
            [np.nan if b.train_event_rate is None else b.train_event_rate for b in c.bins]
        )
        np.testing.assert_allclose(got_rate, want["rate"], rtol=1e-12, equal_nan=True)
        np.testing.assert_allclose([b.woe for b in c.bins], want["woe"], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose([b.iv for b in c.bins], want["iv"], rtol=1e-12, atol=1e-15)
        assert c.iv == pytest.approx(want["iv"].sum(), rel=1e-12)
        checked += 1
    assert checked >= 5


def test_every_row_has_exactly_the_bin_the_card_gives(
    table: pl.DataFrame, fitted: FitResult
) -> None:
    """Numeric blocks cover every number once: no row falls outside the ranges."""
    blocks = bins_blocks(fitted.card)
    for c in fitted.figures.characteristics:
        if c.selected:
            index = match(blocks[c.block or ""], table[c.column])
            assert (index >= 0).all(), c.column


def _trend_holds(rates: list[float], trend: str) -> bool:
    d = np.sign(np.diff(rates))
    if trend == "ascending":
        return bool((d > 0).all())
    if trend == "descending":
        return bool((d < 0).all())
    if trend in ("peak", "valley"):
        first = 1 if trend == "peak" else -1
        turn = int(np.argmax(d != first)) if (d != first).any() else len(d)
        return bool((d[:turn] == first).all() and (d[turn:] == -first).all())
    return trend == "none"


@pytest.mark.parametrize("monotonic", ["auto", "ascending", "descending", "peak", "valley"])
def test_monotonic_constraint_holds_on_every_numeric_characteristic(
    table: pl.DataFrame, monotonic: str
) -> None:
    result = engine.fit(
        table, "bad", exclude=["month", "gender"], holdout=0, monotonic=monotonic, min_iv=0.0
    )
    numeric = [c for c in result.figures.characteristics if c.type in ("int", "float")]
    assert len(numeric) >= 5
    for c in numeric:
        rates = [b.train_event_rate for b in c.bins if b.kind == "range"]
        assert all(r is not None for r in rates)
        if monotonic in ("ascending", "descending"):
            assert c.trend == monotonic or len(rates) == 1, (c.column, c.trend)
        if monotonic in ("peak", "valley"):
            assert c.trend in (monotonic, "ascending", "descending"), (c.column, c.trend)
        assert c.trend is not None and _trend_holds(rates, c.trend), (c.column, c.trend, rates)


def test_auto_finds_the_u_shape_of_util(fitted: FitResult) -> None:
    util = next(c for c in fitted.figures.characteristics if c.column == "util")
    assert util.trend == "valley"


def test_bins_are_never_smaller_than_the_minimum_share(fitted: FitResult) -> None:
    for c in fitted.figures.characteristics:
        for b in c.bins:
            if b.kind in ("range", "group"):
                assert b.train_share >= MIN_SHARE, (c.column, b.bin, b.train_share)
        counted = [b for b in c.bins if b.kind in ("range", "group")]
        assert len(counted) <= 10


def test_special_codes_and_missing_values_get_their_own_bins(fitted: FitResult) -> None:
    income = next(c for c in fitted.figures.characteristics if c.column == "income")
    kinds = [(b.kind, b.bin) for b in income.bins[:2]]
    assert kinds == [("missing", "missing"), ("special", "= -999.0")]
    assert income.bins[1].train_rows > 0 and income.bins[0].train_rows > 0
    # the ranges start above the special code's neighbours: no range holds -999
    assert "-999" not in " ".join(b.bin for b in income.bins[2:])


def test_categories_rare_ones_pooled_unseen_ones_neutral(
    table: pl.DataFrame, fitted: FitResult
) -> None:
    region = next(c for c in fitted.figures.characteristics if c.column == "region")
    texts = [b.bin for b in region.bins]
    assert texts[0] == "missing" and texts[-1] == "else"
    rare = [t for t in texts if "dom0" in t]
    assert len(rare) == 1 and all(f'"dom{i}"' in rare[0] for i in range(8))  # pooled together
    assert region.bins[-1].train_rows == 0 and region.bins[-1].woe == 0.0
    assert region.bins[-1].points == 0.0  # an unseen category scores 0: the average
    blocks = bins_blocks(fitted.card)
    unseen = pl.Series(["atlantis", None], dtype=pl.String)
    assert match(blocks[region.block or ""], unseen).tolist() == [len(texts) - 1, 0]


def test_left_out_columns_say_why(fitted: FitResult) -> None:
    skipped = {s.column: s.reason for s in fitted.figures.skipped}
    assert "date" in skipped["signup"] and "sensitive" in skipped["gender"]
    assert skipped["month"] == "listed in --exclude" and skipped["customer_id"] == "the key"
    inputs = fitted.card.split("input {")[1].split("}")[0]
    assert "gender" in inputs and "sensitive" in inputs
    assert "bins gender" not in fitted.card and "on gender" not in fitted.card


def test_weak_and_correlated_characteristics_are_left_out(table: pl.DataFrame) -> None:
    twin = table.with_columns(
        (pl.col("util") * 2 + 1).alias("util_twin"),
        (pl.lit("note ") + pl.col("customer_id")).alias("free_text"),
    )
    result = engine.fit(twin, "bad", exclude=["month", "gender"], holdout=0)
    why = {c.column: c.reason for c in result.figures.characteristics if not c.selected}
    skipped = {s.column: s.reason for s in result.figures.skipped}
    assert "more than 1000 categories" in skipped["free_text"]
    assert "noise" in why and "below the threshold 0.02" in (why["noise"] or "")
    dropped_twin = "util_twin" if "util_twin" in why else "util"
    assert "correlates with" in (why[dropped_twin] or "")
