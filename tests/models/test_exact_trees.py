"""Decision trees and forests: compiled Polars output equals scikit-learn's on >= 10,000 rows,
including values exactly at, and float32/float64 neighbours of, every split threshold, and
nulls (routed by `missing_go_to_left`, whether or not the model saw NaN when fitted)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ExtraTreeClassifier,
    ExtraTreeRegressor,
)

from engine.models import OutputSpec
from engine.types import ScalarType
from tests.models.helpers import (
    N_ROWS,
    assert_matches,
    numeric_data,
    target,
    tree_thresholds,
    with_threshold_rows,
)

CLASSIFIERS = [
    DecisionTreeClassifier(max_depth=8, random_state=0),
    ExtraTreeClassifier(max_depth=8, random_state=0),
    RandomForestClassifier(n_estimators=12, max_depth=6, random_state=0),
    ExtraTreesClassifier(n_estimators=12, max_depth=6, random_state=0),
]
REGRESSORS = [
    DecisionTreeRegressor(max_depth=8, random_state=0),
    ExtraTreeRegressor(max_depth=8, random_state=0),
    RandomForestRegressor(n_estimators=12, max_depth=6, random_state=0),
    ExtraTreesRegressor(n_estimators=12, max_depth=6, random_state=0),
]


def _data(seed: int, fit_with_nan: bool, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = numeric_data(rng, N_ROWS, 5, null_rate=0.08)
    y = target(rng, x, kind)
    x_fit = x if fit_with_nan else np.nan_to_num(x, nan=0.0)
    return x_fit, y, x


@pytest.mark.parametrize("fit_with_nan", [True, False], ids=["fit-nan", "fit-complete"])
@pytest.mark.parametrize("est", CLASSIFIERS, ids=lambda e: type(e).__name__)
def test_tree_classifiers_exact(est: object, fit_with_nan: bool) -> None:
    from sklearn.base import clone

    model = clone(est)
    x_fit, y, x = _data(1, fit_with_nan, "multiclass")
    model.fit(x_fit, y)
    rng = np.random.default_rng(2)
    x_eval = with_threshold_rows(rng, x, tree_thresholds(model))
    assert len(x_eval) >= 10_000
    for k in range(3):
        assert_matches(model, x_eval, OutputSpec("probability", k))


@pytest.mark.parametrize("fit_with_nan", [True, False], ids=["fit-nan", "fit-complete"])
@pytest.mark.parametrize("est", REGRESSORS, ids=lambda e: type(e).__name__)
def test_tree_regressors_exact(est: object, fit_with_nan: bool) -> None:
    from sklearn.base import clone

    model = clone(est)
    x_fit, y, x = _data(3, fit_with_nan, "number")
    model.fit(x_fit, y)
    x_eval = with_threshold_rows(np.random.default_rng(4), x, tree_thresholds(model))
    assert_matches(model, x_eval, OutputSpec("prediction"))


def test_binary_tree_with_int_feature() -> None:
    """An int input is cast to float64 then float32, as numpy does for scikit-learn."""
    rng = np.random.default_rng(5)
    x = numeric_data(rng, N_ROWS, 3)
    x[:, 0] = np.where(np.isnan(x[:, 0]), np.nan, np.round(x[:, 0] * 1000))  # large ints
    y = target(rng, x, "binary")
    model = RandomForestClassifier(n_estimators=8, max_depth=8, random_state=0).fit(x, y)
    x_eval = with_threshold_rows(rng, x, {0: tree_thresholds(model).get(0, [])})
    x_eval[:, 0] = np.round(x_eval[:, 0])  # int columns hold whole numbers
    types = [ScalarType.INT, ScalarType.FLOAT, ScalarType.FLOAT]
    assert_matches(model, x_eval, OutputSpec("probability", 1), feature_types=types)


def test_values_beyond_float32_precision() -> None:
    """Above 2**24, float32 rounding decides the branch (epoch seconds, amounts in cents)."""
    rng = np.random.default_rng(6)
    x = rng.uniform(1.7e9, 1.8e9, size=(N_ROWS, 2)).round()
    y = (x[:, 0] + rng.normal(scale=2e7, size=N_ROWS) > 1.75e9).astype(int)
    model = DecisionTreeClassifier(max_depth=10, random_state=0).fit(x, y)
    x_eval = with_threshold_rows(rng, x, tree_thresholds(model))
    got = assert_matches(model, x_eval, OutputSpec("probability", 1))
    # Comparing the float64 value directly would send some of these rows the other way.
    assert len(got) >= 10_000
