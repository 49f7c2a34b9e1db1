"""Reasons ranked as integer keys (`engine.reason_keys`) against plain Python sorting.

Cards mix fixed contributions (constant points, a bins block) with 0 to 6 general ones
(points read from a column): up to `GENERAL_LIMIT` general ones the keyed ranking runs,
beyond it the float ranking; both must give the top K, ties in file order.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import reason_keys
from engine.program import bind_params
from tests.reason_cards import BINS, FIXED_POINTS, MixedCard, mixed_data, reason_rows


@settings(max_examples=30, deadline=None)
@given(
    rules=st.integers(0, 14),
    generals=st.integers(0, 6),
    count=st.integers(1, 6),
    direction=st.sampled_from(["highest", "lowest"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_mixed_cards_against_sorting(
    rules: int, generals: int, count: int, direction: str, seed: int
) -> None:
    card = MixedCard(rules, generals, count, direction)
    loaded = engine.loads(card.text())
    keyed = reason_keys.plan(bind_params(loaded.program))
    assert (keyed is not None) == (generals <= reason_keys.GENERAL_LIMIT)
    data = mixed_data(card, 400, seed)
    out = loaded.apply(data)
    assert reason_rows(out, count) == card.expected(data)


@pytest.mark.parametrize("direction", ["highest", "lowest"])
def test_data_covers_ties_gaps_and_missing(direction: str) -> None:
    """The generated data has what the property test claims: a general value equal to a
    fixed one chosen beside it, two general values in one gap between fixed ones, a general
    value beyond every fixed one, and a missing general contribution where its rule fired."""
    card = MixedCard(12, 3, 4, direction)
    data = mixed_data(card, 2000, 5)
    sign = 1.0 if direction == "highest" else -1.0
    points = [*FIXED_POINTS, *(p for _, _, p in BINS)]
    fixed = {sign * p for p in points if sign * p > 0}
    tie = same_gap = beyond = missing = False
    for row in data.iter_rows(named=True):
        if row["x"] >= 9:
            continue
        values = card.contributions(row)
        generals = [v for n, v in values if n.startswith("g")]
        strengths = [sign * v for v in generals if v is not None and sign * v > 0]
        tie |= any(s in fixed for s in strengths)
        beyond |= any(s > max(fixed) for s in strengths)
        gaps = [sum(1 for f in fixed if f < s) for s in strengths if s not in fixed]
        same_gap |= len(gaps) != len(set(gaps))
        missing |= any(v is None for v in generals)
    assert tie and same_gap and beyond and missing
    out = engine.loads(card.text()).apply(data)
    assert reason_rows(out, 4) == card.expected(data)


def test_never_candidates_are_left_out_and_keys_fit_16_bits() -> None:
    """A rule that can only take points away is no candidate for `highest`: not ranked."""
    card = engine.loads(MixedCard(12, 1, 3, "highest").text())
    keyed = reason_keys.plan(bind_params(card.program))
    assert keyed is not None
    names = [s.name for s in keyed.sources]
    assert "r1" not in names and "r6" not in names  # -1 and -2 points
    assert "r0" in names and "g0" in names and "xb" in names
    assert keyed.largest < 2**15


def test_a_bins_block_of_many_values_keeps_the_float_ranking() -> None:
    """A bins block with more than `MANY_VALUES` positive entries: no keys (each value
    would cost a comparison per row), and the reasons are still the top K."""
    entries = reason_keys.MANY_VALUES + 2
    arms = "\n".join(f"  [{i}, {i + 1}) -> {i + 1}" for i in range(entries))
    text = (
        "scorecard many_bins { }\ninput {\n  id : int key\n  x : int required\n}\n"
        f"bins xb on x {{\n{arms}\n}}\n"
        "rule r0 when x >= 3 then 4\nrule r1 when x >= 5 then 6\nreasons 2\n"
    )
    card = engine.loads(text)
    assert reason_keys.plan(bind_params(card.program)) is None
    data = pl.DataFrame({"id": list(range(12)), "x": list(range(12))})
    out = card.apply(data)
    for x, got in zip(data["x"].to_list(), reason_rows(out, 2), strict=True):
        values = [("xb", float(x + 1) if x < entries else 0.0)]
        values += [("r0", 4.0 if x >= 3 else 0.0), ("r1", 6.0 if x >= 5 else 0.0)]
        ranked = sorted((-v, i, n) for i, (n, v) in enumerate(values) if v > 0)
        want = [n for _, _, n in ranked[:2]]
        assert got == want + [None] * (2 - len(want))
