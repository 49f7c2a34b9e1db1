"""Shared pieces of the model tests: adversarial data, and the compiled-vs-scikit-learn check.

The reference is always scikit-learn's own `predict_proba` / `predict` on the same rows; the
compiled expression runs through the Polars backend (`engine.backends.polars.expressions`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from engine import ir
from engine.backends.polars.expressions import translate
from engine.models import OutputSpec, compile_estimator
from engine.types import ScalarType

TOLERANCE = 1e-12
N_ROWS = 12_000


def numeric_data(
    rng: np.random.Generator, n: int, n_features: int, null_rate: float = 0.1
) -> np.ndarray:
    """Normal features of various scales with a share of NaN; column 0 is integer-valued
    (many rows tie on a split value) and column 1 has two decimals."""
    x = rng.normal(size=(n, n_features)) * rng.uniform(0.5, 20, size=n_features)
    x[:, 0] = np.round(x[:, 0])
    x[:, 1] = np.round(x[:, 1], 2)
    x[rng.random((n, n_features)) < null_rate] = np.nan
    return x


def target(rng: np.random.Generator, x: np.ndarray, kind: str) -> np.ndarray:
    """A target depending on several features (NaN read as 0): binary, 3 classes or a number."""
    z = np.nan_to_num(x)
    score = z[:, 0] / 10 + np.sin(z[:, 1]) + 0.3 * z[:, -1] * (z[:, 0] > 0)
    score = score / (score.std() + 1e-9) + rng.normal(scale=0.5, size=len(z))
    if kind == "binary":
        return (score > 0).astype(int)
    if kind == "multiclass":
        return np.digitize(score, [-0.5, 0.5])
    if kind == "positive":
        return np.exp(score / 2)
    return 3 * score + 1


def tree_thresholds(est: Any) -> dict[int, list[float]]:
    """Every split threshold of every tree in a model, per feature index."""
    found: dict[int, list[float]] = {}
    trees: list[Any] = []
    if hasattr(est, "tree_"):
        trees = [est.tree_]
    elif hasattr(est, "estimators_"):
        trees = [t.tree_ for t in np.asarray(est.estimators_, dtype=object).ravel()]
    for t in trees:
        internal = t.children_left != -1
        for f, thr in zip(t.feature[internal], t.threshold[internal], strict=True):
            found.setdefault(int(f), []).append(float(thr))
    for iteration in getattr(est, "_predictors", []):
        for pred in iteration:
            nodes = pred.nodes[(pred.nodes["is_leaf"] == 0) & (pred.nodes["is_categorical"] == 0)]
            for f, thr in zip(nodes["feature_idx"], nodes["num_threshold"], strict=True):
                found.setdefault(int(f), []).append(float(thr))
    return found


def near(threshold: float) -> list[float]:
    """The threshold, its float32 rounding and the float32 / float64 neighbours around it."""
    if not np.isfinite(threshold):
        return []
    t32 = np.float32(threshold)
    up32 = np.nextafter(t32, np.float32(np.inf))
    down32 = np.nextafter(t32, np.float32(-np.inf))
    return [
        threshold,
        float(t32),
        float(up32),
        float(down32),
        float(np.nextafter(threshold, np.inf)),
        float(np.nextafter(threshold, -np.inf)),
        (float(t32) + float(up32)) / 2,
        (float(t32) + float(down32)) / 2,
    ]


def with_threshold_rows(
    rng: np.random.Generator,
    x: np.ndarray,
    thresholds: dict[int, list[float]],
    columns: Sequence[int] | None = None,
) -> np.ndarray:
    """Rows of `x` where one feature is set to a value at or next to a split threshold.

    `columns` maps model feature indexes to columns of `x` (identity by default).
    """
    rows = []
    for f, values in thresholds.items():
        col = f if columns is None else columns[f]
        for t in sorted(set(values)):
            for v in near(t):
                row = x[rng.integers(len(x))].copy()
                row[col] = v
                rows.append(row)
    if not rows:
        return x
    extra = np.asarray(rows)
    return np.vstack([x, extra])


def float_refs(n: int, prefix: str = "x") -> tuple[ir.Ref, ...]:
    return tuple(ir.Ref(f"{prefix}{i}", ScalarType.FLOAT) for i in range(n))


def evaluate(expr: ir.Expr, frame: pl.DataFrame) -> np.ndarray:
    """The compiled expression run by the Polars backend; null as NaN."""
    out = frame.select(translate(expr).alias("out"))["out"]
    return out.cast(pl.Float64).fill_null(np.nan).to_numpy()


def sklearn_output(est: Any, x: Any, out: OutputSpec) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if out.kind == "probability":
            return np.asarray(est.predict_proba(x), dtype=np.float64)[:, out.class_index or 0]
        return np.asarray(est.predict(x), dtype=np.float64).reshape(-1)


def assert_matches(
    est: Any,
    x: np.ndarray,
    out: OutputSpec,
    feature_types: Sequence[ScalarType] | None = None,
    nan_rows_null: bool | None = None,
) -> np.ndarray:
    """Compile `est`, run it on `x` with Polars, and compare with scikit-learn row by row.

    Rows with a NaN are expected null when scikit-learn refuses NaN for `est`
    (`nan_rows_null`; by default, whether scikit-learn raises on them); otherwise they are
    compared too.
    Returns the compiled output.
    """
    types = list(feature_types or [ScalarType.FLOAT] * x.shape[1])
    feats = tuple(ir.Ref(f"x{i}", t) for i, t in enumerate(types))
    expr = compile_estimator(est, feats, out)
    frame = pl.DataFrame(
        {
            f"x{i}": pl.Series(x[:, i])
            .fill_nan(None)
            .cast(pl.Int64 if t is ScalarType.INT else pl.Float64)
            for i, t in enumerate(types)
        }
    )
    got = evaluate(expr, frame)
    if nan_rows_null is None:
        nan_rows_null = _refuses_nan(est, x, out)
    checked = ~np.isnan(x).any(axis=1) if nan_rows_null else np.ones(len(x), dtype=bool)
    expected = np.full(len(x), np.nan)
    expected[checked] = sklearn_output(est, x[checked], out)
    assert np.isnan(got[~checked]).all(), "a row with a null should give null"
    assert_close(got[checked], expected[checked])
    return got


def _refuses_nan(est: Any, x: np.ndarray, out: OutputSpec) -> bool:
    incomplete = np.isnan(x).any(axis=1)
    if not incomplete.any():
        return False
    try:
        sklearn_output(est, x[incomplete], out)
    except ValueError:
        return True
    return False


def assert_close(got: np.ndarray, expected: np.ndarray) -> None:
    assert got.shape == expected.shape
    both_nan = np.isnan(got) & np.isnan(expected)
    assert (np.isnan(got) == np.isnan(expected)).all(), (
        f"null mismatch in {int((np.isnan(got) != np.isnan(expected)).sum())} rows"
    )
    diff = np.abs(np.where(both_nan, 0.0, got - expected))
    worst = int(np.argmax(diff)) if len(diff) else 0
    assert diff.max(initial=0.0) <= TOLERANCE, (
        f"max |compiled - sklearn| = {diff.max()} at row {worst}: "
        f"{got[worst]!r} vs {expected[worst]!r}"
    )


def frame_to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """The same rows as scikit-learn sees them from pandas (null strings as None, NaN floats)."""
    return frame.to_pandas()
