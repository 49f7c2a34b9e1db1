"""Reading customer tables and writing results, chosen by file extension.

Inputs are scanned lazily so that big files can be streamed. CSV columns are read as text and
cast by `engine.backends.polars.validate`, so that a bad value is reported with its column and
rows instead of failing half-way through a run or being guessed into another type. Before
Polars reads a CSV file, `engine.io.csv_shape` checks every record has the header's number of
fields and finds the line ending (a file written with lone carriage returns is read with
them); a data file that cannot be opened, is empty or is not of its extension's format is a
diagnostic with the path and the system's reason (E800, E802, E808, E809, E815-E817).

Outputs are always written to a temporary file in the destination folder and renamed over the
destination (`os.replace`, atomic on one file system): a run that fails or is killed never
leaves a half-written file behind and never clobbers the previous output. Where an output may
go, and what is said when it cannot be written, is `engine.io.outputs`.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeAlias

import polars as pl

from engine.diagnostics import Diagnostic, ScorecardError, error, os_reason
from engine.io import csv_shape, excel, text_files
from engine.io.outputs import STDOUT as STDOUT
from engine.io.outputs import atomic_output, write_stdout
from engine.io.reading import ReadOptions, Source, rewrite
from engine.types import ScalarType

Format = Literal["csv", "parquet", "ndjson", "arrow", "xlsx"]
Readable: TypeAlias = Path | str | Source
"""A data file named by its path, or a `Source` (its path and how to read it)."""

EXTENSIONS: dict[str, Format] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".arrow": "arrow",
    ".ipc": "arrow",
    ".feather": "arrow",
    ".xlsx": "xlsx",
}


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


def source_of(data: Readable) -> Source:
    return data if isinstance(data, Source) else Source(Path(data))


def scan(data: Readable, types: Mapping[str, ScalarType] | None = None) -> pl.LazyFrame:
    """A lazy scan of a customer table (CSV, Parquet, NDJSON, Arrow IPC or an Excel sheet).

    The file is opened and its header (CSV) or footer (Parquet, Arrow) read now, so that a
    file that cannot be read is reported before any work, with its path and the reason. With
    `types` (the columns a card declares), text values are rewritten as the source's read
    options say (`engine.io.reading.rewrite`)."""
    source = source_of(data)
    return as_declared(scan_raw(source), source, types)


def scan_raw(data: Readable) -> pl.LazyFrame:
    """The table as written in the file: no value rewritten (`as_declared` does that)."""
    source = source_of(data)
    path = source.path
    fmt = format_of(path)
    _check_openable(path)
    try:
        frame = _scan(path, fmt, source.options)
        frame.collect_schema()
    except ScorecardError:
        raise
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise ScorecardError([unreadable(path, exc, fmt)]) from None
    return frame


def as_declared(
    frame: pl.LazyFrame, source: Source, types: Mapping[str, ScalarType] | None
) -> pl.LazyFrame:
    """A raw table's values rewritten as the source's options say, for the declared columns."""
    if format_of(source.path) == "xlsx" and types:
        frame = excel.text_for_strings(frame, types)
    return rewrite(frame, source.options, types)


def unreadable(path: Path | str, exc: BaseException, fmt: Format | None = None) -> Diagnostic:
    """E800: the data file cannot be read as a table of its format."""
    fmt = fmt or EXTENSIONS.get(Path(path).suffix.lower())
    kind = {
        "csv": "CSV",
        "parquet": "Parquet",
        "ndjson": "NDJSON",
        "arrow": "Arrow IPC",
        "xlsx": "Excel (.xlsx)",
    }
    what = f"a valid {kind[fmt]} file" if fmt else "a table"
    return error(
        "E800",
        f"data file {str(path)!r} cannot be read as {what}: {os_reason(exc)}",
        None,
        "the file may be truncated, or of another format than its extension says",
    )


def _check_openable(path: Path) -> None:
    """E802 missing, E808 not a regular file or not readable, E809 empty."""
    shown = str(path)
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise ScorecardError([error("E802", f"data file {shown!r} does not exist")]) from None
    except OSError as exc:
        raise ScorecardError([_unopenable(shown, os_reason(exc))]) from None
    if stat.S_ISDIR(status.st_mode):
        raise ScorecardError([_unopenable(shown, os.strerror(errno.EISDIR))])
    if not stat.S_ISREG(status.st_mode):
        raise ScorecardError([_unopenable(shown, "not a regular file")])
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise ScorecardError([_unopenable(shown, os_reason(exc))]) from None
    if status.st_size == 0:
        raise ScorecardError(
            [
                error(
                    "E809",
                    f"data file {shown!r} is empty (0 bytes)",
                    None,
                    "a CSV file needs at least its header line",
                )
            ]
        )


def _unopenable(shown: str, reason: str) -> Diagnostic:
    return error("E808", f"cannot open data file {shown!r}: {reason}")


def _scan(path: Path, fmt: Format, options: ReadOptions) -> pl.LazyFrame:
    if fmt == "csv":
        return _scan_csv(path, options)
    if fmt == "xlsx":
        return excel.read_sheet(path, options.sheet)
    if fmt == "parquet":
        return pl.scan_parquet(path, glob=False)
    if fmt == "ndjson":
        return pl.scan_ndjson(path, infer_schema_length=None)
    return pl.scan_ipc(path, glob=False)


def _scan_csv(path: Path, options: ReadOptions) -> pl.LazyFrame:
    """Every column as text: validation casts to the card's types and reports bad values.

    A UTF-8 file is scanned where it lies; a file in another encoding (said, or told by its
    byte order mark) is transcoded to UTF-8 in memory first."""
    encoding = text_files.encoding_of(path, options)
    content: Path | bytes = path
    if encoding != "utf-8":
        content = text_files.transcode(path, encoding, options)
    text_files.check_separator(path, content, options)
    shape = _csv_shape(path, content, options.sep, encoding)
    return pl.scan_csv(
        content,
        separator=options.sep,
        infer_schema=False,
        eol_char=shape.line_ending,
        truncate_ragged_lines=False,
        raise_if_empty=True,
        glob=False,
    )


_shapes: dict[tuple[int, int, int, int, str, str], csv_shape.CsvShape] = {}
"""Shapes of files already checked in this process (by device, inode, size, mtime, separator
and encoding), so a command that scans one file twice (`evaluate` reads its columns first)
reads it once."""


def _csv_shape(path: Path, content: Path | bytes, sep: str, encoding: str) -> csv_shape.CsvShape:
    status = path.stat()
    key = (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, sep, encoding)
    shape = _shapes.get(key)
    if shape is None:
        if isinstance(content, bytes):
            shape = csv_shape.inspect_bytes(content, ord(sep))
        else:
            shape = csv_shape.inspect(path, ord(sep), check_utf8=True)
        if shape.not_utf8 is not None:
            raise ScorecardError([text_files.not_utf8(str(path), shape.not_utf8)])
        if not shape.ok:
            raise ScorecardError(shape_problems(str(path), shape))
        _shapes[key] = shape
        _rows[str(path.resolve())] = shape.rows
    return shape


def shape_problems(name: str, shape: csv_shape.CsvShape) -> list[Diagnostic]:
    """E815 records of the wrong length, E816 mixed line endings, E817 a quote never closed."""
    problems = []
    if shape.unclosed_quote_line is not None:
        problems.append(
            error(
                "E817",
                f"{name}: the quoted field that starts on line {shape.unclosed_quote_line} "
                "is never closed",
                None,
                'a quote inside a field is written twice ("")',
            )
        )
    if shape.stray_count:
        # Records of a file with mixed endings are cut in the wrong places: their field counts
        # say nothing more, so only the endings are reported.
        ending, other = ("\\r", "\\n") if shape.line_ending == "\r" else ("\\n", "\\r")
        lines = ", ".join(str(n) for n in shape.stray_endings)
        problems.append(
            error(
                "E816",
                f"{name}: lines end with {ending}, but a lone {other} also ends "
                f"{_count(shape.stray_count, 'line')} (line {lines}"
                f"{_more(shape.stray_count, shape.stray_endings)})",
                None,
                "save the file with one kind of line ending",
            )
        )
        return problems
    if shape.ragged_count:
        examples = "; ".join(
            f"line {r.line}: {_count(r.fields, 'field')}"
            + (" (an empty line)" if r.blank else f" ({r.text!r})")
            for r in shape.ragged
        )
        problems.append(
            error(
                "E815",
                f"{name}: the header has {_count(shape.columns, 'field')}, but "
                f"{_count(shape.ragged_count, 'record')} {'does' if shape.ragged_count == 1 else 'do'} not: "
                f"{examples}{_more(shape.ragged_count, shape.ragged)}",
                None,
                "a field that holds the separator, a quote or a line break must be quoted",
            )
        )
    return problems


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _more(total: int, shown: Sequence[object]) -> str:
    return f", and {total - len(shown)} more" if total > len(shown) else ""


def row_count(data: Readable) -> int | None:
    """The table's rows when cheap to know: a CSV file already checked (its shape counted
    them), a Parquet file (its footer says); else None."""
    source = source_of(data)
    fmt = EXTENSIONS.get(source.path.suffix.lower())
    try:
        if fmt == "csv":
            return _rows.get(str(source.path.resolve()))
        if fmt == "parquet":
            return int(pl.scan_parquet(source.path).select(pl.len()).collect().item())
    except (OSError, pl.exceptions.PolarsError):
        return None
    return None


_rows: dict[str, int] = {}


def file_size(path: Readable) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


def write_frame(
    frame: pl.DataFrame,
    destination: Path | str,
    *,
    summary: pl.DataFrame | None = None,
    excel_csv: bool = False,
) -> None:
    """Write a collected result; `-` writes CSV to stdout. An .xlsx output gets `summary` as
    its second sheet; `excel_csv` writes CSV as French Excel reads it (`;`, decimal comma,
    UTF-8 byte order mark)."""
    csv_options = EXCEL_CSV if excel_csv else {}
    if str(destination) == STDOUT:
        write_stdout(frame.write_csv(**csv_options))
        return
    fmt = format_of(destination, "output")
    check_excel_csv(fmt, excel_csv)
    with atomic_output(destination) as tmp:
        if fmt == "csv":
            frame.write_csv(tmp, **csv_options)
        elif fmt == "xlsx":
            excel.write_workbook(frame, summary, tmp)
        elif fmt == "parquet":
            frame.write_parquet(tmp)
        elif fmt == "ndjson":
            frame.write_ndjson(tmp)
        else:
            frame.write_ipc(tmp)


EXCEL_CSV: dict[str, Any] = {"separator": ";", "decimal_comma": True, "include_bom": True}
"""CSV as a French Excel opens it with a double click."""


def check_excel_csv(fmt: Format, excel_csv: bool) -> None:
    if excel_csv and fmt != "csv":
        raise ScorecardError(
            [error("E848", f"--excel-csv writes CSV, but the output is {fmt}: name a .csv file")]
        )


def sink_frame(frame: pl.LazyFrame, destination: Path | str, *, excel_csv: bool = False) -> None:
    """Stream a lazy result to a file with bounded memory (Polars' streaming engine)."""
    fmt = format_of(destination, "output")
    check_excel_csv(fmt, excel_csv)
    with atomic_output(destination) as tmp:
        if fmt == "csv":
            frame.sink_csv(tmp, engine="streaming", **(EXCEL_CSV if excel_csv else {}))
        elif fmt == "xlsx":
            excel.write_workbook(frame.collect(engine="streaming"), None, tmp)
        elif fmt == "parquet":
            frame.sink_parquet(tmp, engine="streaming")
        elif fmt == "ndjson":
            frame.sink_ndjson(tmp, engine="streaming")
        else:
            frame.sink_ipc(tmp, engine="streaming")
