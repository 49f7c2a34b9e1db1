"""Does the card select groups of customers at similar rates? Selection rates and disparate impact.

The group column is one the card marks `sensitive`: the card never reads it, the report does.
Selection is the card's top segment (the first one declared), or the K highest scores with
`--top K` (ties broken by key, as the card's classes are). Every row of a group counts in its
denominator: an excluded or unscored customer is not selected, so exclusions that fall on one
group show up in its selection rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.evaluate.metrics import rank_order
from engine.evaluate.rows import BoolArray, ReportError, ScoredRows
from engine.ranking import Top

FOUR_FIFTHS = 0.8
MISSING_GROUP = "(missing)"


def selected_rows(rows: ScoredRows, top: Top | None) -> tuple[BoolArray, str]:
    """Which rows are selected, and a sentence saying how."""
    if top is not None:
        scored = np.flatnonzero(rows.has_score)
        order = scored[rank_order(rows.score[scored], rows.tiebreak()[scored])]
        chosen = np.zeros(len(rows), dtype=np.bool_)
        chosen[order[: top.rows(len(scored))]] = True
        return chosen, top.describe()
    if not rows.segments or rows.segment is None:
        raise ReportError(
            "the card declares no segment: say who is selected with --top K (rows) or --top P%"
        )
    first = rows.segments[0]
    return np.array([s == first for s in rows.segment], dtype=np.bool_), f'segment "{first}"'


@dataclass(frozen=True)
class GroupStat:
    group: str
    rows: int
    scored: int
    mean_score: float | None
    selected: int
    selection_rate: float | None
    impact_ratio: float | None
    """This group's selection rate over the highest group's."""
    flagged: bool


@dataclass(frozen=True)
class Fairness:
    column: str
    selection: str
    groups: list[GroupStat]
    disparate_impact: float | None
    """Lowest selection rate / highest selection rate; None when no group is selected at all."""
    flagged: bool


def group_labels(values: Sequence[object]) -> list[str]:
    return [MISSING_GROUP if v is None else str(v) for v in values]


def fairness(rows: ScoredRows, column: str, values: Sequence[object], top: Top | None) -> Fairness:
    """Per group of `values`: rows, mean score, selection rate and the ratio to the best group."""
    if len(rows) == 0:
        raise ReportError("the table has no rows")
    chosen, how = selected_rows(rows, top)
    labels = group_labels(values)
    names = sorted({g for g in labels if g != MISSING_GROUP})
    if MISSING_GROUP in labels:
        names.append(MISSING_GROUP)
    label_arr = np.asarray(labels, dtype=object)
    has = rows.has_score
    stats = []
    for g in names:
        sel = label_arr == g
        n = int(sel.sum())
        scored = sel & has
        k = int((sel & chosen).sum())
        stats.append(
            (
                g,
                n,
                int(scored.sum()),
                float(rows.score[scored].mean()) if scored.any() else None,
                k,
                k / n,
            )
        )
    best = max(rate for *_, rate in stats)
    groups = [
        GroupStat(
            group=g,
            rows=n,
            scored=s,
            mean_score=m,
            selected=k,
            selection_rate=rate,
            impact_ratio=None if best == 0 else rate / best,
            flagged=best > 0 and rate / best < FOUR_FIFTHS,
        )
        for g, n, s, m, k, rate in stats
    ]
    di = None if best == 0 else min(rate for *_, rate in stats) / best
    return Fairness(column, how, groups, di, di is not None and di < FOUR_FIFTHS)
