"""Excel workbooks in and out: a sheet read as a table, results written as a workbook.

Reading goes through Polars' `read_excel` (fastexcel, a Rust reader); the stored cell types are
kept (numbers, dates, booleans), and a column the card declares as text gets whole numbers
as digits (`75001`, not `75001.0`: Excel stores every number as a float). Writing goes through
xlsxwriter: a `results` sheet whose header row is frozen and filtered, numbers as numbers and
dates as dates, then a `summary` sheet with the run's figures. Both libraries are the `excel`
extra, imported on use.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from engine.diagnostics import ScorecardError, error
from engine.types import ScalarType

MAX_ROWS = 1_048_576
"""Rows of an Excel sheet, the header included."""


def _need(module: str, what: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise ScorecardError(
            [
                error(
                    "E846",
                    f"{what} needs the {module} library, which is not installed",
                    None,
                    "install the Excel extra: pip install 'scorecard-engine[excel]'",
                )
            ]
        )


def sheet_names(path: Path) -> list[str]:
    import fastexcel

    names: list[str] = fastexcel.read_excel(path).sheet_names
    return names


def read_sheet(path: Path, sheet: str | None) -> pl.LazyFrame:
    """The named sheet (the first without a name) as a table; E845 for a sheet not there."""
    _need("fastexcel", f"reading {str(path)!r}")
    names = sheet_names(path)
    if sheet is not None and sheet not in names:
        raise ScorecardError(
            [
                error(
                    "E845",
                    f"{path}: no sheet named {sheet!r}",
                    None,
                    f"the workbook's sheets: {', '.join(map(repr, names))}",
                )
            ]
        )
    if not names:
        raise ScorecardError([error("E845", f"{path}: the workbook has no sheet")])
    return pl.read_excel(path, sheet_name=sheet or names[0]).lazy()


def text_for_strings(frame: pl.LazyFrame, types: Mapping[str, ScalarType]) -> pl.LazyFrame:
    """Number cells of a column declared `string` as the digits a user typed."""
    schema = frame.collect_schema()
    exprs = []
    for name, target in types.items():
        dtype = schema.get(name)
        if target is not ScalarType.STRING or dtype is None or not dtype.is_float():
            continue
        col = pl.col(name)
        whole = col.is_finite() & (col == col.floor())
        exprs.append(
            pl.when(whole)
            .then(col.cast(pl.Int64, strict=False).cast(pl.String))
            .otherwise(col.cast(pl.String))
            .alias(name)
        )
    return frame.with_columns(exprs) if exprs else frame


def write_workbook(frame: pl.DataFrame, summary: pl.DataFrame | None, path: Path) -> None:
    """`frame` as the `results` sheet (header frozen and filtered), `summary` as the second."""
    _need("xlsxwriter", "writing an .xlsx file")
    if frame.height + 1 > MAX_ROWS:
        raise ScorecardError(
            [
                error(
                    "E847",
                    f"{frame.height} rows do not fit in an Excel sheet ({MAX_ROWS - 1} at most)",
                    None,
                    "write .csv or .parquet, or keep fewer rows with --top or --select",
                )
            ]
        )
    import xlsxwriter

    with xlsxwriter.Workbook(str(path)) as workbook:
        frame.write_excel(
            workbook,
            worksheet="results",
            autofilter=True,
            freeze_panes=(1, 0),
            autofit=frame.height <= 10_000,
            dtype_formats={pl.Date: "yyyy-mm-dd", pl.Datetime: "yyyy-mm-dd hh:mm:ss"},
            include_header=True,
        )
        if summary is not None:
            summary.write_excel(workbook, worksheet="summary", autofit=True)
