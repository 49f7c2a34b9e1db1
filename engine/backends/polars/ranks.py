"""The global rank that `classes` reads: each row's 0-based position when rows are ordered by
score descending, then key ascending (byte-wise for text), rows without a score last.

One float sort of the scores; keys are compared only inside runs of equal scores, which are
rare. Sorting (score, key) rows, as `arg_sort_by([score, key])` does, compares the keys too
and cost about 0.3 s more per million rows with text keys (docs/performance.md); the
position of each row is then a scatter of the order, not a second sort. The order is
Polars' own: a NaN score (the language never makes one, but a float column could hold it)
sorts before every number, as Polars' descending sort puts it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

NAN, NUMBER, NULL = 0, 1, 2
"""Groups of scores in rank order."""


def positions(columns: Sequence[pl.Series]) -> pl.Series:
    """The batch function of `pl.map_batches([score, key], ...)` over the whole table."""
    score, key = columns
    values = score.cast(pl.Float64).to_numpy()  # a null becomes NaN here
    null = score.is_null().to_numpy()
    nan = np.isnan(values) & ~null
    group = np.where(null, NULL, np.where(nan, NAN, NUMBER)).astype(np.int8)
    descending = np.where(group == NUMBER, -values, 0.0)
    if nan.any() or null.any():
        order = np.lexsort((descending, group))
    else:
        order = np.argsort(descending, kind="stable")
    _order_ties_by_key(order, descending, group, key)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return pl.Series(score.name, rank, dtype=pl.Int64)


def _order_ties_by_key(
    order: np.ndarray, descending: np.ndarray, group: np.ndarray, key: pl.Series
) -> None:
    """Reorder, in place, each run of equal scores (rows with a score) by key ascending."""
    if len(order) < 2:
        return
    value, kind = descending[order], group[order]
    tie = (value[1:] == value[:-1]) & (kind[1:] == kind[:-1]) & (kind[1:] != NULL)
    if not tie.any():
        return
    in_run = np.zeros(len(order), dtype=bool)
    in_run[:-1] |= tie
    in_run[1:] |= tie
    members = np.flatnonzero(in_run)
    run = np.cumsum(np.concatenate(([True], ~tie)))[members]
    rows = order[members]
    within = (
        pl.DataFrame({"run": run, "key": key.gather(rows)})
        .select(pl.arg_sort_by("run", "key"))
        .to_series()
        .to_numpy()
    )
    order[members] = rows[within]
