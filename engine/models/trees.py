"""Decision trees, forests and gradient boosting (scikit-learn's `Tree`) as expressions.

scikit-learn converts X to float32 and walks each tree comparing `float32(x) <= threshold`
with a float64 threshold; a NaN goes to the child `missing_go_to_left` names (see
`sklearn/tree/_tree.pyx`, `Tree._apply_dense`). Each internal node becomes
`If(Float32(x) <= t, left, right)`, or `If(x is missing or Float32(x) <= t, left, right)` when
missing values go left, so a null reaches the same leaf. Leaf values come from
`tree_.value` in float64 (ONNX's float32 leaves would not be exact).

Ensembles combine the trees in scikit-learn's order and arithmetic:
- forests: the sum of the trees' values divided by the number of trees;
- gradient boosting: `init + lr * v_1 + lr * v_2 + ...`, with `lr * v` computed per leaf
  exactly as `predict_stages` does, then the loss's inverse link.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.dummy import DummyClassifier, DummyRegressor

from engine import ir
from engine.models.features import OutputSpec
from engine.models.irutil import (
    FLOAT,
    Unsupported,
    div,
    flt,
    split,
    total,
)
from engine.models.link_functions import apply_link

MAX_DEPTH = 200
"""Deeper trees would nest expressions past what backends and Python's recursion allow."""


def tree_expr(tree: Any, cols: Sequence[ir.Expr], leaf: np.ndarray) -> ir.Expr:
    """One tree: `leaf[node]` is the float64 value of each leaf node."""
    if int(tree.max_depth) > MAX_DEPTH:
        raise Unsupported("tree", f"depth {tree.max_depth} > {MAX_DEPTH}")
    left = tree.children_left
    right = tree.children_right
    feature = tree.feature
    threshold = tree.threshold
    missing_left = tree.missing_go_to_left
    f32 = [ir.Float32(c) for c in cols]

    def node(i: int) -> ir.Expr:
        if left[i] == -1:
            return flt(leaf[i])
        f = int(feature[i])
        return split(
            f32[f],
            cols[f],
            float(threshold[i]),
            bool(missing_left[i]),
            node(int(left[i])),
            node(int(right[i])),
        )

    return node(0)


def _check_single_output(est: Any) -> None:
    if int(getattr(est, "n_outputs_", 1)) != 1:
        raise Unsupported(type(est).__name__, "several outputs")


def decision_tree(est: Any, cols: Sequence[ir.Expr], out: OutputSpec) -> ir.Expr:
    """DecisionTree/ExtraTree Classifier/Regressor: the value of the leaf reached."""
    _check_single_output(est)
    return tree_expr(est.tree_, cols, _leaf_values(est.tree_, out))


def forest(est: Any, cols: Sequence[ir.Expr], out: OutputSpec) -> ir.Expr:
    """RandomForest/ExtraTrees: the mean of the trees, summed in order then divided."""
    _check_single_output(est)
    trees = [tree_expr(t.tree_, cols, _leaf_values(t.tree_, out)) for t in est.estimators_]
    return div(total(trees), flt(len(est.estimators_)))


def _leaf_values(tree: Any, out: OutputSpec) -> np.ndarray:
    values = np.asarray(tree.value, dtype=np.float64)
    column = out.class_index if out.kind == "probability" else 0
    return values[:, 0, column or 0]


def gradient_boosting(est: Any, cols: Sequence[ir.Expr], out: OutputSpec) -> ir.Expr:
    """GradientBoostingClassifier/Regressor: raw score per class, then the loss's link."""
    name = type(est).__name__
    init = est.init_
    if not (isinstance(init, str) and init == "zero") and not isinstance(
        init, DummyClassifier | DummyRegressor
    ):
        raise Unsupported(name, f"init estimator {type(init).__name__}")
    n_features = int(est.n_features_in_)
    # The init prediction is constant: computing it the way predict does gives its exact bits.
    base = np.asarray(est._raw_predict_init(np.zeros((1, n_features))), dtype=np.float64)[0]
    lr = float(est.learning_rate)
    stages = est.estimators_  # shape (n_iterations, K)
    raw: list[ir.Expr] = []
    bound = 0.0  # the largest |raw score| any row can get
    for k in range(stages.shape[1]):
        terms: list[ir.Expr] = [flt(base[k])]
        reach = abs(float(base[k]))
        for i in range(stages.shape[0]):
            t = stages[i, k].tree_
            leaf = lr * np.asarray(t.value, dtype=np.float64)[:, 0, 0]
            terms.append(tree_expr(t, cols, leaf))
            reach += float(np.abs(leaf).max())
        raw.append(total(terms))
        bound = max(bound, reach)
    return apply_link(est._loss, raw, out, name, bound)


def total_nodes(est: Any) -> int:
    """The number of tree nodes an estimator would compile to (0 for non-tree models)."""
    if hasattr(est, "tree_"):
        return int(est.tree_.node_count)
    estimators = getattr(est, "estimators_", None)
    if estimators is not None and hasattr(est, "n_estimators"):
        flat = np.asarray(estimators, dtype=object).ravel()
        return sum(int(t.tree_.node_count) for t in flat if hasattr(t, "tree_"))
    predictors = getattr(est, "_predictors", None)
    if predictors is not None:
        return sum(len(p.nodes) for it in predictors for p in it)
    return 0


__all__ = ["FLOAT", "decision_tree", "forest", "gradient_boosting", "total_nodes", "tree_expr"]
