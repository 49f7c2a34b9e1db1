"""HistGradientBoostingClassifier/Regressor as expressions.

Prediction walks each `TreePredictor` on the raw float64 features (no float32 cast, unlike the
other trees), as `_predict_one_from_raw_data` in
`sklearn/ensemble/_hist_gradient_boosting/_predictor.pyx` does:

- NaN goes to the child `missing_go_to_left` names;
- a numeric node goes left when `x <= num_threshold` (float64);
- a categorical node goes left when the category's code is in the node's left bitset, right
  when it is another known category, and the missing-value way otherwise.

Categorical features are first encoded by the model's own OrdinalEncoder (categorical
columns first, then the numeric ones); unknown categories become NaN there. We compile a
categorical node to a test on the category values themselves, so no encoding step is needed.
The raw score is the baseline plus each iteration's leaf value, then the loss's inverse link.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from engine import ir
from engine.models.features import OutputSpec
from engine.models.irutil import Unsupported, as_float, flt, if_, split, total
from engine.models.link_functions import apply_link
from engine.types import ScalarType

MAX_DEPTH = 200


def _in_bitset(bitset: np.ndarray, value: int) -> bool:
    return bool((int(bitset[value // 32]) >> (value % 32)) & 1)


def _codes(bitset: np.ndarray) -> list[int]:
    return [v for v in range(32 * len(bitset)) if _in_bitset(bitset, v)]


class _Features:
    """The model's internal feature order and, for categorical ones, their category values."""

    def __init__(self, est: Any, cols: Sequence[ir.Expr]) -> None:
        name = type(est).__name__
        pre = getattr(est, "_preprocessor", None)
        if pre is None:
            if any(c.type is ScalarType.STRING for c in cols):
                raise Unsupported(name, "a text feature for a model fitted on numbers")
            self.cols = [as_float(c) for c in cols]
            self.categories: list[list[Any] | None] = [None] * len(cols)
            self.known: np.ndarray | None = None
            return
        mask = np.asarray(est.is_categorical_, dtype=bool)
        order = list(np.flatnonzero(mask)) + list(np.flatnonzero(~mask))
        encoder = pre.named_transformers_["encoder"]
        self.cols = []
        self.categories = []
        for j, original in enumerate(order):
            col = cols[int(original)]
            if j < int(mask.sum()):
                cats = [c for c in encoder.categories_[j] if not _is_nan(c)]
                if col.type is not ScalarType.STRING:
                    if any(isinstance(c, str) for c in cats):
                        raise Unsupported(name, "text categories for a numeric feature")
                    col = as_float(col)
                elif any(not isinstance(c, str) for c in cats):
                    raise Unsupported(name, "numeric categories for a text feature")
                self.cols.append(col)
                self.categories.append(cats)
            else:
                if col.type is ScalarType.STRING:
                    raise Unsupported(name, "a text feature the model reads as a number")
                self.cols.append(as_float(col))
                self.categories.append(None)
        known, f_idx_map = est._bin_mapper.make_known_categories_bitsets()
        self.known = known
        self.f_idx_map = f_idx_map

    def category_literal(self, f: int, code: int) -> ir.Literal:
        cats = self.categories[f]
        assert cats is not None
        value = cats[code]
        if isinstance(value, str):
            return ir.Literal(value, ScalarType.STRING)
        return flt(value)


def _is_nan(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _predictor_expr(pred: Any, feats: _Features) -> ir.Expr:
    nodes = pred.nodes
    if int(nodes["depth"].max()) > MAX_DEPTH:
        raise Unsupported("HistGradientBoosting", f"tree depth > {MAX_DEPTH}")
    bitsets = pred.raw_left_cat_bitsets

    def node(i: int) -> ir.Expr:
        n = nodes[i]
        if n["is_leaf"]:
            return flt(n["value"])
        f = int(n["feature_idx"])
        x = feats.cols[f]
        left, right = node(int(n["left"])), node(int(n["right"]))
        missing_left = bool(n["missing_go_to_left"])
        if n["is_categorical"]:
            assert feats.known is not None
            left_codes = set(_codes(bitsets[int(n["bitset_idx"])]))
            known_codes = _codes(feats.known[int(feats.f_idx_map[f])])
            n_cats = len(feats.categories[f] or [])
            to_left = sorted(c for c in left_codes if c < n_cats)
            to_right = sorted(c for c in known_codes if c not in left_codes and c < n_cats)
            if missing_left:  # right only for a known category outside the left set
                if not to_right:
                    return left
                goes = ir.InList(x, tuple(feats.category_literal(f, c) for c in to_right))
                return if_(goes, right, left)
            if not to_left:
                return right
            goes = ir.InList(x, tuple(feats.category_literal(f, c) for c in to_left))
            return if_(goes, left, right)
        return split(x, x, float(n["num_threshold"]), missing_left, left, right)

    return node(0)


def hist_gradient_boosting(est: Any, cols: Sequence[ir.Expr], out: OutputSpec) -> ir.Expr:
    """The baseline plus every iteration's tree, per raw score, then the inverse link."""
    feats = _Features(est, cols)
    baseline = np.asarray(est._baseline_prediction, dtype=np.float64).reshape(-1)
    n_raw = int(est.n_trees_per_iteration_)
    raw: list[ir.Expr] = []
    bound = 0.0  # the largest |raw score| any row can get
    for k in range(n_raw):
        terms: list[ir.Expr] = [flt(baseline[k])]
        terms.extend(_predictor_expr(it[k], feats) for it in est._predictors)
        raw.append(total(terms))
        reach = abs(float(baseline[k]))
        reach += sum(float(np.abs(it[k].nodes["value"]).max()) for it in est._predictors)
        bound = max(bound, reach)
    return apply_link(est._loss, raw, out, type(est).__name__, bound)
