"""How a customer table is read: separator, decimal comma, encoding, dates, yes/no words, nulls.

Tables come out of Excel and CRM exports, many of them French: `;`-separated, `1234,5`,
`31/01/2024`, `oui`/`non`, Windows-1252. `ReadOptions` is the one value that says how to read
them; the command line builds it from its options over the `[read]` table of a `scorecard.toml`
beside the card (`engine.io.settings`), and `engine.io.tables.scan` takes it inside a `Source`.

The engine itself reads a declared column from text in one canonical way (`.` decimals, ISO
dates, `true`/`false`; `engine.backends.polars.validate.cast_column`). These options only
rewrite text values into that canonical form, column by column after the card's declared
type, before validation: a value the option does not turn into a readable one is left as
written, so validation still reports it (E811) as the user wrote it.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.diagnostics import Diagnostic, error
from engine.types import ScalarType

if TYPE_CHECKING:  # `check` and `compile` load the command line's options without Polars
    import polars as pl

TRUE_WORDS = ("true", "1", "yes", "t", "y")
FALSE_WORDS = ("false", "0", "no", "f", "n")
"""The words every table may use for a bool column (any case); `--true`/`--false` add more."""

ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8",
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
    "iso-8859-15": "iso8859-15",
    "latin-9": "iso8859-15",
    "utf-16": "utf-16",
    "utf-16le": "utf-16-le",
    "utf-16be": "utf-16-be",
}
"""The encodings a table may be read in (names as users write them -> Python's codec)."""

SEPARATOR_NAMES = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ",", "pipe": "|"}

_SPACES = "[ \u00a0\u202f]"
"""Spaces a French export puts between thousands (space, no-break and narrow no-break)."""
_DECIMAL_COMMA = re.compile(rf"^[+-]?\d{{1,3}}({_SPACES}?\d{{3}})*(,\d*)?$|^[+-]?\d*,\d+$")


@dataclass(frozen=True)
class ReadOptions:
    """How to read a data table. Every field's default reads a plain (comma, UTF-8) CSV."""

    sep: str = ","
    decimal_comma: bool = False
    encoding: str = "utf-8"
    date_format: str | None = None
    true: tuple[str, ...] = ()
    false: tuple[str, ...] = ()
    null: tuple[str, ...] = ()
    sheet: str | None = None
    given: frozenset[str] = field(default=frozenset(), compare=False)
    """The fields set explicitly (on the command line or in the settings file)."""

    @property
    def codec(self) -> str:
        return ENCODINGS[self.encoding.lower()]

    @property
    def true_words(self) -> tuple[str, ...]:
        return TRUE_WORDS + tuple(w.lower() for w in self.true)

    @property
    def false_words(self) -> tuple[str, ...]:
        return FALSE_WORDS + tuple(w.lower() for w in self.false)

    @property
    def rewrites_text(self) -> bool:
        """Whether any text value may be rewritten (else the table is read as it is)."""
        return bool(self.decimal_comma or self.date_format or self.true or self.false or self.null)

    def over(self, base: ReadOptions) -> ReadOptions:
        """These options where given, `base`'s elsewhere (the command line over the file)."""
        values = {name: getattr(base, name) for name in FIELDS}
        values.update({name: getattr(self, name) for name in self.given})
        return ReadOptions(**values, given=self.given | base.given)


FIELDS = ("sep", "decimal_comma", "encoding", "date_format", "true", "false", "null", "sheet")


def make(
    values: Mapping[str, Any], label: Callable[[str], str]
) -> tuple[ReadOptions, list[Diagnostic]]:
    """Read options from named values (the command line's or a settings file's), checked:
    every problem is an E844 naming the option as `label` spells it (`--sep`, `sep in
    scorecard.toml`)."""
    problems: list[Diagnostic] = []
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        try:
            clean[name] = _CHECKS[name](value)
        except ValueError as exc:
            problems.append(error("E844", f"{label(name)}: {exc}"))
    options = ReadOptions(**clean, given=frozenset(clean))
    both = set(options.true_words) & set(options.false_words)
    if both:
        problems.append(
            error("E844", f"{', '.join(sorted(both))!s}: a word cannot mean both true and false")
        )
    return options, problems


def _separator(value: Any) -> str:
    text = str(value)
    text = SEPARATOR_NAMES.get(text.lower(), text)
    if len(text) != 1 or not text.isascii() or text in '"\r\n':
        raise ValueError(
            f"{value!r} is not a separator: give one ASCII character such as ';' or tab"
        )
    return text


def _encoding(value: Any) -> str:
    text = str(value).strip().lower().replace("_", "-")
    if text not in ENCODINGS:
        raise ValueError(f"unknown encoding {value!r}: use one of {', '.join(sorted(ENCODINGS))}")
    codecs.lookup(ENCODINGS[text])
    return text


def _date_format(value: Any) -> str:
    import polars as pl

    text = str(value)
    try:
        pl.select(pl.lit("2024-01-31").str.strptime(pl.Date, text, strict=False)).item()
    except pl.exceptions.PolarsError as exc:
        raise ValueError(f"{text!r} is not a strftime format: {exc}") from None
    if "%" not in text:
        raise ValueError(f"{text!r} is not a strftime format such as '%d/%m/%Y'")
    return text


def _words(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else [value]
    words = tuple(w.strip() for item in items for w in str(item).split(",") if w.strip())
    if not words:
        raise ValueError("give one or more words, separated by commas")
    return words


def _nulls(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else [value]
    return tuple(w.strip() for item in items for w in str(item).split(","))


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} is not true or false")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{value!r} is not a name")
    return value


_CHECKS = {
    "sep": _separator,
    "decimal_comma": _bool,
    "encoding": _encoding,
    "date_format": _date_format,
    "true": _words,
    "false": _words,
    "null": _nulls,
    "sheet": _text,
}


@dataclass(frozen=True)
class Source:
    """A data file and how to read it: what the command line hands to the run stage."""

    path: Path
    options: ReadOptions = ReadOptions()

    def __fspath__(self) -> str:
        return str(self.path)

    def __str__(self) -> str:
        return str(self.path)


def rewrite(
    frame: pl.LazyFrame, options: ReadOptions, types: Mapping[str, ScalarType] | None
) -> pl.LazyFrame:
    """Text values rewritten into the engine's canonical form, for the columns `types` declares
    (null markers in every text column). A value not made readable is kept as written."""
    import polars as pl

    if not options.rewrites_text:
        return frame
    schema = frame.collect_schema()
    exprs = []
    for name, dtype in schema.items():
        if dtype != pl.String:
            continue
        col = pl.col(name)
        if options.null:
            col = pl.when(col.str.strip_chars().is_in(list(options.null))).then(None).otherwise(col)
        target = (types or {}).get(name)
        rewritten = _canonical(col, target, options) if target is not None else col
        if options.null or rewritten is not col:
            exprs.append(rewritten.alias(name))
    return frame.with_columns(exprs) if exprs else frame


def _canonical(col: pl.Expr, target: ScalarType, options: ReadOptions) -> pl.Expr:
    import polars as pl

    text = col.str.strip_chars()
    if target in (ScalarType.FLOAT, ScalarType.INT) and options.decimal_comma:
        dotted = text.str.replace_all(_SPACES, "").str.replace(",", ".", literal=True)
        readable = text.str.contains(_DECIMAL_COMMA.pattern)
        return pl.when(readable).then(dotted).otherwise(col)
    if target is ScalarType.BOOL and (options.true or options.false):
        word = text.str.to_lowercase()
        return (
            pl.when(word.is_in(list(options.true_words)))
            .then(pl.lit("true"))
            .when(word.is_in(list(options.false_words)))
            .then(pl.lit("false"))
            .otherwise(col)
        )
    if target is ScalarType.DATE and options.date_format:
        parsed = text.str.strptime(pl.Date, options.date_format, strict=False)
        return pl.when(parsed.is_not_null()).then(parsed.dt.strftime("%Y-%m-%d")).otherwise(col)
    if target is ScalarType.DATETIME and options.date_format:
        fmt = options.date_format
        parsed = pl.coalesce(
            [
                text.str.strptime(pl.Datetime("us"), f, strict=False)
                for f in (f"{fmt} %H:%M:%S", f"{fmt} %H:%M", fmt)
            ]
        )
        return (
            pl.when(parsed.is_not_null())
            .then(parsed.dt.strftime("%Y-%m-%d %H:%M:%S"))
            .otherwise(col)
        )
    return col


def guess_types(frame: pl.DataFrame, options: ReadOptions) -> dict[str, ScalarType]:
    """For a table read without a card (`fit`): the columns whose every filled text value the
    options make readable as a number, a bool or a date, with that type."""
    import polars as pl

    found: dict[str, ScalarType] = {}
    for name, dtype in frame.schema.items():
        if dtype != pl.String:
            continue
        values = frame.get_column(name).drop_nulls().str.strip_chars()
        values = values.filter(~values.is_in(list(options.null)) & (values != ""))
        if values.is_empty():
            continue
        for target in (ScalarType.FLOAT, ScalarType.BOOL, ScalarType.DATE, ScalarType.DATETIME):
            out = pl.select(_canonical(pl.lit(values), target, options)).to_series()
            if not out.equals(values) and _reads_as(out, target):
                found[name] = target
                break
    return found


def _reads_as(values: pl.Series, target: ScalarType) -> bool:
    import polars as pl

    if target is ScalarType.FLOAT:
        return values.cast(pl.Float64, strict=False).null_count() == 0
    if target is ScalarType.BOOL:
        return bool(values.is_in(["true", "false"]).all())
    if target is ScalarType.DATE:
        return values.str.strptime(pl.Date, "%Y-%m-%d", strict=False).null_count() == 0
    return (
        values.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False).null_count() == 0
    )
