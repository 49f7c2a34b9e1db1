"""The figures of a fit, as plain dataclasses: what `--json` prints and the report shows.

`engine.fitting.report` turns them into tables and charts; the Python API returns them with
the card's text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from engine.fitting.bins import Characteristic
from engine.fitting.woe import BinFigures as Train


@dataclass(frozen=True)
class BinFigures:
    bin: str
    """The bin as the card writes it (`[25, 40)`, `in ["a", "b"]`, `missing`, `else`)."""
    kind: str
    train_rows: int
    train_share: float
    train_events: int
    train_event_rate: float | None
    woe: float
    iv: float
    holdout_rows: int
    holdout_share: float | None
    holdout_event_rate: float | None
    points: float | None
    """The bin's points in the card (None for a characteristic that was left out)."""
    points_before: float | None = None
    """With `--from`: the points the given card had."""


@dataclass(frozen=True)
class CharacteristicFigures:
    column: str
    type: str
    iv: float
    selected: bool
    block: str | None
    """The bins block's name in the card (None when left out)."""
    trend: str | None
    reason: str | None
    """Why it was left out."""
    coefficient: float | None
    bins: list[BinFigures]


@dataclass(frozen=True)
class Performance:
    rows: int
    events: int
    event_rate: float
    auc: float | None
    gini: float | None
    ks: float | None


@dataclass(frozen=True)
class Skipped:
    column: str
    reason: str


@dataclass(frozen=True)
class Comparison:
    """With `--from`: how the given card did on the same rows, before its points were refitted."""

    train: Performance
    holdout: Performance | None


@dataclass(frozen=True)
class FitFigures:
    card: str
    data: str
    command: str
    target: str
    event: str
    key: str
    split: str
    direction: str
    """What a higher score means."""
    scaling: str
    rows_read: int
    rows_without_outcome: int
    train: Performance
    holdout: Performance | None
    intercept: float
    base_points: float
    characteristics: list[CharacteristicFigures]
    skipped: list[Skipped]
    before: Comparison | None = None
    warnings: list[str] = field(default_factory=list)


def characteristic_figures(
    c: Characteristic,
    train_figures: Train,
    holdout: npt.NDArray[np.bool_],
    event: npt.NDArray[np.bool_],
    *,
    selected: bool,
    block: str | None,
    reason: str | None,
    coefficient: float | None,
    points: Sequence[float] | None,
    before: Sequence[float | None] | None = None,
) -> CharacteristicFigures:
    total = float(train_figures.rows.sum())
    h_rows, h_events = c.counts(holdout, event)
    h_total = float(h_rows.sum())
    bins = []
    for i, b in enumerate(c.bins):
        rate = train_figures.event_rate[i]
        bins.append(
            BinFigures(
                bin=b.text,
                kind=b.kind,
                train_rows=int(train_figures.rows[i]),
                train_share=float(train_figures.rows[i] / total) if total else 0.0,
                train_events=int(train_figures.events[i]),
                train_event_rate=None if np.isnan(rate) else float(rate),
                woe=float(train_figures.woe[i]),
                iv=float(train_figures.iv[i]),
                holdout_rows=int(h_rows[i]),
                holdout_share=float(h_rows[i] / h_total) if h_total else None,
                holdout_event_rate=float(h_events[i] / h_rows[i]) if h_rows[i] else None,
                points=None if points is None else float(points[i]),
                points_before=None if before is None else before[i],
            )
        )
    return CharacteristicFigures(
        column=c.column,
        type=str(c.type),
        iv=train_figures.total_iv,
        selected=selected,
        block=block,
        trend=c.trend,
        reason=reason,
        coefficient=coefficient,
        bins=bins,
    )
