"""Small builders for the expression trees compiled models produce.

Every float constant is an explicit `Literal(value, FLOAT)`: backends must never let a
threshold take the type of the column it meets (Polars would compare in float32).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from engine import ir
from engine.types import ScalarType

FLOAT = ScalarType.FLOAT
NULL = ir.Literal(None, FLOAT)
ONE = ir.Literal(1.0, FLOAT)


class Unsupported(Exception):
    """The estimator (or a step of it) has no expression form; it runs on the batch path."""

    def __init__(self, estimator: str, reason: str) -> None:
        super().__init__(f"{estimator}: {reason}")
        self.estimator = estimator
        self.reason = reason


def flt(value: float) -> ir.Literal:
    """A float64 constant; NaN and infinities have no literal form and are refused."""
    v = float(value)
    if not math.isfinite(v):
        raise Unsupported("constant", f"a non-finite constant {v!r} in the model")
    return ir.Literal(v, FLOAT)


def as_float(expr: ir.Expr) -> ir.Expr:
    """`expr` as a float: ints and bools are cast (the value scikit-learn sees as float64)."""
    if expr.type is FLOAT:
        return expr
    return ir.Cast(expr, FLOAT)


def add(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.Arith("+", a, b)


def sub(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.Arith("-", a, b)


def mul(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.Arith("*", a, b)


def div(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.Arith("/", a, b)


def total(terms: Sequence[ir.Expr]) -> ir.Expr:
    """The sum of `terms` left to right (one flat node)."""
    if len(terms) == 1:
        return terms[0]
    return ir.Sum(tuple(terms), FLOAT)


def if_(cond: ir.Expr, then: ir.Expr, else_: ir.Expr) -> ir.Expr:
    return ir.If(cond, then, else_, FLOAT)


def any_missing(columns: Sequence[ir.Expr]) -> ir.Expr | None:
    """True when any column is null (None when there is nothing to test)."""
    tests: list[ir.Expr] = [ir.IsMissing(c) for c in columns if not isinstance(c, ir.Literal)]
    if not tests:
        return None
    cond = tests[0]
    for t in tests[1:]:
        cond = ir.Logic("or", cond, t)
    return cond


def null_if_missing(columns: Sequence[ir.Expr], expr: ir.Expr) -> ir.Expr:
    """`expr`, or null when any of `columns` is null (models that refuse missing values)."""
    cond = any_missing(columns)
    return expr if cond is None else if_(cond, NULL, expr)


def sigmoid(x: ir.Expr) -> ir.Expr:
    return ir.Call("sigmoid", (x,), FLOAT)


EXP_SAFE = 700.0
"""exp(x) stays finite for x <= 709.78; below this bound no shift is needed."""


def softmax(raw: Sequence[ir.Expr], k: int, bound: float | None = None) -> ir.Expr:
    """The softmax of the raw scores, class `k`.

    When every raw score is known to lie within +-`bound` <= EXP_SAFE (tree ensembles: the
    sum of the extreme leaves), `exp(r_k) / sum_j exp(r_j)` reads each score once (twice for
    r_k). Otherwise the scores are shifted by their maximum, as scikit-learn does, so no
    exponent is positive; that form repeats the scores and is larger.
    """
    if bound is not None and bound <= EXP_SAFE:
        exps = [ir.Call("exp", (r,), FLOAT) for r in raw]
        return div(exps[k], total(exps))
    top = ir.Call("max", tuple(raw), FLOAT)
    shifted = [ir.Call("exp", (sub(r, top),), FLOAT) for r in raw]
    return div(shifted[k], total(shifted))


def split(
    compared: ir.Expr,
    raw: ir.Expr,
    threshold: float,
    missing_left: bool,
    left: ir.Expr,
    right: ir.Expr,
) -> ir.Expr:
    """A tree node: `left` when `compared <= threshold`, a null going where `missing_left` says.

    `compared` is the feature as the tree compares it (float32 for scikit-learn's trees), `raw`
    the feature itself (for the null test). An infinite threshold (a split that only separates
    missing values) becomes a null test, since SQL has no infinite literal.
    """
    t = float(threshold)
    if math.isinf(t):
        all_go_left = t > 0
        if all_go_left == missing_left:
            return left if all_go_left else right
        present = ir.IsMissing(raw, negated=True)
        return if_(present, left, right) if all_go_left else if_(present, right, left)
    test: ir.Expr = ir.Compare("<=", compared, flt(t))
    if missing_left:
        test = ir.Logic("or", ir.IsMissing(raw), test)
    return if_(test, left, right)
