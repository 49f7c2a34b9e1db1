"""Keys compared as people read them, and `apply --dedupe`: one row kept per normalised key.

Customer exports often hold the same key twice in spellings a person would call equal:
`' FR1'` and `'FR1'`, `'fr1'` and `'FR1'`, or an accented letter stored precomposed (NFC,
`é` as one code point) in one row and decomposed (NFD, `e` + combining accent) in another.
`normalised_key` is the one definition of "the same key" that `scorecard quality` reports and
`apply --dedupe` acts on: a text key is trimmed of white space at both ends, put in Unicode
NFC and lower-cased; a key of another type is compared as read (`validate.cast_column`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from engine.backends.polars.validate import cast_column
from engine.program import InputColumn
from engine.types import ScalarType

Keep = Literal["first", "last"]
KEEPS: tuple[Keep, ...] = ("first", "last")


def normalised_key(column: InputColumn, source: pl.DataType) -> pl.Expr:
    """The key as compared for duplicates after normalisation (null stays null)."""
    value = cast_column(column.name, source, column.type)
    if column.type is ScalarType.STRING:
        return value.str.strip_chars().str.normalize("NFC").str.to_lowercase()
    return value


@dataclass(frozen=True)
class Deduped:
    frame: pl.LazyFrame
    dropped: int
    """Rows left out because an earlier (`first`) or later (`last`) row has their key."""


def dedupe(frame: pl.LazyFrame, key: InputColumn, keep: Keep) -> Deduped:
    """The rows of `frame` with one row per normalised key: the first or the last in the
    table's order (the order of the kept rows is the table's). Rows whose key is null are all
    kept, so validation still reports them (E813)."""
    source = frame.collect_schema()[key.name]
    norm = normalised_key(key, source)
    chosen = norm.is_null() | (
        norm.is_first_distinct() if keep == "first" else norm.is_last_distinct()
    )
    dropped = int(frame.select((~chosen).sum()).collect().item() or 0)
    return Deduped(frame.filter(chosen) if dropped else frame, dropped)
