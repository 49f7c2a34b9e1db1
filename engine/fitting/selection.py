"""Which characteristics enter the regression, and why the others do not.

In order: characteristics whose IV is below the threshold are dropped; the rest, from the
highest IV down, are kept unless their WoE correlates (Pearson, training rows) with an
already kept one beyond the limit — of two correlated characteristics, the one with the
higher IV stays. After the regression, a characteristic whose coefficient has the wrong sign
(its points would run against its own bins' event rates, a sign of collinearity) is dropped,
the one with the lowest IV first, and the regression is fitted again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Candidate:
    name: str
    iv: float
    woe: FloatArray
    """The WoE of each training row."""


def by_iv(candidates: Sequence[Candidate], min_iv: float) -> tuple[list[Candidate], dict[str, str]]:
    kept: list[Candidate] = []
    dropped: dict[str, str] = {}
    for c in candidates:
        if c.iv < min_iv:
            dropped[c.name] = f"IV {c.iv:.4f} is below the threshold {min_iv:g}"
        else:
            kept.append(c)
    return kept, dropped


def by_correlation(
    candidates: Sequence[Candidate], max_correlation: float
) -> tuple[list[Candidate], dict[str, str]]:
    """Candidates from the highest IV down; one too correlated with a kept one is dropped."""
    order = sorted(candidates, key=lambda c: (-c.iv, c.name))
    if not order:
        return [], {}
    corr = correlations([c.woe for c in order])
    kept_idx: list[int] = []
    dropped: dict[str, str] = {}
    for i, c in enumerate(order):
        clash = [(abs(corr[i, j]), j) for j in kept_idx if abs(corr[i, j]) > max_correlation]
        if clash:
            _, j = max(clash)
            dropped[c.name] = (
                f"its WoE correlates with {order[j].name!r} (r = {corr[i, j]:+.2f}, above "
                f"{max_correlation:g}), which has the higher IV"
            )
        else:
            kept_idx.append(i)
    kept_names = {order[i].name for i in kept_idx}
    return [c for c in candidates if c.name in kept_names], dropped


CORRELATION_ROWS = 200_000
"""Correlations are measured on at most this many training rows (every k-th row): the
threshold decision needs two decimals, not a million rows."""


def correlations(columns: Sequence[FloatArray]) -> FloatArray:
    """Pearson correlations of the columns (0 where a column is constant), with one BLAS
    thread (see `engine.fitting.regression`)."""
    step = max(1, -(-columns[0].shape[0] // CORRELATION_ROWS))
    matrix = np.column_stack([c[::step] for c in columns])
    matrix = matrix - matrix.mean(axis=0)
    with threadpool_limits(limits=1, user_api="blas"):
        cross: FloatArray = matrix.T @ matrix
    scale = np.sqrt(np.diag(cross))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr: FloatArray = cross / np.outer(scale, scale)
    return np.nan_to_num(corr, nan=0.0, posinf=0.0, neginf=0.0)


def wrong_sign(coefficients: Sequence[float], candidates: Sequence[Candidate]) -> Candidate | None:
    """The lowest-IV characteristic whose coefficient is positive (WoE counts non-events, so
    a characteristic that works as its bins say has a negative coefficient on the log-odds
    of an event)."""
    wrong = [c for beta, c in zip(coefficients, candidates, strict=True) if beta > 0]
    return min(wrong, key=lambda c: (c.iv, c.name)) if wrong else None
