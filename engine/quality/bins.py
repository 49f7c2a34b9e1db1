"""Per bins block on an input column: the values its bins do not take.

A bins block gives the points of its first matching bin; a value that matches none of its
value bins (every bin but `missing` and `else`) is out of every interval, or a category the
card never names. `else` gives such rows its points, and without `else` they get 0: either
way the card was not built for them, so they are counted, with the first rows, the range of
the numbers outside, and the unseen categories of a text column. Bins on a `let` are not
checked here: their values are computed, not read.
"""

from __future__ import annotations

import polars as pl

from engine.backends.polars.expressions import translate
from engine.backends.polars.validate import cast_column
from engine.program import BinsDef, Program, bind_params
from engine.quality.columns import examples
from engine.quality.figures import BinsQuality, Category
from engine.types import ScalarType

UNSEEN_SHOWN = 20
NOT_VALUES = ("missing", "else")


def bins_figures(frame: pl.LazyFrame, program: Program) -> list[BinsQuality]:
    """One entry per bins block whose `on` is a declared input column, in card order."""
    bound = bind_params(program)
    inputs = {c.name: c for c in bound.inputs}
    schema = frame.collect_schema()
    out = []
    for block in bound.bins:
        column = inputs.get(block.on)
        if column is None:
            continue
        read = frame.select(
            cast_column(column.name, schema[column.name], column.type).alias(column.name),
            pl.col(bound.key.name).alias("__row_key"),
        )
        out.append(_block(read, block, column.type))
    return out


def _any(conditions: list[pl.Expr]) -> pl.Expr:
    if not conditions:
        return pl.lit(False)
    return pl.any_horizontal([c.fill_null(False) for c in conditions])


def _block(read: pl.LazyFrame, block: BinsDef, type_: ScalarType) -> BinsQuality:
    value = pl.col(block.on)
    in_value_bin = _any([translate(e.cond) for e in block.entries if e.text not in NOT_VALUES])
    outside = value.is_not_null() & ~in_value_bin
    no_bin = ~_any([translate(e.cond) for e in block.entries])
    numeric = type_ in (ScalarType.INT, ScalarType.FLOAT)
    aggs = [outside.sum().alias("outside"), no_bin.sum().alias("no_bin")]
    if numeric:
        aggs += [
            value.filter(outside).min().cast(pl.Float64).alias("min"),
            value.filter(outside).max().cast(pl.Float64).alias("max"),
        ]
    counts = read.select(aggs).collect(engine="streaming").row(0, named=True)
    count = int(counts["outside"] or 0)
    unseen: list[Category] = []
    unseen_total = 0
    if type_ is ScalarType.STRING and count:
        groups = (
            read.filter(outside)
            .group_by(value)
            .agg(pl.len().alias("n"))
            .sort(["n", block.on], descending=[True, False])
            .collect()
        )
        unseen_total = groups.height
        unseen = [Category(v, int(n)) for v, n in groups.head(UNSEEN_SHOWN).iter_rows()]
    return BinsQuality(
        block.name,
        block.on,
        count,
        examples(read, outside, value, "__row_key") if count else [],
        block.has_else,
        int(counts["no_bin"] or 0),
        counts.get("min") if numeric and count else None,
        counts.get("max") if numeric and count else None,
        unseen,
        unseen_total,
    )
