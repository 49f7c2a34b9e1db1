"""Does the card select groups of customers at similar rates? Selection rates and disparate impact.

The group column is any column of the table: one the card marks `sensitive` (the card never
reads it, the report does), or any other (region, age, tenure...). A numeric column with more
than `MAX_PLAIN_GROUPS` distinct values is cut into quintiles of its values, so `--by age`
gives five age bands rather than sixty ages of a few customers each.
Selection is the card's top segment (the first one declared), or the K highest scores with
`--top K` (ties broken by key, as the card's classes are). Every row of a group counts in its
denominator: an excluded or unscored customer is not selected, so exclusions that fall on one
group show up in its selection rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.evaluate import bands
from engine.evaluate.metrics import rank_order
from engine.evaluate.rows import BoolArray, ReportError, ScoredRows
from engine.ranking import Top

FOUR_FIFTHS = 0.8
MISSING_GROUP = "(missing)"
MAX_PLAIN_GROUPS = 10
"""A numeric column with more distinct values than this is banded into quintiles."""
MAX_TEXT_GROUPS = 100
"""A text column with more distinct values than this is no grouping (an id, a name...)."""
QUINTILES = (0.2, 0.4, 0.6, 0.8)


@dataclass(frozen=True)
class Groups:
    """Each row's group label, the groups in display order, and how they were formed."""

    labels: list[str]
    order: list[str]
    banding: str | None = None
    """Set when a numeric column was cut into quintiles: says so, with the cuts."""


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def groups_of(column: str, values: Sequence[object]) -> Groups:
    """Groups of a column: its values, or quintile bands of a many-valued numeric column.

    A column is numeric when every non-missing value is a number (or a number's text). The
    quintile cuts are numpy's `quantile` (linear interpolation) at 20/40/60/80 %, repeated cuts
    and a cut at the lowest value dropped (no band is left empty); bands are closed on the left,
    `[lo, hi)`, as the card's bins are. Raises `ReportError` for a text column with more than
    `MAX_TEXT_GROUPS` distinct values."""
    present = [v for v in values if v is not None and not (isinstance(v, float) and v != v)]
    numbers = [_as_number(v) for v in present]
    distinct = len(set(present))
    if present and all(x is not None for x in numbers) and distinct > MAX_PLAIN_GROUPS:
        return _quintile_groups(column, values, distinct)
    if all(x is not None for x in numbers) and present:
        key = {str(v): _as_number(v) or 0.0 for v in present}
        names = sorted(key, key=lambda g: (key[g], g))
    else:
        if distinct > MAX_TEXT_GROUPS:
            raise GroupingError(
                f"--by {column!r} has {distinct:,} distinct values: it is not a grouping "
                f"column (at most {MAX_TEXT_GROUPS} groups; numeric columns are banded)"
            )
        names = sorted({str(v) for v in present})
    labels = group_labels(values)
    if MISSING_GROUP in labels:
        names.append(MISSING_GROUP)
    return Groups(labels, names)


def _quintile_groups(column: str, values: Sequence[object], distinct: int) -> Groups:
    numbers = np.array(
        [np.nan if (x := _as_number(v)) is None else x for v in values], dtype=np.float64
    )
    known = ~np.isnan(numbers)
    lowest = float(numbers[known].min())
    cuts = sorted({float(c) for c in np.quantile(numbers[known], QUINTILES) if c > lowest})
    names = list(reversed(bands.labels(cuts))) if cuts else ["all"]
    band = bands.band_of(numbers, cuts)
    labels = [
        names[len(cuts) + 1 - int(b)] if ok else MISSING_GROUP
        for b, ok in zip(band, known, strict=True)
    ]
    shown = ", ".join(f"{c:.6g}" for c in cuts)
    note = (
        f"{column} has {distinct:,} distinct values: banded into quintiles of its values "
        f"(cuts {shown or 'none'})"
    )
    if not known.all():
        names.append(MISSING_GROUP)
    return Groups(labels, names, note)


class GroupingError(ReportError):
    """The `--by` column cannot form groups (a text column with too many values)."""


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
    banding: str | None = None
    """Set when the column's values were banded into quintiles (a numeric column)."""


def group_labels(values: Sequence[object]) -> list[str]:
    return [MISSING_GROUP if v is None else str(v) for v in values]


def fairness(rows: ScoredRows, column: str, values: Sequence[object], top: Top | None) -> Fairness:
    """Per group of `values`: rows, mean score, selection rate and the ratio to the best group."""
    if len(rows) == 0:
        raise ReportError("the table has no rows")
    chosen, how = selected_rows(rows, top)
    grouping = groups_of(column, values)
    names = grouping.order
    label_arr = np.asarray(grouping.labels, dtype=object)
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
    return Fairness(column, how, groups, di, di is not None and di < FOUR_FIFTHS, grouping.banding)
