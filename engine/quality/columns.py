"""Per declared column: nulls, values that fail the declared type, distinct values, constants.

Reading is exactly the scorer's (`validate.cast_column`), so a value counted here as failing
its type is one `apply` would refuse (E811), and a null is a value the card would see as
missing (an empty field, a null, a NaN), not counting the unreadable ones.
"""

from __future__ import annotations

import polars as pl

from engine.backends.polars.validate import ROW_INDEX, cast_column, unreadable_values
from engine.program import InputColumn, Program
from engine.quality.figures import ColumnQuality, Example

EXAMPLES = 5


def examples(
    frame: pl.LazyFrame, condition: pl.Expr, value: pl.Expr, key: str, limit: int = EXAMPLES
) -> list[Example]:
    """The first rows where `condition` holds, with their number (from 1), key and value."""
    found = (
        frame.with_row_index(ROW_INDEX, offset=1)
        .filter(condition)
        .select(
            pl.col(ROW_INDEX),
            pl.col(key).cast(pl.String).alias("__key"),
            value.cast(pl.String).alias("__value"),
        )
        .head(limit)
        .collect()
    )
    return [Example(int(r), k, v) for r, k, v in found.iter_rows()]


def column_figures(frame: pl.LazyFrame, program: Program, rows: int) -> list[ColumnQuality]:
    """One streaming aggregation for every column's counts, then examples where needed."""
    schema = frame.collect_schema()
    aggs: list[pl.Expr] = []
    for i, c in enumerate(program.inputs):
        bad = unreadable_values(c.name, schema[c.name], c.type)
        read = cast_column(c.name, schema[c.name], c.type)
        aggs += [
            bad.sum().alias(f"{i}:bad"),
            (read.is_null() & ~bad).sum().alias(f"{i}:null"),
            read.drop_nulls().n_unique().alias(f"{i}:distinct"),
        ]
    counts = frame.select(aggs).collect(engine="streaming").row(0, named=True)
    return [
        _column(frame, c, schema[c.name], counts, i, rows, program.key.name)
        for i, c in enumerate(program.inputs)
    ]


def _column(
    frame: pl.LazyFrame,
    column: InputColumn,
    source: pl.DataType,
    counts: dict[str, object],
    i: int,
    rows: int,
    key: str,
) -> ColumnQuality:
    bad = int(counts[f"{i}:bad"] or 0)  # type: ignore[call-overload]
    nulls = int(counts[f"{i}:null"] or 0)  # type: ignore[call-overload]
    distinct = int(counts[f"{i}:distinct"] or 0)  # type: ignore[call-overload]
    shown = (
        examples(
            frame, unreadable_values(column.name, source, column.type), pl.col(column.name), key
        )
        if bad
        else []
    )
    return ColumnQuality(
        column.name,
        str(column.type),
        nulls,
        nulls / rows if rows else None,
        bad,
        shown,
        distinct,
        distinct <= 1,
    )
