"""Cards with real scikit-learn models, scored by `apply`, against scikit-learn's own output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
import skops.io as sio
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

import engine
from engine.api import run_to_file

CARD = """
scorecard m { }
input {
  id : int key
  a  : float
  b  : float
  c  : int
}
let a2 = a * 2.0
model rf = sklearn "rf.skops" { features [a, a2, b, c] output probability }
model lr = sklearn "lr.skops" { features [a, b, c] output probability }
rule likely when lr > 0.5 then 10
score = 100.0 * rf + points
classes 4
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pl.DataFrame, np.ndarray]:
    folder = tmp_path_factory.mktemp("models")
    rng = np.random.default_rng(7)
    n = 3000
    a = rng.normal(size=n)
    b = rng.normal(size=n)
    c = rng.integers(0, 5, size=n)
    y = (a + 0.5 * b - 0.3 * c + rng.normal(scale=0.5, size=n) > 0).astype(int)
    x_rf = np.column_stack([a, 2 * a, b, c]).astype(np.float64)
    x_lr = np.column_stack([a, b, c]).astype(np.float64)
    rf = RandomForestClassifier(n_estimators=60, max_depth=12, random_state=0).fit(x_rf, y)
    lr = LogisticRegression().fit(x_lr, y)
    sio.dump(rf, folder / "rf.skops")
    sio.dump(lr, folder / "lr.skops")
    (folder / "m.scorecard").write_text(CARD, encoding="utf-8")
    # Scoring data with missing values in every feature.
    m = 500
    sa = rng.normal(size=m)
    sb = rng.normal(size=m)
    sc = rng.integers(0, 5, size=m).astype(float)
    sa[::17] = np.nan
    sb[::23] = np.nan
    frame = pl.DataFrame(
        {"id": np.arange(m), "a": sa, "b": sb, "c": pl.Series(sc).cast(pl.Int64)}
    ).with_columns(pl.when(pl.col("id") % 29 == 0).then(None).otherwise(pl.col("c")).alias("c"))
    cf = frame["c"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    x_rf_s = np.column_stack([sa, 2 * sa, sb, cf])
    x_lr_s = np.column_stack([sa, sb, cf])
    expected_rf = rf.predict_proba(x_rf_s)[:, 1]  # forests take NaN themselves
    ok = ~np.isnan(x_lr_s).any(axis=1)
    expected_lr = np.full(m, np.nan)
    expected_lr[ok] = lr.predict_proba(x_lr_s[ok])[:, 1]
    return folder, frame, np.column_stack([expected_rf, expected_lr])


def to_array(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def check(frame: pl.DataFrame, expected: np.ndarray) -> None:
    rf, lr = to_array(frame["rf"].to_list()), to_array(frame["lr"].to_list())
    np.testing.assert_allclose(rf, expected[:, 0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(lr, expected[:, 1], rtol=1e-9, atol=1e-12)
    # A missing lr makes the rule's condition missing: it does not fire.
    points = np.where(expected[:, 1] > 0.5, 10.0, 0.0)
    score = to_array(frame["score"].to_list())
    np.testing.assert_allclose(score, 100.0 * expected[:, 0] + points, rtol=1e-9)


@pytest.mark.slow  # whole processes
def test_models_in_apply(setup: tuple[Path, pl.DataFrame, np.ndarray]) -> None:
    folder, frame, expected = setup
    card = engine.load(folder / "m.scorecard")
    # The forest is big enough to run through scikit-learn in batches (map_batches); the
    # logistic regression compiles to an expression: both paths are exercised.
    assert list(card.prepare().batch_predictors) == ["rf"]
    check(card.apply(frame, explain=True), expected)


@pytest.mark.slow  # whole processes
def test_models_in_streaming_run(setup: tuple[Path, pl.DataFrame, np.ndarray]) -> None:
    folder, frame, expected = setup
    data, out = folder / "in.parquet", folder / "out.parquet"
    frame.write_parquet(data)
    card = engine.load(folder / "m.scorecard")
    run_to_file([card], data, out, explain=True, streaming=True)
    result = pl.read_parquet(out)
    assert result["id"].to_list() == frame["id"].to_list()
    check(result, expected)
