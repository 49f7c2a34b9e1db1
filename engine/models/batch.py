"""The batch path: call the estimator itself on a block of rows (used inside Polars).

Used for estimators without an expression form and for models whose expression form is
measured slower than scikit-learn (deep forests). Input: a float64 matrix in the card's
feature order, NaN for null. Output: one float per row, NaN for null.

Whether an estimator accepts NaN is decided by scikit-learn itself: a Pipeline's tags do not
say (an imputer may come first), so the whole block is tried, and when scikit-learn refuses it
(ValueError) the rows with a NaN get NaN -- the spec's "a model whose features are null gives
null" -- and only the complete rows are predicted, for this block and the following ones.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.utils import get_tags

from engine.models.features import OutputSpec

BatchPredictor = Callable[[np.ndarray], np.ndarray]


def make_batch_predictor(
    est: Any, out: OutputSpec, feature_names: Sequence[str] | None = None
) -> BatchPredictor:
    """A function from the feature matrix to the model's output column."""
    state = {"refuses_nan": not _may_accept_nan(est)}
    names = list(feature_names) if feature_names is not None else None

    def frame(matrix: np.ndarray) -> Any:
        if names is None:
            return matrix
        import polars as pl  # estimators fitted on data frames select columns by name

        return pl.DataFrame({n: matrix[:, i] for i, n in enumerate(names)})

    def run(matrix: np.ndarray) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "X does not have feature names"
            if out.kind == "probability":
                proba = est.predict_proba(frame(matrix))
                return np.asarray(proba, dtype=np.float64)[:, out.class_index or 0]
            return np.asarray(est.predict(frame(matrix)), dtype=np.float64).reshape(-1)

    def predict(matrix: np.ndarray) -> np.ndarray:
        x = np.asarray(matrix, dtype=np.float64)
        result = np.full(x.shape[0], np.nan)
        if x.shape[0] == 0:
            return result
        complete = ~np.isnan(x).any(axis=1)
        if not state["refuses_nan"] and not complete.all():
            try:
                return run(x)
            except ValueError:
                state["refuses_nan"] = True
        if complete.any():
            result[complete] = run(x[complete])
        return result

    return predict


def _may_accept_nan(est: Any) -> bool:
    """False when scikit-learn surely refuses NaN (a plain estimator whose tag says so)."""
    steps = getattr(est, "steps", None)
    if isinstance(steps, list):
        return True  # depends on the steps: tried on the first block with a NaN
    return bool(get_tags(est).input_tags.allow_nan)
