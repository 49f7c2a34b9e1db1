"""Linear models as expressions: `intercept + sum(coef_j * x_j)`, then sigmoid or softmax.

LinearRegression, Ridge, Lasso and ElasticNet predict `X @ coef_ + intercept_`;
LogisticRegression gives `expit(d)` for the positive class of a binary problem (and `1 - p` for
the other), and the softmax of the per-class scores for a multinomial one (scikit-learn 1.9).
Every feature keeps its term even when its coefficient is 0, so a null feature makes the
output null (scikit-learn refuses NaN here).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from engine import ir
from engine.models.features import OutputSpec
from engine.models.irutil import ONE, Unsupported, flt, mul, sigmoid, softmax, sub, total
from engine.types import ScalarType


def _decision(coef: np.ndarray, intercept: float, cols: Sequence[ir.Expr]) -> ir.Expr:
    terms: list[ir.Expr] = [mul(flt(w), c) for w, c in zip(coef, cols, strict=True)]
    terms.append(flt(intercept))
    return total(terms)


def _numeric(est: Any, cols: Sequence[ir.Expr]) -> None:
    if any(c.type is ScalarType.STRING for c in cols):
        raise Unsupported(type(est).__name__, "a text column reaches the linear model")


def linear_regression(est: Any, cols: Sequence[ir.Expr], out: OutputSpec) -> ir.Expr:
    _numeric(est, cols)
    coef = np.asarray(est.coef_, dtype=np.float64)
    if coef.ndim == 2:
        if coef.shape[0] != 1:
            raise Unsupported(type(est).__name__, "several targets")
        coef = coef[0]
    intercept = np.asarray(est.intercept_, dtype=np.float64).reshape(-1)
    return _decision(coef, float(intercept[0]) if intercept.size else 0.0, cols)


def logistic_regression(est: Any, cols: Sequence[ir.Expr], out: OutputSpec) -> ir.Expr:
    _numeric(est, cols)
    coef = np.asarray(est.coef_, dtype=np.float64)
    intercept = np.asarray(est.intercept_, dtype=np.float64).reshape(-1)
    if intercept.size == 0:
        intercept = np.zeros(coef.shape[0])
    k = out.class_index or 0
    if len(est.classes_) <= 2:
        p1 = sigmoid(_decision(coef[0], float(intercept[0]), cols))
        return p1 if k == 1 else sub(ONE, p1)
    scores = [_decision(coef[j], float(intercept[j]), cols) for j in range(coef.shape[0])]
    return softmax(scores, k)
