"""Compile a fitted estimator (or Pipeline) into one expression over the card's features.

`compile_estimator` either returns the expression or raises `Unsupported` naming the estimator
and why; the caller then runs the model on the batch path instead (Polars only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sklearn.utils import get_tags

from engine import ir
from engine.models.features import OutputSpec
from engine.models.hist import hist_gradient_boosting
from engine.models.irutil import Unsupported, as_float, null_if_missing
from engine.models.linear import linear_regression, logistic_regression
from engine.models.pipeline import transform
from engine.models.trees import decision_tree, forest, gradient_boosting
from engine.types import ScalarType

Compiler = Callable[[Any, Sequence[ir.Expr], OutputSpec], ir.Expr]

FINAL: dict[str, tuple[Compiler, bool]] = {
    # name -> (compiler, whether the compiled form routes nulls itself)
    "LogisticRegression": (logistic_regression, False),
    "LinearRegression": (linear_regression, False),
    "Ridge": (linear_regression, False),
    "Lasso": (linear_regression, False),
    "ElasticNet": (linear_regression, False),
    "DecisionTreeClassifier": (decision_tree, True),
    "DecisionTreeRegressor": (decision_tree, True),
    "ExtraTreeClassifier": (decision_tree, True),
    "ExtraTreeRegressor": (decision_tree, True),
    "RandomForestClassifier": (forest, True),
    "RandomForestRegressor": (forest, True),
    "ExtraTreesClassifier": (forest, True),
    "ExtraTreesRegressor": (forest, True),
    "GradientBoostingClassifier": (gradient_boosting, True),
    "GradientBoostingRegressor": (gradient_boosting, True),
    "HistGradientBoostingClassifier": (hist_gradient_boosting, True),
    "HistGradientBoostingRegressor": (hist_gradient_boosting, True),
}
"""The supported final estimators. Trees route nulls by `missing_go_to_left` when scikit-learn
accepts NaN for them (`allow_nan` tag); otherwise the output is null for a row with a null."""


def final_estimator(est: Any) -> Any:
    steps = getattr(est, "steps", None)
    return steps[-1][1] if isinstance(steps, list) else est


def compile_estimator(est: Any, features: Sequence[ir.Expr], out: OutputSpec) -> ir.Expr:
    """The expression giving `out` for a row, reading `features` in the model's order."""
    cols = list(features)
    steps = getattr(est, "steps", None)
    if isinstance(steps, list):
        for _name, step in steps[:-1]:
            cols = transform(step, cols)
        est = steps[-1][1]
    name = type(est).__name__
    entry = FINAL.get(name)
    if entry is None or not type(est).__module__.startswith("sklearn."):
        raise Unsupported(name, "no expression form (it runs on batches in apply)")
    compiler, routes_nulls = entry
    cols = [c if c.type is ScalarType.STRING else as_float(c) for c in cols]
    expr = compiler(est, cols, out)
    if routes_nulls and not get_tags(est).input_tags.allow_nan:
        expr = null_if_missing(cols, expr)
    return expr
