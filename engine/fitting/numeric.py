"""Binning a numeric column: quantile pre-bins, then merging under size, count and trend.

Bins in the card, in this order: `missing`, one `= v` bin per special code, then the ranges
`< e1`, `[e1, e2)`, ..., `>= ek` (every number has exactly one range, so the block needs no
`else`). A column whose values all fall in one range gets `else` for them instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.fitting.bins import Bin, BoolArray, Characteristic, literal
from engine.fitting.edges import nice_edge
from engine.fitting.merge import Trend, merge
from engine.syntax import ast
from engine.types import ScalarType

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class NumericSettings:
    prebins: int
    min_rows: float
    max_bins: int
    trend: Trend


def prebin_edges(values: FloatArray, prebins: int, integer: bool) -> list[float]:
    """Up to `prebins - 1` readable cut points at the quantiles of `values` (sorted, distinct).

    Each cut is a value of the data, then moved down to the shortest number above the value
    just below it (`engine.fitting.edges`), which splits the rows the same way.
    """
    if values.size == 0:
        return []
    ordered = np.sort(values)
    n = ordered.size
    positions = (np.arange(1, prebins) * n) // prebins
    cuts = np.unique(ordered[positions])
    cuts = cuts[cuts > ordered[0]]
    edges = []
    for cut in cuts:
        below = ordered[np.searchsorted(ordered, cut, side="left") - 1]
        edges.append(nice_edge(float(below), float(cut), integer))
    return edges


def _range_match(edges: Sequence[float], i: int, kind: ScalarType) -> ast.BinMatch:
    if not edges:
        return ast.BinElse()
    if i == 0:
        return ast.BinCompare(op="<", value=literal(edges[0], kind))
    if i == len(edges):
        return ast.BinCompare(op=">=", value=literal(edges[-1], kind))
    return ast.BinInterval(
        low=literal(edges[i - 1], kind),
        high=literal(edges[i], kind),
        closed_low=True,
        closed_high=False,
    )


def fit_numeric(
    column: str,
    kind: ScalarType,
    values: FloatArray,
    specials: Sequence[float],
    train: BoolArray,
    event: BoolArray,
    settings: NumericSettings,
) -> Characteristic:
    """Bins for one numeric column (`values` with NaN for missing), fitted on `train` rows."""
    integer = kind is ScalarType.INT
    regular = ~np.isnan(values)
    for code in specials:
        regular &= values != code
    fitting = train & regular
    edges = prebin_edges(values[fitting], settings.prebins, integer)
    # every row's pre-bin, once: the counts read the training rows, and the final bins
    # are groups of pre-bins
    pre = np.searchsorted(np.asarray(edges, dtype=np.float64), values, side="right")
    pre = np.where(regular, pre, -1)
    size = len(edges) + 1
    rows = np.bincount(pre + 1, weights=fitting.astype(np.float64), minlength=size + 1)[1:]
    events = np.bincount(pre + 1, weights=(fitting & event).astype(np.float64), minlength=size + 1)[
        1:
    ]
    merged = merge(
        rows,
        events,
        total_events=float(event[train].sum()),
        total_rows=float(train.sum()),
        min_rows=settings.min_rows,
        max_bins=settings.max_bins,
        trend=settings.trend,
    )
    kept = [edges[s - 1] for s in merged.starts[1:]]
    bins = [Bin(ast.BinMissing(), "missing")]
    bins += [Bin(ast.BinCompare(op="=", value=literal(code, kind)), "special") for code in specials]
    bins += [Bin(_range_match(kept, i, kind), "range") for i in range(len(kept) + 1)]
    group = np.zeros(size, dtype=np.int64)
    for g, start in enumerate(merged.starts):
        group[start:] = g
    index = np.where(regular, 1 + len(specials) + group[np.maximum(pre, 0)], 0)
    for i, code in enumerate(specials):
        index[values == code] = 1 + i
    return Characteristic(column, kind, tuple(bins), index.astype(np.int64), merged.trend)
