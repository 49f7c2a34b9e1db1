"""The tables of a profile: read and typed as a fit reads them, the group chosen by a condition.

A CSV holds text; each column is read as the language type its values fit (`fit`'s
inference), so `age < 40` in `--group` compares numbers and ages are cut at numeric deciles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from engine import ir
from engine.backends.polars.expressions import scalar_type, translate
from engine.check.condition import check_condition
from engine.diagnostics import ScorecardError, error
from engine.fitting.data import infer_types, read, typed
from engine.run.options import Data, Progress
from engine.types import ScalarType


@dataclass(frozen=True)
class Table:
    frame: pl.DataFrame
    name: str
    untyped: list[str]
    """Columns of a stored type cards do not have (lists, structs...): not profiled."""


def read_typed(data: Data, progress: Progress | None = None) -> Table:
    """The table with every column in its language type (a float NaN read as missing); the
    step "reading" when a bar is shown."""
    raw, name, text = read(data, progress)
    types = infer_types(raw, text)
    kept = [c for c in raw.columns if types[c] is not None]
    untyped = [c for c in raw.columns if types[c] is None]
    return Table(typed(raw, types, kept), name, untyped)


def column_types(frame: pl.DataFrame) -> dict[str, ScalarType]:
    return {n: t for n, d in frame.schema.items() if (t := scalar_type(d)) is not None}


def choose(
    frame: pl.DataFrame, condition: str, option: str = "--group"
) -> tuple[pl.Series, ir.Expr]:
    """Which rows meet `condition` (a missing answer is no), and the checked condition."""
    expr = check_condition(condition, column_types(frame), option)
    try:
        mask = frame.select(translate(expr).fill_null(False).alias("in_group")).to_series()
    except pl.exceptions.PolarsError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ScorecardError(
            [error("E1201", f"{option}: cannot evaluate the condition: {first}")]
        ) from None
    return mask, expr


def non_empty(frame: pl.DataFrame, what: str, hint: str) -> None:
    if frame.height == 0:
        raise ScorecardError([error("E1201", f"{what} has no rows", None, hint)])


def suggest_missing(names: Mapping[str, object], wanted: str, option: str) -> ScorecardError:
    import difflib

    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.6)
    notes = [f"did you mean {close[0]!r}?"] if close else []
    if len(names) <= 40:
        notes.append("what can be profiled: " + ", ".join(names))
    return ScorecardError(
        [error("E1200", f"{option} {wanted!r}: nothing of that name to profile", None, *notes)]
    )
