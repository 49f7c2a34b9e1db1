"""The global rank of `classes` (`ranks.positions`) against two independent orderings.

Expected positions come from Python's `sorted` with the documented order (score descending,
key ascending byte-wise, a NaN score before every number as Polars sorts it, rows without a
score last) and from Polars' own `arg_sort_by([score, key])`. Scores are drawn from a few
values so that runs of equal scores (the only place keys are compared) are common.
"""

from __future__ import annotations

import math

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from engine.backends.polars.ranks import positions

SCORES = st.one_of(
    st.none(),
    st.sampled_from([0.0, -0.0, 1.5, -2.0, 700.25, math.inf, -math.inf, math.nan]),
    st.floats(allow_nan=False, width=64),
)


def expected(scores: list[float | None], keys: list[str]) -> list[int]:
    def order(i: int) -> tuple[int, float, bytes]:
        s = scores[i]
        if s is None:
            return (2, 0.0, keys[i].encode())
        if math.isnan(s):
            return (0, 0.0, keys[i].encode())
        return (1, -s + 0.0, keys[i].encode())

    rows = sorted(range(len(scores)), key=order)
    rank = [0] * len(rows)
    for position, row in enumerate(rows):
        rank[row] = position
    return rank


@given(
    st.lists(
        st.tuples(SCORES, st.text(min_size=1, max_size=4)), max_size=60, unique_by=lambda r: r[1]
    )
)
def test_positions_follow_the_documented_order(rows: list[tuple[float | None, str]]) -> None:
    scores = [s for s, _ in rows]
    keys = [k for _, k in rows]
    got = positions(
        [pl.Series("s", scores, dtype=pl.Float64), pl.Series("k", keys, dtype=pl.String)]
    )
    want = expected(scores, keys)
    scored = [i for i, s in enumerate(scores) if s is not None]
    # rows without a score only need to come after every scored row
    assert [got[i] for i in scored] == [want[i] for i in scored]
    assert sorted(got.to_list()) == list(range(len(rows)))


@given(st.lists(st.tuples(SCORES, st.integers(-1000, 1000)), max_size=60, unique_by=lambda r: r[1]))
def test_positions_match_polars_sort_with_int_keys(rows: list[tuple[float | None, int]]) -> None:
    frame = pl.DataFrame(
        {"s": [s for s, _ in rows], "k": [k for _, k in rows]},
        schema={"s": pl.Float64, "k": pl.Int64},
    )
    polars_rank = frame.select(
        pl.int_range(pl.len(), dtype=pl.Int64).sort_by(
            pl.arg_sort_by(["s", "k"], descending=[True, False], nulls_last=True)
        )
    ).to_series()
    got = positions([frame["s"], frame["k"]])
    scored = frame["s"].is_not_null()
    assert got.filter(scored).to_list() == polars_rank.filter(scored).to_list()


def test_positions_of_no_rows_and_one_row() -> None:
    empty = positions([pl.Series("s", [], dtype=pl.Float64), pl.Series("k", [], dtype=pl.String)])
    assert empty.to_list() == []
    one = positions([pl.Series("s", [None], dtype=pl.Float64), pl.Series("k", ["a"])])
    assert one.to_list() == [0]
