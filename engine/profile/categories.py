"""How a column becomes categories: the label of every row, and the labels in display order.

- numeric, date and datetime columns are cut at the base's deciles (the `inverted_cdf`
  quantiles, so every edge is a value the base holds), left-closed as a card's bins are:
  `< 25`, `[25, 32)`, ..., `>= 67`; ties merge deciles, so a column of few values gets few
  categories;
- text and bool columns take their values; beyond `MAX_VALUES` the least frequent in the
  base become `(other)`;
- with a card, a bins block's entries are the categories (the text of the bin that matched);
- a missing value is always a category of its own, `missing`, shown last.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

MISSING = "missing"
OTHER = "(other)"
NO_BIN = "(no bin)"
MAX_VALUES = 20
"""Text categories shown by name; the rest of the values are grouped as `(other)`."""


@dataclass(frozen=True)
class Cut:
    """A column's categories: `expr` gives each row's label, `labels` the display order."""

    labels: tuple[str, ...]
    expr: pl.Expr
    how: str
    """`base deciles`, `values` or `card bins` (said in the report)."""


def _number(x: float | int, dtype: pl.DataType) -> str:
    if dtype == pl.Date:
        return (dt.date(1970, 1, 1) + dt.timedelta(days=int(x))).isoformat()
    if isinstance(dtype, pl.Datetime):
        return str(pl.Series([int(x)]).cast(dtype).item())
    if dtype.is_integer():
        return str(int(x))
    return repr(float(x))


def decile_edges(values: np.ndarray, count: int = 10) -> list[float]:
    """The cut points of `count` quantile groups: distinct quantiles above the smallest value.

    `values` are the base's filled values (numbers; dates as days). The quantiles are taken
    with `inverted_cdf` (each one is a value of the base: the smallest with at least k/count
    of the base at or below it).
    """
    if values.size == 0:
        return []
    qs = np.quantile(values, [k / count for k in range(1, count)], method="inverted_cdf")
    low = values.min()
    return sorted({float(q) for q in qs if q > low})


def numeric_cut(name: str, dtype: pl.DataType, base: pl.Series, count: int = 10) -> Cut:
    """Categories at the base's `count`-quantiles (dates and datetimes on their day or
    microsecond numbers)."""
    physical = base.drop_nulls().to_physical().cast(pl.Float64).to_numpy()
    edges = decile_edges(physical, count)
    col = pl.col(name).to_physical().cast(pl.Float64)
    texts = [_number(e, dtype) for e in edges]
    if not edges:
        labels = ["all values"]
    else:
        labels = [f"< {texts[0]}"]
        labels += [f"[{a}, {b})" for a, b in itertools.pairwise(texts)]
        labels.append(f">= {texts[-1]}")
    out: pl.Expr = pl.lit(labels[-1])
    for edge, label in reversed(list(zip(edges, labels, strict=False))):
        out = pl.when(col < edge).then(pl.lit(label)).otherwise(out)
    out = pl.when(col.is_null()).then(pl.lit(MISSING)).otherwise(out)
    return Cut((*labels, MISSING), out.alias(name), "base deciles")


def value_cut(name: str, base: pl.Series, group: pl.Series) -> Cut:
    """Categories as the column's values, most frequent in the base first (then in the group,
    then by text); beyond `MAX_VALUES`, `(other)`."""
    text_base = base.cast(pl.String).drop_nulls()
    text_group = group.cast(pl.String).drop_nulls()
    counts: dict[str, list[int]] = {}
    for i, series in enumerate((text_base, text_group)):
        for value, n in series.value_counts().iter_rows():
            counts.setdefault(value, [0, 0])[i] += n
    ranked = sorted(counts, key=lambda v: (-counts[v][0], -counts[v][1], v))
    shown = ranked[:MAX_VALUES]
    col = pl.col(name).cast(pl.String)
    labels = list(shown)
    other = pl.lit(OTHER) if len(ranked) > MAX_VALUES else col
    if len(ranked) > MAX_VALUES:
        labels.append(OTHER)
    expr = (
        pl.when(col.is_null())
        .then(pl.lit(MISSING))
        .when(col.is_in(shown))
        .then(col)
        .otherwise(other)
    )
    return Cut((*labels, MISSING), expr.alias(name), "values")


def bins_cut(name: str, column: str, entries: Sequence[str]) -> Cut:
    """A card's bins block: the entry that matched each row (`column` is its `NAME.bin`)."""
    labels = list(dict.fromkeys(entries))
    col = pl.col(column).cast(pl.String)
    expr = pl.when(col.is_null()).then(pl.lit(NO_BIN)).otherwise(col)
    return Cut((*labels, NO_BIN), expr.alias(name), "card bins")


def ordered_cut(name: str, labels: Sequence[str]) -> Cut:
    """A result with a known order (segments as declared, classes 1..N)."""
    col = pl.col(name).cast(pl.String)
    expr = pl.when(col.is_null()).then(pl.lit(MISSING)).otherwise(col)
    return Cut((*labels, MISSING), expr.alias(name), "values")
