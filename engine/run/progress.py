"""Telling a `Progress` (the command line's bar, or nobody) what a long step is doing.

Every stage that reads or scores a table reports through these, so a run without a bar
(`progress=None`, the Python API's default) costs nothing: no counting is added to the query.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from engine.io import tables
from engine.io.reading import Source
from engine.run.options import Data, Progress


def step(
    progress: Progress | None, name: str, total: int | None = None, unit: str = "rows"
) -> None:
    """A new step of the run, shown with a count of `total` `unit`s, or without (None)."""
    if progress is not None:
        progress.phase(name, total, unit)


def advance(progress: Progress | None, done: int = 1) -> None:
    if progress is not None:
        progress.advance(done)


def rows_known(data: Data) -> int | None:
    """The table's row count when cheap to know (a frame's height, a Parquet footer, a CSV
    file whose shape was checked), else None."""
    if isinstance(data, pl.DataFrame):
        return data.height
    if isinstance(data, str | Path | Source):
        return tables.row_count(data)
    return None


def counted(frame: pl.LazyFrame, progress: Progress, column: str | None = None) -> pl.LazyFrame:
    """`frame` with one column (`column`, else the first) passed through a Python identity
    that counts each batch: on the streaming engine it is called per batch, so the count
    follows the reading or the scoring of the rows."""
    schema = frame.collect_schema()
    name = column if column is not None else schema.names()[0]

    def count(batch: pl.Series) -> pl.Series:
        progress.advance(len(batch))
        return batch

    return frame.with_columns(
        pl.col(name).map_batches(count, return_dtype=schema[name], is_elementwise=True)
    )


def read_counted(frame: pl.LazyFrame, data: Data, progress: Progress | None) -> pl.DataFrame:
    """The table read into memory, as the step "reading" with its rows counted when a bar
    is shown (read on the streaming engine, batch by batch); read as Polars reads it else."""
    if progress is None:
        return frame.collect()
    step(progress, "reading", rows_known(data))
    if not frame.collect_schema().names():
        return frame.collect()
    return counted(frame, progress).collect(engine="streaming")


def count_rows(frame: pl.LazyFrame, data: Data, progress: Progress | None) -> int:
    """The table's rows, counted in one streaming pass: the step "reading", its rows
    counted batch by batch when a bar is shown."""
    names = frame.collect_schema().names()
    if progress is None or not names:
        return int(frame.select(pl.len()).collect(engine="streaming").item())
    step(progress, "reading", rows_known(data))
    # The null count reads the counted column's values (a length alone would be taken
    # from the batches without calling the counter).
    counts = counted(frame, progress, names[0]).select(pl.len(), pl.col(names[0]).null_count())
    return int(counts.collect(engine="streaming").item(0, 0))
