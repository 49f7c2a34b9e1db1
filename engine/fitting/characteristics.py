"""Which columns of the table can be characteristics, and their binning.

A column is a candidate unless it is the target, the key, the `--split` column, listed in
`--exclude` or `--sensitive`, named like a result (`score`, `class`, ...), or of a type the
fit does not bin (dates: derive a number of days with a `let` in the card, then refit with
`--from`). Numbers are binned by `engine.fitting.numeric`, text and true/false by
`engine.fitting.categorical`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from engine.diagnostics import ScorecardError, error
from engine.fitting.bins import BoolArray, Characteristic, Value
from engine.fitting.categorical import CategoricalSettings, fit_categorical
from engine.fitting.data import column_error
from engine.fitting.figures import Skipped
from engine.fitting.numeric import NumericSettings, fit_numeric
from engine.fitting.options import FitOptions
from engine.results import is_reserved
from engine.types import ScalarType


@dataclass(frozen=True)
class Columns:
    candidates: list[str]
    sensitive: list[str]
    skipped: list[Skipped]


def classify(
    columns: Sequence[str],
    types: dict[str, ScalarType | None],
    key: str,
    options: FitOptions,
) -> Columns:
    """Split the table's columns into candidates, sensitive ones and the ones left aside."""
    for flag, names in (
        ("--exclude", options.exclude),
        ("--sensitive", options.sensitive),
        ("--special", tuple(options.special)),
    ):
        for name in names:
            if name not in columns:
                raise column_error(flag, name, list(columns))
    candidates: list[str] = []
    sensitive: list[str] = []
    skipped: list[Skipped] = []
    roles = {options.target: "the target", key: "the key"}
    if options.split is not None:
        roles[options.split] = "the --split column"
    for name in columns:
        kind = types[name]
        if name in roles:
            skipped.append(Skipped(name, roles[name]))
        elif name in options.sensitive:
            if kind is None:
                raise ScorecardError(
                    [
                        error(
                            "E1106",
                            f"--sensitive {name!r}: the column's type has no counterpart in a card",
                        )
                    ]
                )
            sensitive.append(name)
            skipped.append(Skipped(name, "declared sensitive: never used in the score"))
        elif name in options.exclude:
            skipped.append(Skipped(name, "listed in --exclude"))
        elif is_reserved(name):
            skipped.append(
                Skipped(name, f"{name!r} names a result column of cards: rename it to use it")
            )
        elif kind is None:
            skipped.append(Skipped(name, "its type has no counterpart in a card"))
        elif kind.is_temporal:
            skipped.append(
                Skipped(
                    name,
                    f"a {kind} is not binned: derive a number (e.g. days) with a let, then refit with --from",
                )
            )
        else:
            candidates.append(name)
    for name in options.special:
        if name not in candidates:
            raise ScorecardError(
                [error("E1105", f"--special {name}: the column is not a characteristic")]
            )
    return Columns(candidates, sensitive, skipped)


def special_values(name: str, kind: ScalarType, codes: Sequence[str]) -> list[Value]:
    """`--special COL=V1,V2` read as the column's type."""
    out: list[Value] = []
    for code in codes:
        text = code.strip()
        try:
            if kind is ScalarType.INT:
                number = float(text)
                if number != int(number):
                    raise ValueError(text)
                out.append(int(number))
            elif kind is ScalarType.FLOAT:
                out.append(float(text))
            elif kind is ScalarType.BOOL:
                out.append(text.lower() in ("true", "1", "yes", "t", "y"))
            else:
                out.append(text)
        except ValueError:
            raise ScorecardError(
                [error("E1105", f"--special {name}={code}: not a {kind} value")]
            ) from None
    return list(dict.fromkeys(out))


def bin_column(
    name: str,
    kind: ScalarType,
    series: pl.Series,
    specials: Sequence[Value],
    train: BoolArray,
    event: BoolArray,
    options: FitOptions,
) -> Characteristic:
    min_rows = options.min_bin_share * float(train.sum())
    if kind.is_numeric:
        values = series.cast(pl.Float64).fill_null(np.nan).to_numpy()
        codes = [float(v) for v in specials if not isinstance(v, (str, bool))]
        settings = NumericSettings(options.prebins, min_rows, options.max_bins, options.monotonic)
        return fit_numeric(name, kind, values, codes, train, event, settings)
    rare_rows = options.rare_share * float(train.sum())
    cat_settings = CategoricalSettings(options.prebins, min_rows, options.max_bins, rare_rows)
    return fit_categorical(name, kind, series, specials, train, event, cat_settings)
