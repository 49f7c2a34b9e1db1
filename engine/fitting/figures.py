"""The figures of a fit, as plain dataclasses: what `--json` prints and the report shows.

`engine.fitting.report` turns them into tables and charts; the Python API returns them with
the card's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
