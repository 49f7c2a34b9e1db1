"""Duplicate keys, exactly as read and after normalisation (`engine.run.dedupe`), as groups.

`apply` refuses a table where two rows share a key as read (E814); keys that differ only by
spaces at the ends, by case or by Unicode form (NFC/NFD) pass that check yet are most likely
one customer. Both kinds are listed here, each group with the spellings its rows use and their
row numbers, and with the number of rows `apply --dedupe` would drop.
"""

from __future__ import annotations

import polars as pl

from engine.backends.polars.validate import ROW_INDEX, cast_column
from engine.program import Program
from engine.quality.figures import KeyGroup, KeyQuality
from engine.run.dedupe import normalised_key

GROUPS_SHOWN = 20
ROWS_SHOWN = 10


def key_figures(frame: pl.LazyFrame, program: Program) -> KeyQuality:
    key = program.key
    source = frame.collect_schema()[key.name]
    exact, exact_rows, exact_n = _groups(frame, cast_column(key.name, source, key.type), key.name)
    norm, norm_rows, norm_n = _groups(frame, normalised_key(key, source), key.name)
    return KeyQuality(
        key.name, exact_rows, exact_n, exact, norm_rows, norm_n, norm, norm_rows - norm_n
    )


def _groups(frame: pl.LazyFrame, compared: pl.Expr, key: str) -> tuple[list[KeyGroup], int, int]:
    """The groups of two or more rows with one compared key, largest first: the groups shown,
    the rows in every group and the number of groups."""
    grouped = (
        frame.with_row_index(ROW_INDEX, offset=1)
        .select(
            compared.cast(pl.String).alias("__compared"),
            pl.col(key).cast(pl.String).alias("__spelling"),
            pl.col(ROW_INDEX),
        )
        .filter(pl.col("__compared").is_not_null())
        .group_by("__compared")
        .agg(
            pl.len().alias("n"),
            pl.col("__spelling").unique(maintain_order=True).alias("spellings"),
            pl.col(ROW_INDEX).sort().head(ROWS_SHOWN).alias("rows"),
        )
        .filter(pl.col("n") > 1)
        .sort(["n", "__compared"], descending=[True, False])
        .collect()
    )
    shown = [
        KeyGroup(k, int(n), list(spellings), [int(r) for r in rows])
        for k, n, spellings, rows in grouped.head(GROUPS_SHOWN).iter_rows()
    ]
    return shown, int(grouped["n"].sum()), grouped.height
