"""From log-odds to points: the score is a straight line of the regression's log-odds.

score = shift + slope × ln(P(event) / P(non-event)), so with log-odds = α + Σ βᵢ·WoEᵢ:

- base points = shift + slope × α (written as the card's `base_points` param);
- the points of bin j of characteristic i = slope × βᵢ × WoEᵢⱼ.

A bin at the population's average (WoE 0) is worth 0 points, so every bin's points say how far
it moves a customer from the average. Credit scaling (`--pdo --odds --points`): slope =
−pdo / ln 2 and shift = points − slope × ln(1 / odds), since odds there count non-events per
event. Range scaling (`--scale LOW:HIGH`): slope > 0 and shift put the lowest score the card
can give at LOW and the highest at HIGH. With `--round`, every number of the card is rounded
to a whole number (halves away from zero).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.fitting.options import CreditScaling, RangeScaling, Scaling

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Line:
    """score = shift + slope × log-odds of an event."""

    shift: float
    slope: float

    def score(self, log_odds: FloatArray) -> FloatArray:
        return self.shift + self.slope * log_odds


@dataclass(frozen=True)
class Points:
    line: Line
    base: float
    bins: tuple[tuple[float, ...], ...]
    """Per characteristic, the points of each of its bins (card order)."""


def round_half_away(x: float) -> float:
    return float(math.copysign(math.floor(abs(x) + 0.5), x)) + 0.0


def line_for(
    scaling: Scaling, intercept: float, coefficients: Sequence[float], woe: Sequence[FloatArray]
) -> Line:
    if isinstance(scaling, CreditScaling):
        slope = -scaling.factor
        return Line(scaling.points - slope * math.log(1.0 / scaling.odds), slope)
    assert isinstance(scaling, RangeScaling)
    terms = [beta * w for beta, w in zip(coefficients, woe, strict=True)]
    low = intercept + sum(float(t.min()) for t in terms if t.size)
    high = intercept + sum(float(t.max()) for t in terms if t.size)
    if high <= low:
        return Line(scaling.low, 0.0)
    slope = (scaling.high - scaling.low) / (high - low)
    return Line(scaling.low - slope * low, slope)


def points(
    scaling: Scaling,
    intercept: float,
    coefficients: Sequence[float],
    woe: Sequence[FloatArray],
    whole: bool,
) -> Points:
    """The card's base points and the points of every bin."""
    line = line_for(scaling, intercept, coefficients, woe)
    base = line.shift + line.slope * intercept
    per_bin = [line.slope * beta * w for beta, w in zip(coefficients, woe, strict=True)]
    if whole:
        return Points(
            line,
            round_half_away(base),
            tuple(tuple(round_half_away(float(p)) for p in pts) for pts in per_bin),
        )
    return Points(line, base + 0.0, tuple(tuple(float(p) + 0.0 for p in pts) for pts in per_bin))
