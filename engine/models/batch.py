"""The batch path: call the estimator itself on a block of rows (used inside Polars).

Used for estimators without an expression form and for models whose expression form is
measured slower than scikit-learn (deep forests). Input: a float64 matrix in the card's
feature order, NaN for null. Output: one float per row, NaN for null. A row with a NaN gets
NaN without calling the estimator when scikit-learn would refuse NaN (its `allow_nan` tag
is false), as the spec's missing-value rule asks.
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
    allow_nan = bool(get_tags(est).input_tags.allow_nan)
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
        rows = np.ones(x.shape[0], dtype=bool) if allow_nan else ~np.isnan(x).any(axis=1)
        if rows.any():
            result[rows] = run(x[rows])
        return result

    return predict
