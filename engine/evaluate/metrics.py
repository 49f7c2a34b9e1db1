"""How well a score ranks an outcome: AUC, Gini, KS, the table by class, rule and bin event rates.

Everything here reads plain arrays (`engine.evaluate.rows.ScoredRows` and an event vector) so the
figures can be checked against independent computations. Population: a row counts when it has
both a score and a known outcome; rows without a score (excluded, or a null in the computation)
and rows without an outcome are left out of every figure and counted separately, so a reader sees
how many customers the figures do not cover.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from engine import ranking
from engine.evaluate import bands
from engine.evaluate.rows import BoolArray, FloatArray, IntArray, ReportError, ScoredRows

_TRUE = {"1", "true", "t", "yes", "y"}
_FALSE = {"0", "false", "f", "no", "n"}


class OutcomeError(ReportError):
    """The outcome column holds a value that is neither an event (1/true) nor a non-event."""

    def __init__(self, column: str, rows: list[int], values: list[object]) -> None:
        self.column = column
        self.rows = rows
        self.values = values
        shown = ", ".join(f"row {r + 1}: {v!r}" for r, v in zip(rows[:5], values[:5], strict=True))
        more = f" (and {len(rows) - 5} more)" if len(rows) > 5 else ""
        super().__init__(
            f"column `{column}` must hold 1/true for an event and 0/false otherwise: {shown}{more}"
        )


def to_events(
    column: str, values: Sequence[object], event_value: object = None
) -> tuple[BoolArray, BoolArray]:
    """(event, known): 1/true/"yes" is an event, 0/false/"no" is not, null/NaN is unknown.

    Anything else raises `OutcomeError` naming the rows, so a mistyped target never turns
    silently into non-events. With `event_value` (the card's `outcome ... event V`, or
    `--event V`), a value equal to it is an event and every other known value is not: text
    is compared trimmed and case-insensitively, numbers as numbers (`"1.0"` equals `1`).
    """
    if event_value is not None:
        return _events_equal_to(values, event_value)
    event = np.zeros(len(values), dtype=np.bool_)
    known = np.zeros(len(values), dtype=np.bool_)
    bad_rows: list[int] = []
    bad_values: list[object] = []
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if isinstance(v, bool):
            flag: bool | None = v
        elif isinstance(v, int | float):
            flag = True if v == 1 else False if v == 0 else None
        elif isinstance(v, str):
            text = v.strip().lower()
            flag = True if text in _TRUE else False if text in _FALSE else None
        else:
            flag = None
        if flag is None:
            bad_rows.append(i)
            bad_values.append(v)
            continue
        event[i] = flag
        known[i] = True
    if bad_rows:
        raise OutcomeError(column, bad_rows, bad_values)
    return event, known


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _same(value: object, event_value: object) -> bool:
    if isinstance(event_value, bool) or isinstance(value, bool):
        words = {True: {"true", "1", "yes"}, False: {"false", "0", "no"}}
        if isinstance(event_value, bool):
            return str(value).strip().lower() in words[event_value]
        return str(event_value).strip().lower() in words[bool(value)]
    a, b = _number(value), _number(event_value)
    if a is not None and b is not None:
        return a == b
    return str(value).strip().casefold() == str(event_value).strip().casefold()


def _events_equal_to(values: Sequence[object], event_value: object) -> tuple[BoolArray, BoolArray]:
    event = np.zeros(len(values), dtype=np.bool_)
    known = np.zeros(len(values), dtype=np.bool_)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        known[i] = True
        event[i] = _same(v, event_value)
    return event, known


def auc(score: FloatArray, event: BoolArray) -> float | None:
    """P(an event scores higher than a non-event) + ½·P(tie): the Mann-Whitney form with midranks.

    None when there are no events or no non-events (the figure is undefined).
    """
    n1 = int(event.sum())
    n0 = int(event.shape[0]) - n1
    if n1 == 0 or n0 == 0:
        return None
    ranks = midranks(score)
    return float((ranks[event].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def midranks(values: FloatArray) -> FloatArray:
    """Ranks 1..n of `values`, tied values sharing the mean of their ranks."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    n = sorted_values.shape[0]
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], n]
    mean_rank = (starts + ends + 1) / 2.0  # ranks starts+1 .. ends, averaged
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


@dataclass(frozen=True)
class KS:
    """The largest gap between the share of events and of non-events scoring at or above a cut."""

    statistic: float
    cut: float
    """The score at which the gap is largest: contacting score >= cut separates best."""


def ks(score: FloatArray, event: BoolArray) -> KS | None:
    """max over cuts t of |TPR(t) − FPR(t)|, TPR(t) = share of events with score >= t.

    Cuts are the distinct scores, so tied scores are never split. None when a class is empty.
    """
    n1 = int(event.sum())
    n0 = int(event.shape[0]) - n1
    if n1 == 0 or n0 == 0:
        return None
    order = np.argsort(-score, kind="mergesort")
    s, e = score[order], event[order]
    last_of_value = np.r_[s[1:] != s[:-1], True]
    tpr = np.cumsum(e)[last_of_value] / n1
    fpr = np.cumsum(~e)[last_of_value] / n0
    gap = np.abs(tpr - fpr)
    best = int(np.argmax(gap))
    return KS(float(gap[best]), float(s[last_of_value][best]))


def rank_order(score: FloatArray, tiebreak: IntArray) -> IntArray:
    """Row indices by score descending, then key ascending (`ScoredRows.tiebreak`)."""
    return np.lexsort((tiebreak, -score))


def ntile(score: FloatArray, tiebreak: IntArray, n: int) -> IntArray:
    """SQL's NTILE(n) OVER (ORDER BY score DESC, key ASC): classes 1..n, 1 the highest scores.

    The first (rows mod n) classes hold one row more than the others. Rows must all have a score;
    `tiebreak` orders equal scores (the key's rank, `ScoredRows.tiebreak`).
    """
    rows = score.shape[0]
    order = rank_order(score, tiebreak)
    cls = ranking.ntile(np.arange(rows), rows, n, np.where)
    out = np.empty(rows, dtype=np.int64)
    out[order] = cls
    return out


@dataclass(frozen=True)
class ClassRow:
    """One line of the table by class; `cum_*` cover classes 1..this one."""

    cls: int
    rows: int
    events: int
    event_rate: float | None
    lift: float | None
    min_score: float | None
    max_score: float | None
    cum_rows: int
    cum_events: int
    cum_rows_share: float
    cum_capture: float | None
    cum_lift: float | None


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


def class_table(
    score: FloatArray, event: BoolArray, cls: IntArray, n: int, *, fewer: bool = False
) -> list[ClassRow]:
    """Rows, events, event rate, lift and cumulative capture for classes 1..n (cls 0 skipped).

    Rows are listed where events are expected first: classes 1..n (highest scores first) when a
    high score means more events, n..1 when it means fewer (credit), so the cumulative figures
    always read "the riskiest share of the base holds this share of the events"."""
    total_rows = int((cls > 0).sum())
    total_events = int(event[cls > 0].sum())
    overall = _ratio(total_events, total_rows)
    out: list[ClassRow] = []
    cum_rows = cum_events = 0
    for c in range(n, 0, -1) if fewer else range(1, n + 1):
        sel = cls == c
        rows = int(sel.sum())
        events = int(event[sel].sum())
        cum_rows += rows
        cum_events += events
        rate = _ratio(events, rows)
        cum_rate = _ratio(cum_events, cum_rows)
        out.append(
            ClassRow(
                cls=c,
                rows=rows,
                events=events,
                event_rate=rate,
                lift=None if rate is None or not overall else rate / overall,
                min_score=float(score[sel].min()) if rows else None,
                max_score=float(score[sel].max()) if rows else None,
                cum_rows=cum_rows,
                cum_events=cum_events,
                cum_rows_share=cum_rows / total_rows if total_rows else 0.0,
                cum_capture=_ratio(cum_events, total_events),
                cum_lift=None if cum_rate is None or not overall else cum_rate / overall,
            )
        )
    return out


def top_bottom_ratio(table: Sequence[ClassRow]) -> float | None:
    """Event rate of the top class over that of the bottom class (among classes with rows).

    None when the bottom class has no events (the ratio is unbounded) or there are no rows.
    """
    filled = [r for r in table if r.rows]
    if not filled or filled[-1].event_rate in (None, 0.0):
        return None
    top = filled[0].event_rate
    bottom = filled[-1].event_rate
    assert top is not None and bottom is not None
    return top / bottom


@dataclass(frozen=True)
class RuleStat:
    """How often a rule fires among the evaluated rows and how eventful those rows are."""

    name: str
    label: str | None
    fired: int
    firing_rate: float | None
    events_fired: int
    event_rate_fired: float | None
    event_rate_not_fired: float | None
    lift_fired: float | None


def rule_stats(rows: ScoredRows, event: BoolArray) -> list[RuleStat]:
    overall = _ratio(int(event.sum()), len(rows))
    out = []
    for rule in rows.rules:
        f = rule.fired
        n_f = int(f.sum())
        rate_f = _ratio(int(event[f].sum()), n_f)
        out.append(
            RuleStat(
                name=rule.name,
                label=rule.label,
                fired=n_f,
                firing_rate=_ratio(n_f, len(rows)),
                events_fired=int(event[f].sum()),
                event_rate_fired=rate_f,
                event_rate_not_fired=_ratio(int(event[~f].sum()), len(rows) - n_f),
                lift_fired=None if rate_f is None or not overall else rate_f / overall,
            )
        )
    return out


@dataclass(frozen=True)
class EntryStat:
    """One bins entry (index 0: rows no entry matched, which score 0 points)."""

    index: int
    text: str
    points: float
    rows: int
    share: float | None
    events: int
    event_rate: float | None
    lift: float | None


@dataclass(frozen=True)
class BinsStat:
    name: str
    label: str | None
    on: str
    entries: list[EntryStat]


def bins_stats(rows: ScoredRows, event: BoolArray) -> list[BinsStat]:
    overall = _ratio(int(event.sum()), len(rows))
    out = []
    for block in rows.bins:
        stats = []
        entries = [*block.entries, ("(no entry)", 0.0)]
        for i, (text, points) in enumerate(entries, start=1):
            index = 0 if i == len(entries) else i
            sel = block.matched == index
            n = int(sel.sum())
            if index == 0 and n == 0:
                continue
            rate = _ratio(int(event[sel].sum()), n)
            stats.append(
                EntryStat(
                    index=index,
                    text=text,
                    points=points,
                    rows=n,
                    share=_ratio(n, len(rows)),
                    events=int(event[sel].sum()),
                    event_rate=rate,
                    lift=None if rate is None or not overall else rate / overall,
                )
            )
        out.append(BinsStat(block.name, block.label, block.on, stats))
    return out


@dataclass(frozen=True)
class CampaignRow:
    """Contacting classes 1..cls: who is contacted, what it earns and costs."""

    cls: int
    contacts: int
    events: int
    revenue: float
    cost: float
    profit: float


@dataclass(frozen=True)
class Campaign:
    value: float
    cost: float
    rows: list[CampaignRow]
    best_cut: int
    """Contact classes 1..best_cut; 0 means no cut earns more than it costs."""
    best_profit: float


def campaign(table: Sequence[ClassRow], value: float, cost: float) -> Campaign:
    """Profit of contacting classes 1..i = events × value − contacts × cost; the best i wins.

    Ties go to the smaller campaign; when no cut makes a profit the best cut is 0 (contact no one).
    """
    rows = [
        CampaignRow(
            r.cls,
            r.cum_rows,
            r.cum_events,
            r.cum_events * value,
            r.cum_rows * cost,
            r.cum_events * value - r.cum_rows * cost,
        )
        for r in table
    ]
    best_cut, best_profit = 0, 0.0
    for r in rows:
        if r.profit > best_profit:
            best_cut, best_profit = r.cls, r.profit
    return Campaign(value, cost, rows, best_cut, best_profit)


@dataclass(frozen=True)
class Histogram:
    """Equal-width score bins over the evaluated rows, split by outcome (for the chart)."""

    edges: list[float]
    events: list[int]
    non_events: list[int]


def histogram(score: FloatArray, event: BoolArray, bins: int = 20) -> Histogram:
    if score.shape[0] == 0:
        return Histogram([], [], [])
    lo, hi = float(score.min()), float(score.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    ev, _ = np.histogram(score[event], edges)
    ne, _ = np.histogram(score[~event], edges)
    return Histogram([float(x) for x in edges], [int(x) for x in ev], [int(x) for x in ne])


@dataclass(frozen=True)
class Coverage:
    """Which rows the figures cover: rows with a score and a known outcome."""

    rows: int
    unscored: int
    unscored_events: int
    unknown_outcome: int
    evaluated: int
    events: int
    event_rate: float | None


@dataclass(frozen=True)
class Evaluation:
    coverage: Coverage
    auc: float | None
    gini: float | None
    ks: KS | None
    class_source: str
    """"card" (the card's classes), "override" (--classes N), "deciles" or "bands" (--bands)."""
    classes: list[ClassRow]
    top_bottom_ratio: float | None
    rules: list[RuleStat]
    bins: list[BinsStat]
    campaign: Campaign | None
    histogram: Histogram
    high_score_means: str = "more"
    """"more" events (marketing) or "fewer" (credit): how the figures were oriented."""
    band_labels: list[str] = field(default_factory=list)
    """With `--bands`: the label of band 1, 2, ... (`classes` then holds bands, 1 the highest)."""


def evaluate(
    rows: ScoredRows,
    event: BoolArray,
    known: BoolArray,
    *,
    n_classes: int | None = None,
    value: float | None = None,
    cost: float | None = None,
    high_score_means: str = "more",
    band_cuts: Sequence[float] | None = None,
) -> Evaluation:
    """Every figure of `scorecard evaluate` for scored rows and their outcome.

    With `high_score_means="fewer"` (credit: a high score is a good customer), AUC, Gini and
    KS are those of the score read the other way (`-score`), as scikit-learn gives them for the
    event with the score negated, and the class table starts at the lowest scores.

    Classes: the card's own (as `apply` gives them) unless `n_classes` is given or the card has
    none; then NTILE(n) over the evaluated rows (10 when not given), ordered as the card's classes.
    With `band_cuts` the table is by fixed score band instead (engine.evaluate.bands), band 1
    the highest, so the campaign view contacts bands from the top down.
    """
    scored = rows.has_score
    use = scored & known
    if not use.any():
        raise ReportError(
            f"no row has both a score and a known outcome ({len(rows)} rows, "
            f"{int((~scored).sum())} without a score, {int((scored & ~known).sum())} scored "
            "without an outcome): there is nothing to evaluate"
        )
    ev_rows = rows.take(use)
    ev = event[use]
    score = ev_rows.score
    band_labels: list[str] = []
    if band_cuts is not None:
        cls, n, source = bands.band_of(score, band_cuts), len(band_cuts) + 1, "bands"
        band_labels = bands.labels(band_cuts)
    elif n_classes is None and ev_rows.cls is not None and ev_rows.n_classes:
        cls, n, source = ev_rows.cls, ev_rows.n_classes, "card"
    else:
        n = n_classes or 10
        source = "override" if n_classes else "deciles"
        cls = ntile(score, ev_rows.tiebreak(), n)
    fewer = high_score_means == "fewer"
    oriented = -score if fewer else score
    table = class_table(score, ev, cls, n, fewer=fewer)
    a = auc(oriented, ev)
    k = ks(oriented, ev)
    if k is not None and fewer:
        k = KS(k.statistic, -k.cut)
    coverage = Coverage(
        rows=len(rows),
        unscored=int((~scored).sum()),
        unscored_events=int((event & known & ~scored).sum()),
        unknown_outcome=int((scored & ~known).sum()),
        evaluated=int(use.sum()),
        events=int(ev.sum()),
        event_rate=_ratio(int(ev.sum()), int(use.sum())),
    )
    camp = None
    if value is not None or cost is not None:
        camp = campaign(table, value or 0.0, cost or 0.0)
    return Evaluation(
        coverage=coverage,
        auc=a,
        gini=None if a is None else 2.0 * a - 1.0,
        ks=k,
        class_source=source,
        classes=table,
        top_bottom_ratio=top_bottom_ratio(table),
        rules=rule_stats(ev_rows, ev),
        bins=bins_stats(ev_rows, ev),
        campaign=camp,
        histogram=histogram(score, ev),
        high_score_means=high_score_means,
        band_labels=band_labels,
    )
