"""The quality report of one table for one card: read the table (`engine.io.tables`), check
its declared columns are there, then measure columns, bins, keys and, when asked, likely
duplicate customers."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from engine.backends.polars.validate import validate
from engine.diagnostics import ScorecardError
from engine.io import tables
from engine.quality.bins import bins_figures
from engine.quality.columns import column_figures
from engine.quality.figures import Quality
from engine.quality.keys import key_figures
from engine.run.card import Card
from engine.run.options import Progress
from engine.run.progress import count_rows, step

DEFAULT_THRESHOLD = 0.9


def quality_of(
    card: Card,
    data: tables.Readable,
    match: Sequence[str] = (),
    threshold: float = DEFAULT_THRESHOLD,
    *,
    progress: Progress | None = None,
) -> Quality:
    """Every figure of `scorecard quality`; a table that lacks a declared column is E810."""
    program = card.program
    # Read as `apply` reads it: the source's read options rewrite text by declared type.
    frame = tables.scan(data, {c.name: c.type for c in program.inputs})
    schema = frame.collect_schema()
    if any(c.name not in schema for c in program.inputs):
        raise ScorecardError(validate(frame, program, str(data)), card.source)
    try:
        rows = count_rows(frame, data, progress)
        step(progress, "measuring columns")
        columns = column_figures(frame, program, rows)
        step(progress, "checking bins")
        bins = bins_figures(frame, program)
        step(progress, "checking keys")
        keys = key_figures(frame, program)
    except pl.exceptions.PolarsError as exc:
        raise ScorecardError([tables.unreadable(tables.source_of(data).path, exc)]) from None
    matching = None
    if match:
        from engine.quality.matching import find_matches  # splink only when asked

        step(progress, "matching")
        matching = find_matches(frame, program, list(match), threshold, str(data))
    return Quality(program.name, str(data), rows, columns, bins, keys, matching)
