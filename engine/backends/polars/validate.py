"""Reading a table's declared columns as the card's types, and checking them before scoring.

`cast_column` is the one conversion both validation and scoring use, so what validation accepts
is exactly what the scorer reads. `validate` runs one aggregation over the table and reports,
as diagnostics with counts and up to five example rows: a declared column missing (with "did
you mean"), values that cannot be read as the declared type, nulls in `required` columns, and
null or duplicate keys. A NaN in a float column is not an error: it is read as null.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from engine.backends.polars.expressions import DATETIME_UNIT
from engine.check.suggest import closest
from engine.diagnostics import Diagnostic, error
from engine.program import InputColumn, Program
from engine.types import ScalarType

EXAMPLES = 5
ROW_INDEX = "__scorecard_row"

_DATETIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)
_TRUE = ("true", "1", "yes", "t", "y")
_FALSE = ("false", "0", "no", "f", "n")


def cast_column(name: str, source: pl.DataType, target: ScalarType) -> pl.Expr:
    """The column `name` (of dtype `source`) read as `target`; unreadable values become null.

    Float NaN also becomes null here: the language treats a NaN read from data as missing.
    """
    col = pl.col(name)
    is_text = source == pl.String
    match target:
        case ScalarType.INT:
            if is_text:
                return col.str.strip_chars().cast(pl.Int64, strict=False)
            if source.is_float():
                whole = col.is_finite() & (col == col.floor())
                return pl.when(whole).then(col.cast(pl.Int64, strict=False)).otherwise(None)
            return col.cast(pl.Int64, strict=False)
        case ScalarType.FLOAT:
            value = col.str.strip_chars() if is_text else col
            return value.cast(pl.Float64, strict=False).fill_nan(None)
        case ScalarType.STRING:
            return col if is_text else col.cast(pl.String, strict=False)
        case ScalarType.BOOL:
            if is_text:
                word = col.str.strip_chars().str.to_lowercase()
                return (
                    pl.when(word.is_in(pl.Series(_TRUE).implode()))
                    .then(pl.lit(True))
                    .when(word.is_in(pl.Series(_FALSE).implode()))
                    .then(pl.lit(False))
                    .otherwise(pl.lit(None, dtype=pl.Boolean))
                )
            if source.is_integer():
                return pl.when(col.is_in([0, 1])).then(col.cast(pl.Boolean)).otherwise(None)
            return col.cast(pl.Boolean, strict=False)
        case ScalarType.DATE:
            if is_text:
                return col.str.strip_chars().str.strptime(pl.Date, "%Y-%m-%d", strict=False)
            return col.cast(pl.Date, strict=False)
        case ScalarType.DATETIME:
            dtype = pl.Datetime(DATETIME_UNIT)
            if is_text:
                text = col.str.strip_chars()
                return pl.coalesce(
                    [text.str.strptime(dtype, fmt, strict=False) for fmt in _DATETIME_FORMATS]
                )
            return col.cast(dtype, strict=False)
    raise TypeError(f"unknown type {target}")


def _unreadable(name: str, source: pl.DataType, target: ScalarType) -> pl.Expr:
    """True where a value is present but cannot be read as `target` (NaN is not unreadable)."""
    present = pl.col(name).is_not_null()
    if source.is_float():
        present = present & pl.col(name).is_not_nan()
    if source == pl.String and target is ScalarType.FLOAT:
        present = present & (pl.col(name).str.strip_chars().str.to_lowercase() != "nan")
    return present & cast_column(name, source, target).is_null()


@dataclass(frozen=True)
class _Check:
    code: str
    column: InputColumn
    condition: pl.Expr
    describe: str


def validate(
    frame: pl.LazyFrame, program: Program, data_name: str, rows: int | None = None
) -> list[Diagnostic]:
    """Every problem of the table for this card, found before any scoring.

    `rows`, when the caller knows it cheaply (a Parquet footer, a frame's height), is an upper
    bound of the table's rows: at most KEYS_PER_PASS, duplicate keys are counted in the same
    pass as everything else."""
    schema = frame.collect_schema()
    missing = [c for c in program.inputs if c.name not in schema]
    if missing:
        return [_missing_column(c, list(schema), data_name) for c in missing]
    key = program.key
    checks: list[_Check] = []
    for column in program.inputs:
        source = schema[column.name]
        if not always_readable(source, column.type):
            checks.append(
                _Check(
                    "E811",
                    column,
                    _unreadable(column.name, source, column.type),
                    f"cannot be read as {column.type}",
                )
            )
        cast = cast_column(column.name, source, column.type)
        if column.key:
            checks.append(_Check("E813", column, cast.is_null(), "is null (the key must not be)"))
        elif column.required:
            checks.append(
                _Check(
                    "E812",
                    column,
                    pl.col(column.name).is_null()
                    | (pl.col(column.name).is_nan() if source.is_float() else pl.lit(False)),
                    "is null in a required column",
                )
            )
    # Every check but duplicate keys is row by row: one streaming pass counts them all. On a
    # table of at most KEYS_PER_PASS rows the same pass counts the distinct hashes of the keys:
    # as many as the non-null keys proves there is no duplicate without a second read.
    key_cast = cast_column(key.name, schema[key.name], key.type)
    hashes = key_cast.drop_nulls().hash(seed=_SEED)
    one_pass = rows is not None and rows <= KEYS_PER_PASS
    key_sums = (
        [key_cast.is_not_null().sum().alias("keys"), hashes.n_unique().alias("hashes")]
        if one_pass
        else []
    )
    counts = frame.select(
        pl.len().alias("rows"),
        *(c.condition.sum().alias(f"c{i}") for i, c in enumerate(checks)),
        *key_sums,
    ).collect(engine="streaming")
    duplicated = key_cast.is_not_null() & key_cast.is_duplicated()
    checks.append(_Check("E814", key, duplicated, "is a duplicate key (keys must be unique)"))
    if one_pass and counts["keys"][0] == counts["hashes"][0]:
        found = 0
    else:
        found = _duplicate_keys(frame, key_cast, duplicated, int(counts["rows"][0]))
    counts = counts.with_columns(pl.lit(found).alias(f"c{len(checks) - 1}"))
    problems: list[Diagnostic] = []
    indexed = frame.with_row_index(ROW_INDEX, offset=1)
    for i, check in enumerate(checks):
        count = int(counts[f"c{i}"][0] or 0)
        if count == 0:
            continue
        examples = (
            indexed.filter(check.condition)
            .select(
                ROW_INDEX,
                pl.col(check.column.name).cast(pl.String),
                pl.col(key.name).cast(pl.String).alias("__key"),
            )
            .head(EXAMPLES)
            .collect()
        )
        problems.append(_problem(check, count, examples, key.name, data_name))
    return problems


KEYS_PER_PASS = 8_000_000
"""Keys hashed and grouped per pass of the duplicate check: bounds its memory (~0.5 GB)."""

_SEED = 7


def always_readable(source: pl.DataType, target: ScalarType) -> bool:
    """Whether every present value of a `source` column reads as `target` (`cast_column`
    cannot make it null): then the column needs no E811 check, and validation need not read
    it at all unless it is the key or required. A typed file (Parquet, a DataFrame) mostly
    has such columns."""
    match target:
        case ScalarType.INT:
            return source in (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32)
        case ScalarType.FLOAT:
            return source.is_float() or source.is_integer()
        case ScalarType.STRING:
            return source == pl.String
        case ScalarType.BOOL:
            return source == pl.Boolean
        case ScalarType.DATE:
            return source == pl.Date
        case ScalarType.DATETIME:
            return source in (pl.Datetime("us"), pl.Datetime("ns"))
    return False


def _duplicate_keys(frame: pl.LazyFrame, key: pl.Expr, duplicated: pl.Expr, rows: int) -> int:
    """How many rows have a key another row has too.

    Holding every key of a large table in memory costs more than scoring it, so the keys are
    hashed to 64 bits and grouped by the streaming engine, a share of the hashes per pass
    on large tables; only when two hashes meet (a duplicate, or a rare collision) are the
    keys themselves compared.
    """
    passes = max(1, -(-rows // KEYS_PER_PASS))
    hashed = frame.filter(key.is_not_null()).select(key.hash(seed=_SEED).alias("h"))
    for part in range(passes):
        share = hashed if passes == 1 else hashed.filter(pl.col("h") % passes == part)
        meets = (
            share.group_by("h")
            .agg(pl.len().alias("n"))
            .filter(pl.col("n") > 1)
            .select(pl.col("n").sum())
            .collect(engine="streaming")
        )
        if meets.item():
            return int(frame.select(duplicated.sum()).collect(engine="streaming").item() or 0)
    return 0


def _problem(
    check: _Check, count: int, examples: pl.DataFrame, key: str, data_name: str
) -> Diagnostic:
    column = check.column
    shown: list[str] = []
    for row, value, key_value in examples.iter_rows():
        place = f"row {row}"
        if key_value is not None and not column.key:
            place += f" ({key} {key_value!r})"
        if check.code in ("E811", "E814"):
            place += f": {value!r}"
        shown.append(place)
    rows = "row" if count == 1 else "rows"
    more = f" (first {len(shown)} shown)" if count > len(shown) else ""
    message = (
        f"{data_name}: column {column.name!r} ({column.type}) {check.describe}: "
        f"{count} {rows}{more}: {'; '.join(shown)}"
    )
    notes = ["rows count from 1, the header not counted"]
    if check.code == "E814":
        notes.append("`apply --dedupe first` (or `last`) keeps one row per key instead")
    if check.code == "E811":
        values = [v for _, v, _ in examples.iter_rows() if isinstance(v, str)]
        notes += _reading_hints(column.type, values)
    return error(check.code, message, column.span, *notes)


_COMMA_NUMBER = re.compile(r"^\s*[+-]?\d[\d \u00a0\u202f]*,\d+\s*$")
_DAY_FIRST = re.compile(r"^\s*\d{1,2}([/.-])\d{1,2}\1\d{4}")


def _reading_hints(target: ScalarType, values: Sequence[str]) -> list[str]:
    """The reading option that would read these values (a French export's usual forms)."""
    if not values:
        return []
    if target in (ScalarType.FLOAT, ScalarType.INT) and all(_COMMA_NUMBER.match(v) for v in values):
        return ["the numbers are written with a decimal comma: use --decimal-comma"]
    if target in (ScalarType.DATE, ScalarType.DATETIME):
        found = _DAY_FIRST.match(values[0])
        if found:
            sep = found.group(1)
            return [f"dates look like day{sep}month{sep}year: use --date-format %d{sep}%m{sep}%Y"]
    if target is ScalarType.BOOL:
        words = ",".join(sorted({v.strip().lower() for v in values}))
        return [f"give the words for true and false: --true WORDS --false WORDS (here: {words})"]
    return []


def _missing_column(column: InputColumn, present: Sequence[str], data_name: str) -> Diagnostic:
    close = closest(column.name, present)
    notes = [f"did you mean {close!r}?"] if close is not None else []
    if len(present) <= 30:
        notes.append(f"the table's columns: {', '.join(present)}")
    return error(
        "E810",
        f"{data_name}: the card declares column {column.name!r} ({column.type}) "
        "but the table has no such column",
        column.span,
        *notes,
    )


def unreadable_values(name: str, source: pl.DataType, target: ScalarType) -> pl.Expr:
    """True where a value is present but cannot be read as `target`: what E811 counts, for
    the stages that report on data (`scorecard quality`)."""
    return _unreadable(name, source, target)
