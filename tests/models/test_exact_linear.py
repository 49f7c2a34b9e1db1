"""Linear and logistic models, alone and behind preprocessing Pipelines: compiled output
equals scikit-learn's within 1e-12 on >= 10,000 rows with nulls."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, RobustScaler, StandardScaler
from sklearn.tree import DecisionTreeClassifier

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


def _xy(seed: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = numeric_data(rng, N_ROWS, 4, null_rate=0.08)
    return x, target(rng, x, kind)


@pytest.mark.parametrize(
    "est",
    [LinearRegression(), Ridge(alpha=2.0), Lasso(alpha=0.05), ElasticNet(alpha=0.05)],
    ids=lambda e: type(e).__name__,
)
def test_linear_regressors_exact(est: Any) -> None:
    """Fitted on complete rows; a row with any null gives null (scikit-learn refuses NaN)."""
    x, y = _xy(30, "number")
    complete = ~np.isnan(x).any(axis=1)
    model = clone(est).fit(x[complete], y[complete])
    assert_matches(model, x, OutputSpec("prediction"), nan_rows_null=True)


def test_logistic_binary_exact() -> None:
    x, y = _xy(31, "binary")
    model = LogisticRegression().fit(np.nan_to_num(x), y)
    assert_matches(model, x, OutputSpec("probability", 1), nan_rows_null=True)
    assert_matches(model, x, OutputSpec("probability", 0), nan_rows_null=True)


def test_logistic_multinomial_exact() -> None:
    x, y = _xy(32, "multiclass")
    model = LogisticRegression(C=10.0).fit(np.nan_to_num(x), y)
    for k in range(3):
        assert_matches(model, x, OutputSpec("probability", k), nan_rows_null=True)


def test_logistic_with_int_features() -> None:
    x, y = _xy(33, "binary")
    x[:, 0] = np.where(np.isnan(x[:, 0]), np.nan, np.round(x[:, 0]))
    model = make_pipeline(SimpleImputer(strategy="median"), LogisticRegression())
    model.fit(x, y)
    types = [ScalarType.INT, ScalarType.FLOAT, ScalarType.FLOAT, ScalarType.FLOAT]
    assert_matches(model, x, OutputSpec("probability", 1), feature_types=types)


PIPELINES = {
    "imputer-standard-logistic": lambda: make_pipeline(
        SimpleImputer(), StandardScaler(), LogisticRegression()
    ),
    "imputer-minmax-clip-ridge": lambda: make_pipeline(
        SimpleImputer(strategy="median"), MinMaxScaler(clip=True), Ridge()
    ),
    "imputer-robust-lasso": lambda: make_pipeline(
        SimpleImputer(strategy="most_frequent"), RobustScaler(), Lasso(alpha=0.01)
    ),
    "imputer-constant-minmax-elasticnet": lambda: make_pipeline(
        SimpleImputer(strategy="constant", fill_value=-1.5), MinMaxScaler(), ElasticNet(0.01)
    ),
    "standard-logistic-nulls": lambda: make_pipeline(StandardScaler(), LogisticRegression()),
    "imputer-gradient-boosting": lambda: make_pipeline(
        SimpleImputer(), GradientBoostingClassifier(n_estimators=20, random_state=0)
    ),
    "imputer-minmax-forest": lambda: make_pipeline(
        SimpleImputer(), MinMaxScaler(), RandomForestRegressor(6, max_depth=6, random_state=0)
    ),
    "robust-tree-with-nulls": lambda: make_pipeline(
        RobustScaler(), DecisionTreeClassifier(max_depth=7, random_state=0)
    ),
}


@pytest.mark.parametrize("name", list(PIPELINES))
def test_numeric_pipelines_exact(name: str) -> None:
    x, y = _xy(34, "binary")
    model = PIPELINES[name]()
    regression = any(r in name for r in ("ridge", "lasso", "elasticnet", "forest"))
    if name == "standard-logistic-nulls":
        model.fit(x[~np.isnan(x).any(axis=1)], y[~np.isnan(x).any(axis=1)])
    else:
        model.fit(x, y.astype(float) if regression else y)
    out = OutputSpec("prediction") if regression else OutputSpec("probability", 1)
    final = model.steps[-1][1]
    x_eval = x
    if hasattr(final, "tree_") or hasattr(final, "estimators_"):
        # Tree thresholds live in the transformed space: check rows near them there.
        pre = Pipeline(model.steps[:-1])
        xt = with_threshold_rows(
            np.random.default_rng(35), pre.transform(x), tree_thresholds(final)
        )
        x_eval = np.vstack([x, _inverse(pre, xt[len(x) :])])
    nan_null = name in ("standard-logistic-nulls",)
    assert_matches(model, x_eval, out, nan_rows_null=nan_null or None)


def _inverse(pre: Pipeline, xt: np.ndarray) -> np.ndarray:
    """Inputs mapping (approximately) onto the transformed rows: near-threshold inputs."""
    scaler = pre.steps[-1][1]
    if not isinstance(scaler, SimpleImputer):  # an imputer leaves present values as they are
        return np.asarray(scaler.inverse_transform(xt))
    return xt


def _customers(seed: int, n: int) -> tuple[pl.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    csp_names = np.array(["ouvrier", "employe", "cadre", "artisan", "retraite"])
    csp = csp_names[rng.integers(0, len(csp_names), size=n)].astype(object)
    csp[rng.random(n) < 0.08] = None
    region = rng.integers(1, 6, size=n).astype(float)
    age = np.round(rng.uniform(18, 90, size=n))
    age[rng.random(n) < 0.1] = np.nan
    income = np.round(rng.lognormal(10, 0.5, size=n), 2)
    income[rng.random(n) < 0.1] = np.nan
    z = (np.nan_to_num(age, nan=50) - 50) / 15 + np.isin(csp, ["cadre"]) - (region == 3)
    y = (z + rng.normal(size=n) > 0).astype(int)
    frame = pl.DataFrame(
        {"age": age, "income": income, "csp": list(csp), "region": region}
    ).with_columns(pl.col("age", "income").fill_nan(None))
    return frame, y


FEATURES = (
    ir.Ref("age", ScalarType.FLOAT),
    ir.Ref("income", ScalarType.FLOAT),
    ir.Ref("csp", ScalarType.STRING),
    ir.Ref("region", ScalarType.FLOAT),
)


def _column_pipeline(handle_unknown: str, drop: str | None, final: Any) -> Pipeline:
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="constant", fill_value="inconnu"),
        OneHotEncoder(handle_unknown=handle_unknown, drop=drop, sparse_output=False),
    )
    ct = ColumnTransformer(
        [
            ("num", numeric, ["age", "income"]),
            ("cat", categorical, ["csp"]),
            ("reg", OneHotEncoder(handle_unknown=handle_unknown, drop=drop), [3]),
        ]
    )
    return Pipeline([("prep", ct), ("model", final)])


@pytest.mark.parametrize(
    ("handle_unknown", "drop", "final"),
    [
        ("ignore", None, LogisticRegression(max_iter=500)),
        ("error", "first", LogisticRegression(max_iter=500)),
        ("ignore", "if_binary", RandomForestRegressor(n_estimators=5, max_depth=6, random_state=0)),
    ],
    ids=["ignore-logistic", "error-drop-first-logistic", "ignore-forest"],
)
def test_column_transformer_one_hot_exact(
    handle_unknown: str, drop: str | None, final: Any
) -> None:
    """Text and numeric categories one-hot encoded, nulls imputed, unknown categories at
    prediction time (zeros with 'ignore'; null, where scikit-learn would raise, with 'error')."""
    train, y = _customers(36, N_ROWS)
    model = _column_pipeline(handle_unknown, drop, final)
    out = (
        OutputSpec("prediction")
        if not hasattr(final, "predict_proba")
        else OutputSpec("probability", 1)
    )
    model.fit(train.to_pandas(), y.astype(float) if out.kind == "prediction" else y)

    test, _ = _customers(37, N_ROWS)
    unknown = np.zeros(N_ROWS, dtype=bool)
    unknown[::11] = True
    test = test.with_columns(
        pl.when(pl.Series(unknown)).then(pl.lit(7.0)).otherwise(pl.col("region")).alias("region")
    )
    got = evaluate(compile_estimator(model, FEATURES, out), test)
    rows = ~unknown if handle_unknown == "error" else np.ones(N_ROWS, dtype=bool)
    expected = np.full(N_ROWS, np.nan)
    expected[rows] = sklearn_output(model, test.to_pandas()[rows], out)
    assert_close(got, expected)


def test_pandas_reference_sees_nulls_as_missing() -> None:
    """Guard for the test above: pandas gives the imputer None/NaN where Polars has null."""
    frame, _ = _customers(38, 50)
    pdf = frame.to_pandas()
    assert pd.isna(pdf["csp"]).sum() == frame["csp"].null_count()
