"""From binned characteristics to the fitted model: selection, regression, points, scores.

Shared by a fresh fit and a refit from a card (`--from`), which differ only in where the
bins come from and whether characteristics may be dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.diagnostics import ScorecardError, error
from engine.evaluate.metrics import auc, ks
from engine.fitting.bins import BoolArray, Characteristic
from engine.fitting.figures import Performance
from engine.fitting.options import Scaling
from engine.fitting.regression import Regression, fit_logistic
from engine.fitting.scale import Points, points
from engine.fitting.selection import Candidate, by_correlation, by_iv, wrong_sign
from engine.fitting.woe import BinFigures

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Fitted:
    kept: list[Characteristic]
    """In the card's order."""
    figures: dict[str, BinFigures]
    """Training figures of every characteristic, by column."""
    dropped: dict[str, str]
    regression: Regression
    points: Points
    scores: FloatArray
    """The card's score of every row (rules of a `--from` card not included)."""


def select_and_fit(
    characteristics: Sequence[Characteristic],
    train: BoolArray,
    event: BoolArray,
    *,
    min_iv: float | None,
    max_correlation: float | None,
    scaling: Scaling,
    whole: bool,
) -> Fitted:
    """Drop weak, correlated and wrong-signed characteristics (unless the limits are None,
    as for a refit that keeps the card's blocks), regress, and scale to points."""
    figures = {c.column: c.figures(train, event) for c in characteristics}
    by_name = {c.column: c for c in characteristics}
    rows = np.flatnonzero(train)
    candidates = [
        Candidate(c.column, figures[c.column].total_iv, c.woe_column(figures[c.column].woe, rows))
        for c in characteristics
    ]
    dropped: dict[str, str] = {}
    if min_iv is not None:
        candidates, out = by_iv(candidates, min_iv)
        dropped.update(out)
    if max_correlation is not None:
        candidates, out = by_correlation(candidates, max_correlation)
        dropped.update(out)
    y = event[train]
    while True:
        if not candidates:
            raise ScorecardError(
                [
                    error(
                        "E1107",
                        "no characteristic is left to build a card from: "
                        + "; ".join(f"{k}: {v}" for k, v in sorted(dropped.items())),
                        None,
                        "lower --min-iv, or check the target and the --event value",
                    )
                ]
            )
        kept = [by_name[c.name] for c in candidates]
        matrix = np.column_stack([c.woe for c in candidates])
        regression = fit_logistic(tuple(c.column for c in kept), matrix, y)
        if min_iv is None:
            break
        wrong = wrong_sign(regression.coefficients, candidates)
        if wrong is None:
            break
        dropped[wrong.name] = (
            "its coefficient came out with the wrong sign next to the others (its points would "
            "run against its own event rates): what it says is already said by correlated ones"
        )
        candidates = [c for c in candidates if c.name != wrong.name]
    woe = [figures[c.column].woe for c in kept]
    pts = points(scaling, regression.intercept, regression.coefficients, woe, whole)
    scores = np.full(train.shape[0], pts.base)
    for c, bin_points in zip(kept, pts.bins, strict=True):
        scores = scores + np.append(np.asarray(bin_points, dtype=np.float64), 0.0)[c.index]
    return Fitted(kept, figures, dropped, regression, pts, scores)


def performance(
    score: FloatArray, event: BoolArray, rows: BoolArray, higher_is_event: bool
) -> Performance:
    """Rows, events, and AUC/Gini/KS of the score as a ranking of events."""
    s = score[rows] if higher_is_event else -score[rows]
    e = event[rows]
    n = int(rows.sum())
    events = int(e.sum())
    area = auc(s, e) if n else None
    gap = ks(s, e) if n else None
    return Performance(
        n,
        events,
        events / n if n else 0.0,
        area,
        None if area is None else 2.0 * area - 1.0,
        None if gap is None else gap.statistic,
    )
