"""A campaign's returns against its control group, by score class: who was worth contacting?

The campaign table holds, per customer, whether they were contacted (the treatment column:
1/true/yes contacted, 0/false/no held out as control) and whether they responded (the outcome).
Per class of the card:

- response rate of the contacted and of the control customers; the uplift is their difference;
- incremental responses = uplift × contacted customers (what the contact itself brought);
- revenue = incremental responses × value, cost = contacted × cost, profit and ROI;
- a class is worth contacting when its profit is positive (without value and cost: when its
  uplift is positive).

The Qini curve ranks the customers as the card does (score descending, key ascending; the other
way for a card whose high score means fewer events) and gives, after the first k of them,
Q(k) = R_t(k) − R_c(k) · N_t(k) / N_c(k) (responses R and customers N of the treated and the
control among the first k; 0 while no control customer is among them), as scikit-uplift's
`qini_curve` does. Its area (trapezoids over the share of customers, 0..1) minus the area under
the straight line to Q(N) is the Qini coefficient: above 0, the ranking finds the customers the
contact moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.evaluate.metrics import ntile, rank_order, to_events
from engine.evaluate.rows import BoolArray, FloatArray, IntArray, ReportError, ScoredRows


@dataclass(frozen=True)
class ReturnsRow:
    """One class (or the whole campaign, `cls` None)."""

    cls: int | None
    contacted: int
    control: int
    contacted_responses: int
    control_responses: int
    contacted_rate: float | None
    control_rate: float | None
    uplift: float | None
    incremental: float | None
    revenue: float | None
    cost: float | None
    profit: float | None
    roi: float | None
    worth: bool | None


@dataclass(frozen=True)
class Returns:
    rows: list[ReturnsRow]
    total: ReturnsRow
    qini: list[tuple[float, float]]
    """(share of customers ranked, Q) at each of about 100 points of the ranking, and the end."""
    qini_coefficient: float | None
    worth_classes: list[int]
    value: float | None
    cost: float | None
    evaluated: int
    left_out: int
    """Rows without a score, an outcome or a treatment."""


def _rate(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def _row(
    cls: int | None,
    responded: BoolArray,
    treated: BoolArray,
    value: float | None,
    cost: float | None,
) -> ReturnsRow:
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    r_t, r_c = int(responded[treated].sum()), int(responded[~treated].sum())
    rate_t, rate_c = _rate(r_t, n_t), _rate(r_c, n_c)
    uplift = None if rate_t is None or rate_c is None else rate_t - rate_c
    incremental = None if uplift is None else uplift * n_t
    revenue = None if incremental is None or value is None else incremental * value
    spent = None if cost is None else n_t * cost
    profit = None
    if revenue is not None or spent is not None:
        profit = None if incremental is None else (revenue or 0.0) - (spent or 0.0)
    roi = None if profit is None or not spent else profit / spent
    measure = profit if profit is not None else uplift
    worth = None if cls is None or measure is None else measure > 0
    return ReturnsRow(
        cls,
        n_t,
        n_c,
        r_t,
        r_c,
        rate_t,
        rate_c,
        uplift,
        incremental,
        revenue,
        spent,
        profit,
        roi,
        worth,
    )


def qini_curve(
    responded: BoolArray, treated: BoolArray, order: IntArray
) -> tuple[IntArray, FloatArray]:
    """(k, Q(k)) for k = 0..N in the given ranking (`order`: row indices, best first)."""
    y, t = responded[order], treated[order]
    n_t = np.r_[0, np.cumsum(t)]
    n_c = np.r_[0, np.cumsum(~t)]
    r_t = np.r_[0, np.cumsum(y & t)]
    r_c = np.r_[0, np.cumsum(y & ~t)]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(n_c > 0, r_t - r_c * n_t / np.maximum(n_c, 1), 0.0)
    return np.arange(len(order) + 1), q.astype(np.float64)


def qini_coefficient(q: FloatArray) -> float | None:
    """Area between the Qini curve and the straight line to its end, x in shares of customers."""
    n = len(q) - 1
    if n <= 0:
        return None
    x = np.arange(n + 1) / n
    area = float(np.trapezoid(q, x))
    return area - float(q[-1]) / 2.0


def returns(
    rows: ScoredRows,
    responded: BoolArray,
    treated: BoolArray,
    usable: BoolArray,
    *,
    n_classes: int | None = None,
    value: float | None = None,
    cost: float | None = None,
    high_score_means: str = "more",
) -> Returns:
    """The table by class, the campaign's totals and the Qini curve."""
    use = usable & rows.has_score
    if not use.any():
        raise ReportError("no row has a score, an outcome and a treatment: nothing to measure")
    r = rows.take(use)
    y, t = responded[use], treated[use]
    if not t.any() or t.all():
        raise ReportError(
            "the campaign needs contacted and control customers: the treatment column has "
            + ("no control (0/false)" if t.all() else "no contacted customer (1/true)")
        )
    if n_classes is None and r.cls is not None and r.n_classes:
        cls, n = r.cls, r.n_classes
    else:
        n = n_classes or 10
        cls = ntile(r.score, r.tiebreak(), n)
    table = [_row(c, y[cls == c], t[cls == c], value, cost) for c in range(1, n + 1)]
    oriented = -r.score if high_score_means == "fewer" else r.score
    order = rank_order(oriented, r.tiebreak())
    _, q = qini_curve(y, t, order)
    step = max(1, len(q) // 100)
    points = [(k / (len(q) - 1), float(q[k])) for k in range(step, len(q), step)]
    if points[-1][0] != 1.0:
        points.append((1.0, float(q[-1])))
    return Returns(
        rows=table,
        total=_row(None, y, t, value, cost),
        qini=points,
        qini_coefficient=qini_coefficient(q),
        worth_classes=[row.cls for row in table if row.worth and row.cls is not None],
        value=value,
        cost=cost,
        evaluated=int(use.sum()),
        left_out=int((~use).sum()),
    )


def to_treatment(column: str, values: Sequence[object]) -> tuple[BoolArray, BoolArray]:
    """(contacted, known) from a treatment column: 1/true/yes contacted, 0/false/no control."""
    return to_events(column, values)
