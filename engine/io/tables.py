"""Reading customer tables and writing results, chosen by file extension.

Inputs are scanned lazily so that big files can be streamed. CSV columns are read as text and
cast by `engine.backends.polars.validate`, so that a bad value is reported with its column and
rows instead of failing half-way through a run or being guessed into another type.

Outputs are always written to a temporary file in the destination folder and renamed over the
destination (`os.replace`, atomic on one file system): a run that fails or is killed never
leaves a half-written file behind and never clobbers the previous output.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

import polars as pl

from engine.diagnostics import ScorecardError, error
from engine.io.atomic import atomic_output

Format = Literal["csv", "parquet", "ndjson", "arrow"]

EXTENSIONS: dict[str, Format] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".arrow": "arrow",
    ".ipc": "arrow",
    ".feather": "arrow",
}

STDOUT = "-"


def format_of(path: Path | str, what: str = "data") -> Format:
    """The table format a path's extension names, or a diagnostic listing the known ones."""
    suffix = Path(path).suffix.lower()
    try:
        return EXTENSIONS[suffix]
    except KeyError:
        known = ", ".join(sorted(EXTENSIONS))
        raise ScorecardError(
            [
                error(
                    "E801",
                    f"{what} file {str(path)!r}: unknown extension {suffix or '(none)'!r}",
                    None,
                    f"use one of {known}",
                )
            ]
        ) from None


def scan(path: Path | str) -> pl.LazyFrame:
    """A lazy scan of a customer table (CSV, Parquet, NDJSON or Arrow IPC)."""
    path = Path(path)
    fmt = format_of(path)
    if not path.exists():
        raise ScorecardError([error("E802", f"data file {str(path)!r} does not exist")])
    if fmt == "csv":
        # Every column as text: validation casts to the card's types and reports bad values.
        return pl.scan_csv(path, infer_schema=False)
    if fmt == "parquet":
        return pl.scan_parquet(path)
    if fmt == "ndjson":
        return pl.scan_ndjson(path, infer_schema_length=None)
    return pl.scan_ipc(path)


def file_size(path: Path | str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


def write_frame(frame: pl.DataFrame, destination: Path | str) -> None:
    """Write a collected result; `-` writes CSV to stdout."""
    if str(destination) == STDOUT:
        sys.stdout.write(frame.write_csv())
        sys.stdout.flush()
        return
    fmt = format_of(destination, "output")
    with atomic_output(destination) as tmp:
        if fmt == "csv":
            frame.write_csv(tmp)
        elif fmt == "parquet":
            frame.write_parquet(tmp)
        elif fmt == "ndjson":
            frame.write_ndjson(tmp)
        else:
            frame.write_ipc(tmp)


def sink_frame(frame: pl.LazyFrame, destination: Path | str) -> None:
    """Stream a lazy result to a file with bounded memory (Polars' streaming engine)."""
    fmt = format_of(destination, "output")
    with atomic_output(destination) as tmp:
        if fmt == "csv":
            frame.sink_csv(tmp, engine="streaming")
        elif fmt == "parquet":
            frame.sink_parquet(tmp, engine="streaming")
        elif fmt == "ndjson":
            frame.sink_ndjson(tmp, engine="streaming")
        else:
            frame.sink_ipc(tmp, engine="streaming")
