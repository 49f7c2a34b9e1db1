"""The logistic regression on WoE: one coefficient per characteristic, fitted by scikit-learn.

scikit-learn's default L2 penalty (C = 1, as optbinning's Scorecard uses it) is kept: on a
few hundred rows it shrinks the coefficients a little and the holdout AUC gains from it
(measured on German credit, docs/fit.md); on many rows it is negligible. The Newton–Cholesky
solver converges in a few passes over the rows, however many there are, for the few columns
a scorecard has.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

FloatArray = npt.NDArray[np.float64]

PENALTY_C = 1.0
"""Inverse strength of the L2 penalty (scikit-learn's default)."""
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Regression:
    features: tuple[str, ...]
    """The characteristics, in the order of the estimator's columns."""
    intercept: float
    coefficients: tuple[float, ...]
    estimator: LogisticRegression
    converged: bool

    def log_odds(self, woe: FloatArray) -> FloatArray:
        """ln(P(event) / P(non-event)) for rows of WoE values (one column per characteristic)."""
        return np.asarray(self.estimator.decision_function(woe), dtype=np.float64)


def fit_logistic(features: tuple[str, ...], woe: FloatArray, event: BoolArray) -> Regression:
    """The regression of `event` on the WoE columns (rows × `features`)."""
    estimator = LogisticRegression(C=PENALTY_C, solver="newton-cholesky", max_iter=100, tol=1e-10)
    # One BLAS thread: the few columns make the products cheap, and on a shared machine
    # BLAS threads waiting for each other cost more than they save (measured 5-30x).
    with (
        threadpool_limits(limits=1, user_api="blas"),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always", ConvergenceWarning)
        estimator.fit(woe, event.astype(np.int64))
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return Regression(
        features,
        float(estimator.intercept_[0]),
        tuple(float(c) for c in estimator.coef_[0]),
        estimator,
        converged,
    )
