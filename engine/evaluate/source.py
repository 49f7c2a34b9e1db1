"""From a scored table (the result columns with explain details) to `ScoredRows`.

The scored frame holds, per row: the key, `score`, `segment`, `class`, `excluded`, every rule
and bins contribution under its own name, `<rule>.fired` (the condition was true) and
`<bins>.bin` (the text of the entry that matched, null for none), plus any columns kept from
the input for the report (the outcome, a sensitive column).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from engine import results
from engine.evaluate.rows import BinsColumn, ReportError, RuleColumn, ScoredRows
from engine.program import Program


def _floats(frame: pl.DataFrame, name: str, fill: float) -> np.ndarray:
    return frame.get_column(name).cast(pl.Float64).fill_null(fill).to_numpy().astype(np.float64)


def rows_from_results(
    frame: pl.DataFrame, program: Program, extra: Sequence[str] = ()
) -> ScoredRows:
    """The arrays the reports read; a missing column is a bug in the caller, not the user's data."""
    missing = [c for c in (results.SCORE, program.key.name) if c not in frame.columns]
    if missing:
        raise ReportError(f"the scored table lacks the columns {missing}")
    rules = []
    for rule in program.rules:
        fired = frame.get_column(results.fired(rule.name)).cast(pl.Boolean).fill_null(False)
        rules.append(
            RuleColumn(
                rule.name,
                rule.label,
                fired.to_numpy().astype(np.bool_),
                _floats(frame, rule.name, 0.0),
            )
        )
    blocks = []
    for b in program.bins:
        index: dict[str, int] = {}
        for i, entry in enumerate(b.entries, start=1):
            index.setdefault(entry.text, i)
        texts = frame.get_column(results.bin_matched(b.name)).cast(pl.String).to_list()
        matched = np.array([0 if t is None else index[t] for t in texts], dtype=np.int64)
        blocks.append(
            BinsColumn(
                b.name,
                b.label,
                b.on,
                tuple((e.text, float(e.points)) for e in b.entries),
                matched,
            )
        )
    has_class = program.classes is not None and results.CLASS in frame.columns
    key = frame.get_column(program.key.name)
    return ScoredRows(
        keys=key.to_list(),
        key_rank=(key.rank("ordinal") - 1).cast(pl.Int64).to_numpy().astype(np.int64),
        score=_floats(frame, results.SCORE, float("nan")),
        cls=(
            frame.get_column(results.CLASS).fill_null(0).cast(pl.Int64).to_numpy().astype(np.int64)
            if has_class
            else None
        ),
        n_classes=program.classes if has_class else None,
        segment=frame.get_column(results.SEGMENT).to_list() if program.segments else None,
        segments=tuple(s.name for s in program.segments),
        excluded=(
            frame.get_column(results.EXCLUDED).to_list()
            if results.EXCLUDED in frame.columns
            else None
        ),
        rules=tuple(rules),
        bins=tuple(blocks),
        extra={name: frame.get_column(name).to_list() for name in extra},
    )
