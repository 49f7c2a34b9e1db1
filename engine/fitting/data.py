"""The training table: read, typed as a card would declare it, with the outcome and the split.

A CSV file gives text; each column gets the first type of int, float, bool, date, datetime
and string that reads every filled value with `engine.backends.polars.validate.cast_column` — the very
conversion `scorecard apply` uses — so the card's `input` block reads the same values the fit
saw. Other formats keep their stored types.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import polars as pl

from engine.backends.polars.validate import cast_column
from engine.diagnostics import ScorecardError, error
from engine.fitting.options import FitOptions
from engine.io import reading, tables
from engine.run.options import Progress
from engine.run.progress import read_counted
from engine.types import ScalarType

Data: TypeAlias = pl.DataFrame | pl.LazyFrame | str | Path | reading.Source
BoolArray = npt.NDArray[np.bool_]

_EVENT_WORDS = ("1", "true", "yes", "t", "y")
_NON_EVENT_WORDS = ("0", "false", "no", "f", "n")
_ID_NAME = re.compile(r"(?i)(^|[_\s.-])(id|key|identifier)$|^id[_\s.-]|^(id|key)$|[a-z]Id$")
EXAMPLES = 5


def read(data: Data, progress: Progress | None = None) -> tuple[pl.DataFrame, str, bool]:
    """The table as stored, its name for messages, and whether every column is text (CSV);
    the step "reading", its rows counted, when a bar is shown."""
    if isinstance(data, pl.DataFrame):
        return data, "<frame>", False
    if isinstance(data, pl.LazyFrame):
        return data.collect(), "<frame>", False
    source = tables.source_of(data)
    path = source.path
    try:
        frame = read_counted(tables.scan(source), source, progress)
        if source.options.rewrites_text:  # no card yet: the types the options make readable
            guessed = reading.guess_types(frame, source.options)
            frame = reading.rewrite(frame.lazy(), source.options, guessed).collect()
    except pl.exceptions.PolarsError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ScorecardError([error("E800", f"{path}: cannot read the data: {first}")]) from None
    return frame, str(path), tables.format_of(path) == "csv"


def _stored_type(dtype: pl.DataType) -> ScalarType | None:
    if dtype.is_integer():
        return ScalarType.INT
    if dtype.is_float():
        return ScalarType.FLOAT
    if dtype == pl.Boolean:
        return ScalarType.BOOL
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        return ScalarType.STRING
    if dtype == pl.Date:
        return ScalarType.DATE
    if isinstance(dtype, pl.Datetime):
        return ScalarType.DATETIME
    return None


_TEXT_ORDER = (
    ScalarType.INT,
    ScalarType.FLOAT,
    ScalarType.BOOL,
    ScalarType.DATE,
    ScalarType.DATETIME,
)


def infer_types(frame: pl.DataFrame, text: bool) -> dict[str, ScalarType | None]:
    """The language type of every column (None: a stored type the language has not)."""
    if not text:
        return {name: _stored_type(dtype) for name, dtype in frame.schema.items()}
    out: dict[str, ScalarType | None] = {}
    filled = frame.select(pl.col(c).is_not_null().sum().alias(c) for c in frame.columns).row(
        0, named=True
    )
    for name in frame.columns:
        source = frame.schema[name]
        if source != pl.String:
            out[name] = _stored_type(source)
            continue
        counts = frame.select(
            cast_column(name, source, t).is_not_null().sum().alias(str(t)) for t in _TEXT_ORDER
        ).row(0, named=True)
        found = ScalarType.STRING
        nan_words = frame.select(
            pl.col(name).str.strip_chars().str.to_lowercase().eq("nan").sum()
        ).item()
        for t in _TEXT_ORDER:
            expected = filled[name] - (nan_words if t is ScalarType.FLOAT else 0)
            if filled[name] and counts[str(t)] == expected:
                found = t
                break
        out[name] = found
    return out


def typed(
    frame: pl.DataFrame, types: dict[str, ScalarType | None], names: Sequence[str]
) -> pl.DataFrame:
    """The columns `names`, each read as its language type (a float NaN becomes null)."""
    return frame.select(
        cast_column(n, frame.schema[n], t).alias(n) for n in names if (t := types[n]) is not None
    )


def column_error(what: str, name: str, columns: Sequence[str]) -> ScorecardError:
    import difflib

    close = difflib.get_close_matches(name, columns, n=1, cutoff=0.6)
    notes = [f"did you mean {close[0]!r}?"] if close else []
    if len(columns) <= 30:
        notes.append("the table's columns: " + ", ".join(columns))
    return ScorecardError(
        [error("E1101", f"{what} {name!r}: the table has no such column", None, *notes)]
    )


def outcome(
    frame: pl.DataFrame, target: str, event: str | None, data_name: str
) -> tuple[BoolArray, BoolArray]:
    """(event, known) per row. With `event`, that value is an event and any other filled value
    is not; without, 1/true/yes are events and 0/false/no are not (anything else is an error)."""
    if target not in frame.columns:
        raise column_error("--target", target, frame.columns)
    col = pl.col(target)
    dtype = frame.schema[target]
    known = col.is_not_null() & (col.is_not_nan() if dtype.is_float() else pl.lit(True))
    if event is not None:
        if dtype.is_numeric():
            try:
                wanted = float(event)
            except ValueError:
                raise ScorecardError(
                    [
                        error(
                            "E1102",
                            f"--event {event!r}: the target column {target!r} holds numbers",
                        )
                    ]
                ) from None
            is_event = col.cast(pl.Float64) == wanted
        elif dtype == pl.Boolean:
            word = event.strip().lower()
            if word not in _EVENT_WORDS + _NON_EVENT_WORDS:
                raise ScorecardError(
                    [
                        error(
                            "E1102",
                            f"--event {event!r}: the target column {target!r} holds true/false",
                        )
                    ]
                )
            is_event = col == (word in _EVENT_WORDS)
        else:
            is_event = col.cast(pl.String).str.strip_chars() == event.strip()
        result = frame.select(
            known.alias("known"), (known & is_event).fill_null(False).alias("event")
        )
    else:
        if dtype.is_numeric():
            yes, no = col == 1, col == 0
        elif dtype == pl.Boolean:
            yes, no = col, ~col
        else:
            words = col.cast(pl.String).str.strip_chars().str.to_lowercase()
            yes, no = words.is_in(list(_EVENT_WORDS)), words.is_in(list(_NON_EVENT_WORDS))
        result = frame.with_row_index("__row", offset=1).select(
            known.alias("known"),
            (known & yes).fill_null(False).alias("event"),
            (known & ~yes & ~no).fill_null(False).alias("bad"),
            pl.col("__row"),
            col.cast(pl.String).alias("__value"),
        )
        bad = result.filter(pl.col("bad"))
        if bad.height:
            shown = "; ".join(
                f"row {r}: {v!r}"
                for r, v in bad.select("__row", "__value").head(EXAMPLES).iter_rows()
            )
            raise ScorecardError(
                [
                    error(
                        "E1102",
                        f"{data_name}: the target {target!r} must be 1/true for an event and "
                        f"0/false otherwise: {bad.height} rows are neither: {shown}",
                        None,
                        "name the event value with --event VALUE (every other value is then a non-event)",
                    )
                ]
            )
    known_arr = result["known"].to_numpy().astype(np.bool_)
    event_arr = result["event"].to_numpy().astype(np.bool_)
    return event_arr, known_arr


@dataclass(frozen=True)
class Split:
    train: BoolArray
    holdout: BoolArray
    description: str


def split(frame: pl.DataFrame, options: FitOptions, usable: BoolArray) -> Split:
    """Training and holdout rows: a seeded random share, or the latest period of `--split`."""
    n = frame.height
    if options.split is not None:
        if options.split not in frame.columns:
            raise column_error("--split", options.split, frame.columns)
        period = frame[options.split]
        present = usable & period.is_not_null().to_numpy()
        values = period.filter(pl.Series(present)).unique().sort()
        if values.len() < 2:
            raise ScorecardError(
                [
                    error(
                        "E1103",
                        f"--split {options.split!r}: needs at least two periods, found {values.len()}",
                    )
                ]
            )
        latest = values[-1]
        holdout = present & (period == latest).fill_null(False).to_numpy()
        return Split(
            present & ~holdout, holdout, f"the latest {options.split} ({latest}) is the holdout"
        )
    if options.holdout == 0:
        return Split(usable.copy(), np.zeros(n, dtype=np.bool_), "no holdout")
    draw = np.random.default_rng(options.seed).random(n)
    holdout = usable & (draw < options.holdout)
    return Split(
        usable & ~holdout,
        holdout,
        f"a random {options.holdout:.0%} of the rows (seed {options.seed}) is the holdout",
    )


def choose_key(
    frame: pl.DataFrame, types: dict[str, ScalarType | None], options: FitOptions
) -> str:
    """`--key`, or the one unique, filled text or whole-number column named like an id."""
    if options.key is not None:
        if options.key not in frame.columns:
            raise column_error("--key", options.key, frame.columns)
        problem = _key_problem(frame, options.key, types)
        if problem:
            raise ScorecardError([error("E1104", f"--key {options.key!r}: {problem}")])
        return options.key
    named = [c for c in frame.columns if _ID_NAME.search(c) and c != options.target]
    fits = [c for c in named if not _key_problem(frame, c, types)]
    if len(fits) == 1:
        return fits[0]
    if len(fits) > 1:
        raise ScorecardError(
            [
                error(
                    "E1104",
                    "several columns could be the key: " + ", ".join(fits),
                    None,
                    "choose one with --key COL",
                )
            ]
        )
    why = "; ".join(f"{c}: {_key_problem(frame, c, types)}" for c in named)
    raise ScorecardError(
        [
            error(
                "E1104",
                "no key column found: give --key COL, a column with one filled, distinct value per row"
                + (f" ({why})" if why else ""),
            )
        ]
    )


def _key_problem(frame: pl.DataFrame, name: str, types: dict[str, ScalarType | None]) -> str | None:
    kind = types.get(name)
    if kind not in (ScalarType.STRING, ScalarType.INT):
        return f"a key holds text or whole numbers, this column holds {kind or 'another type'}"
    values = typed(frame, types, [name])[name]
    nulls = values.null_count()
    if nulls:
        return f"{nulls} rows have no value"
    duplicated = values.is_duplicated().sum()
    if duplicated:
        return f"{duplicated} rows share their value with another row"
    return None
