"""The per-row values the evaluation reports read, independent of how they were computed.

The metrics, stability and fairness modules work on these plain arrays so they can be tested
against independent computations without running a card: a score per row (NaN where the row
has no score), an optional class, segment and exclusion label, and for every rule whether it
fired and for every bins block which entry matched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


class ReportError(ValueError):
    """The data cannot give the figure asked for (no rows, a bad outcome column, ...)."""


@dataclass(frozen=True)
class RuleColumn:
    """One rule over the rows: whether its condition was true, and the points it gave."""

    name: str
    label: str | None
    fired: BoolArray
    contribution: FloatArray


@dataclass(frozen=True)
class BinsColumn:
    """One bins block over the rows: `matched[i]` is the 1-based entry that matched, 0 for none."""

    name: str
    label: str | None
    on: str
    entries: tuple[tuple[str, float], ...]
    """(text as written in the card, points) for every entry, in card order."""
    matched: IntArray


@dataclass(frozen=True)
class ScoredRows:
    """Everything the reports read about one table scored by one card.

    `score` is NaN for a row without a score (excluded, or a null in its computation).
    Ties in score are ordered by key ascending, as the card's classes are: by `key_rank` when
    given (the key's rank in its own type's order), else by comparing `keys` (strings compare
    by code point, which is UTF-8 byte order).
    """

    keys: Sequence[Any]
    score: FloatArray
    cls: IntArray | None = None
    """The card's class (1 = highest scores), 0 where the row has none; None if no classes."""
    n_classes: int | None = None
    segment: list[str | None] | None = None
    segments: tuple[str, ...] = ()
    """Segment names in card order: the first is the top segment."""
    excluded: list[str | None] | None = None
    rules: tuple[RuleColumn, ...] = ()
    bins: tuple[BinsColumn, ...] = ()
    extra: Mapping[str, list[object]] = field(default_factory=dict)
    """Columns read for the report only (a target, a sensitive column), by name."""
    key_rank: IntArray | None = None

    def tiebreak(self) -> IntArray:
        """Each row's rank by key ascending: the order of rows with equal scores."""
        if self.key_rank is not None:
            return self.key_rank
        order = sorted(range(len(self.keys)), key=self.keys.__getitem__)
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return rank

    def __len__(self) -> int:
        return int(self.score.shape[0])

    @property
    def has_score(self) -> BoolArray:
        return ~np.isnan(self.score)

    def take(self, mask: BoolArray) -> ScoredRows:
        """The rows where `mask` is true, every column cut the same way."""
        idx = np.flatnonzero(mask)

        def pick(values: list[str | None] | None) -> list[str | None] | None:
            return None if values is None else [values[i] for i in idx]

        return ScoredRows(
            keys=[self.keys[int(i)] for i in idx],
            score=self.score[idx],
            cls=None if self.cls is None else self.cls[idx],
            n_classes=self.n_classes,
            segment=pick(self.segment),
            segments=self.segments,
            excluded=pick(self.excluded),
            rules=tuple(
                RuleColumn(r.name, r.label, r.fired[idx], r.contribution[idx]) for r in self.rules
            ),
            bins=tuple(
                BinsColumn(b.name, b.label, b.on, b.entries, b.matched[idx]) for b in self.bins
            ),
            extra={k: [v[i] for i in idx] for k, v in self.extra.items()},
            key_rank=None if self.key_rank is None else self.key_rank[idx],
        )
