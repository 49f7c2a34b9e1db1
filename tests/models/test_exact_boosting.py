"""Gradient boosting and histogram gradient boosting: compiled output equals scikit-learn's.

GradientBoosting refuses NaN, so rows with a null must come out null; histogram boosting
routes NaN itself (and compares raw float64 values, not float32), including categorical splits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from sklearn.ensemble import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)

from engine import ir
from engine.models import OutputSpec, compile_estimator
from engine.types import ScalarType
from tests.models.helpers import (
    N_ROWS,
    assert_close,
    assert_matches,
    evaluate,
    numeric_data,
    sklearn_output,
    target,
    tree_thresholds,
    with_threshold_rows,
)


def _xy(seed: int, kind: str, null_rate: float = 0.08) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = numeric_data(rng, N_ROWS, 5, null_rate=null_rate)
    return x, target(rng, x, kind)


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("binary", {"loss": "log_loss"}),
        ("binary", {"loss": "exponential"}),
        ("multiclass", {}),
    ],
    ids=["binary", "exponential", "multiclass"],
)
def test_gradient_boosting_classifier_exact(kind: str, params: dict[str, str]) -> None:
    x, y = _xy(10, kind)
    model = GradientBoostingClassifier(
        n_estimators=40, max_depth=3, learning_rate=0.2, random_state=0, **params
    ).fit(np.nan_to_num(x), y)
    x_eval = with_threshold_rows(np.random.default_rng(11), x, tree_thresholds(model))
    for k in range(len(model.classes_)):
        assert_matches(model, x_eval, OutputSpec("probability", k), nan_rows_null=True)


@pytest.mark.parametrize("loss", ["squared_error", "huber", "quantile"])
def test_gradient_boosting_regressor_exact(loss: str) -> None:
    x, y = _xy(12, "number")
    model = GradientBoostingRegressor(n_estimators=40, max_depth=3, loss=loss, random_state=0).fit(
        np.nan_to_num(x), y
    )
    x_eval = with_threshold_rows(np.random.default_rng(13), x, tree_thresholds(model))
    assert_matches(model, x_eval, OutputSpec("prediction"), nan_rows_null=True)


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_hist_gradient_boosting_classifier_exact(kind: str) -> None:
    x, y = _xy(14, kind)
    model = HistGradientBoostingClassifier(max_iter=15, random_state=0).fit(x, y)
    x_eval = with_threshold_rows(np.random.default_rng(15), x, tree_thresholds(model))
    for k in range(len(model.classes_)):
        assert_matches(model, x_eval, OutputSpec("probability", k))


@pytest.mark.slow  # three histogram boostings trained; the classifiers stay in the fast loop
@pytest.mark.parametrize("loss", ["squared_error", "poisson", "absolute_error"])
def test_hist_gradient_boosting_regressor_exact(loss: str) -> None:
    x, y = _xy(16, "positive")
    model = HistGradientBoostingRegressor(max_iter=15, loss=loss, random_state=0).fit(x, y)
    x_eval = with_threshold_rows(np.random.default_rng(17), x, tree_thresholds(model))
    assert_matches(model, x_eval, OutputSpec("prediction"))


def test_hist_gradient_boosting_fitted_without_nan() -> None:
    """Missing values unseen in training go to the child with most samples, as sklearn does."""
    x, y = _xy(18, "binary")
    model = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(np.nan_to_num(x), y)
    x_eval = with_threshold_rows(np.random.default_rng(19), x, tree_thresholds(model))
    assert_matches(model, x_eval, OutputSpec("probability", 1))


def test_hist_gradient_boosting_numeric_categories() -> None:
    """Categorical features coded as numbers: known, unknown and null categories."""
    rng = np.random.default_rng(20)
    x = numeric_data(rng, N_ROWS, 3)
    cats = rng.integers(0, 12, size=N_ROWS).astype(float)
    cats[rng.random(N_ROWS) < 0.1] = np.nan
    x = np.column_stack([x[:, 0], cats, x[:, 1], x[:, 2]])
    y = (np.nan_to_num(cats) % 3 == 0).astype(int) ^ (np.nan_to_num(x[:, 0]) > 0)
    model = HistGradientBoostingClassifier(
        max_iter=25, categorical_features=[1], random_state=0
    ).fit(x, y)
    x_eval = x.copy()
    x_eval[::7, 1] = rng.integers(12, 20, size=len(x_eval[::7]))  # categories never seen
    x_eval = with_threshold_rows(rng, x_eval, {0: tree_thresholds(model).get(1, [])}, [0])
    assert_matches(model, x_eval, OutputSpec("probability", 1))


def test_hist_gradient_boosting_text_categories() -> None:
    """A text feature used as a pandas category: the splits test the category names."""
    rng = np.random.default_rng(21)
    n = N_ROWS
    names = np.array(["ouvrier", "employe", "cadre", "artisan", "retraite", "etudiant"])
    csp = names[rng.integers(0, len(names), size=n)].astype(object)
    csp[rng.random(n) < 0.1] = None
    income = np.round(rng.normal(30_000, 12_000, size=n), 2)
    income[rng.random(n) < 0.1] = np.nan
    y = (np.isin(csp, ["cadre", "artisan"]) ^ (np.nan_to_num(income) > 35_000)).astype(int)
    train = pd.DataFrame({"income": income, "csp": pd.Categorical(csp)})
    model = HistGradientBoostingClassifier(
        max_iter=25, categorical_features="from_dtype", random_state=0
    ).fit(train, y)

    csp_eval = csp.copy()
    csp_eval[::9] = "inconnu"  # an unknown category
    income_eval = income.copy()
    thr = tree_thresholds(model).get(1, [])  # internal order: categorical first
    for i, t in enumerate(sorted(set(thr))):
        income_eval[i] = t
    frame = pl.DataFrame({"income": income_eval, "csp": list(csp_eval)}).with_columns(
        pl.col("income").fill_nan(None)
    )
    feats = (ir.Ref("income", ScalarType.FLOAT), ir.Ref("csp", ScalarType.STRING))
    out = OutputSpec("probability", 1)
    got = evaluate(compile_estimator(model, feats, out), frame)
    known = [
        c
        for c in model._preprocessor.named_transformers_["encoder"].categories_[0]
        if isinstance(c, str)
    ]
    # Unknown names become NaN in a pandas category, as the model's encoder would make them.
    as_known = [c if c in known else None for c in csp_eval]
    reference = pd.DataFrame(
        {"income": income_eval, "csp": pd.Categorical(as_known, categories=known)}
    )
    expected = sklearn_output(model, reference, out)
    assert_close(got, expected)


def test_many_trees_add_in_scikit_learns_order_to_the_bit() -> None:
    """A regressor's prediction is its trees added one after another: the compiled sum gives
    the very same float64, on every row and in every run (adding the terms in another order,
    as a horizontal sum may, changes the last bit on most rows)."""
    rng = np.random.default_rng(21)
    x = numeric_data(rng, 3_000, 4, null_rate=0.0)
    y = x @ rng.normal(size=4) + rng.normal(size=len(x))
    model = GradientBoostingRegressor(
        n_estimators=120, max_depth=3, learning_rate=0.3, random_state=0
    ).fit(x, y)
    feats = tuple(ir.Ref(f"x{i}", ScalarType.FLOAT) for i in range(4))
    expr = compile_estimator(model, feats, OutputSpec("prediction"))
    x_eval = numeric_data(np.random.default_rng(22), 400_000, 4, null_rate=0.0)
    frame = pl.DataFrame({f"x{i}": x_eval[:, i] for i in range(4)})
    expected = model.predict(x_eval)
    for _ in range(2):
        got = evaluate(expr, frame)
        differing = int((got != expected).sum())
        assert differing == 0, f"{differing} of {len(got)} rows differ from predict()"
