"""Compiled Polars expressions vs scikit-learn's predict_proba / predict, per model family.

    .venv/bin/python benchmarks/models_bench.py [--rows 1000000] [--only NAME]

For each family it trains a model on 20,000 generated rows, then times, on the same `--rows`
rows (8 features, 5% nulls): scikit-learn on a NumPy matrix, and the compiled expression run
by Polars. It prints the tree-node count and the ratio compiled / scikit-learn; models above
shows which path `apply` picks (engine/models/cost.py); slower compiled forms run on the batch path in `apply`.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from engine import ir
from engine.backends.polars.expressions import translate
from engine.models import OutputSpec, compile_estimator
from engine.models.compile import final_estimator
from engine.models.linking import _batch_is_faster
from engine.models.trees import total_nodes
from engine.types import ScalarType

N_FEATURES = 8

FAMILIES: dict[str, Callable[[], Any]] = {
    "logistic (imputer+scaler)": lambda: make_pipeline(
        SimpleImputer(), StandardScaler(), LogisticRegression()
    ),
    "ridge (imputer)": lambda: make_pipeline(SimpleImputer(), Ridge()),
    "decision tree depth 8": lambda: DecisionTreeClassifier(max_depth=8, random_state=0),
    "gradient boosting 100x3": lambda: make_pipeline(
        SimpleImputer(), GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=0)
    ),
    "gradient boosting 100x3 no imputer": lambda: GradientBoostingClassifier(
        n_estimators=100, max_depth=3, random_state=0
    ),
    "decision tree depth 4": lambda: DecisionTreeClassifier(max_depth=4, random_state=0),
    "gradient boosting 3 classes 50x3": lambda: make_pipeline(
        SimpleImputer(), GradientBoostingClassifier(n_estimators=50, max_depth=3, random_state=0)
    ),
    "hist boosting 100 iter": lambda: HistGradientBoostingClassifier(max_iter=100, random_state=0),
    "hist boosting 3 classes 50 iter": lambda: HistGradientBoostingClassifier(
        max_iter=50, random_state=0
    ),
    "random forest 30x8": lambda: RandomForestClassifier(
        n_estimators=30, max_depth=8, random_state=0
    ),
    "random forest 100x8": lambda: RandomForestClassifier(
        n_estimators=100, max_depth=8, random_state=0
    ),
    "extra trees 30x8": lambda: ExtraTreesClassifier(n_estimators=30, max_depth=8, random_state=0),
}


def data(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.normal(size=(n, N_FEATURES))
    x[rng.random(x.shape) < 0.05] = np.nan
    return x


def labels(x: np.ndarray, classes: int) -> np.ndarray:
    z = np.nan_to_num(x)
    score = z[:, 0] + np.sin(2 * z[:, 1]) + z[:, 2] * z[:, 3]
    return np.digitize(score, np.quantile(score, np.linspace(0, 1, classes + 1)[1:-1]))


def run(name: str, rows: int) -> None:
    rng = np.random.default_rng(0)
    model = FAMILIES[name]()
    x_train = data(rng, 20_000)
    if "no imputer" in name:
        x_train = np.nan_to_num(x_train)
    classes = 3 if "3 classes" in name else 2
    y = labels(x_train, classes)
    if name.startswith("ridge"):
        model.fit(x_train, y.astype(float))
        out = OutputSpec("prediction")
    else:
        model.fit(x_train, y)
        out = OutputSpec("probability", 1)
    x = data(rng, rows)
    if "no imputer" in name:
        x = np.nan_to_num(x)
    feats = tuple(ir.Ref(f"x{i}", ScalarType.FLOAT) for i in range(N_FEATURES))
    frame = pl.DataFrame({f"x{i}": x[:, i] for i in range(N_FEATURES)}).fill_nan(None)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        if out.kind == "probability":
            model.predict_proba(x)
        else:
            model.predict(x)
        sk = time.perf_counter() - start

    start = time.perf_counter()
    expr = translate(compile_estimator(model, feats, out))
    frame.select(expr.alias("out"))
    compiled = time.perf_counter() - start
    nodes = total_nodes(final_estimator(model))
    path = "batch" if _batch_is_faster(model) is not None else "compiled"
    print(
        f"{name:34s} nodes={nodes:7d}  sklearn={sk:7.2f}s  polars={compiled:7.2f}s  "
        f"ratio={compiled / sk:6.2f}  apply uses: {path}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--only", action="append", help="run only families containing this")
    args = parser.parse_args()
    for name in FAMILIES:
        if args.only and not any(o in name for o in args.only):
            continue
        run(name, args.rows)


if __name__ == "__main__":
    main()
