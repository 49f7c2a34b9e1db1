"""One model of the reference card alone: its compiled Polars expression or `predict_proba`.

    python models_only.py DATA.parquet {churn|risk} {compiled|predict_proba}

Both read the same features (the card's lets, computed in Polars first and not timed inside
the script's figure); the compiled form is what `scorecard compile` and the compiled path of
`apply` use (engine.models.compile_estimator), whatever path `apply` itself picks.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from reference import GBM_FEATURES, LR_FEATURES, load_models, model_features

from engine import ir
from engine.backends.polars.expressions import translate
from engine.models import OutputSpec, compile_estimator
from engine.types import ScalarType

INTS = {"age_f", "tenure_months", "recency_f", "orders_12m", "bureau_f", "visits_f", "n_products",
        "age", "late_payments_12m", "support_calls_6m"}  # fmt: skip


def main(data: str, which: str, how: str) -> None:
    gbm, lr = load_models()
    model, names = (gbm, GBM_FEATURES) if which == "churn" else (lr, LR_FEATURES)
    frame = model_features(pl.read_parquet(data)).select(names)
    start = time.perf_counter()
    if how == "compiled":
        feats = tuple(ir.Ref(n, ScalarType.INT if n in INTS else ScalarType.FLOAT) for n in names)
        expr = translate(compile_estimator(model, feats, OutputSpec("probability", 1)))
        out = frame.select(expr.alias("p"))["p"].to_numpy()
    else:
        out = model.predict_proba(frame.to_numpy().astype(np.float64))[:, 1]
    print(f"{time.perf_counter() - start:.4f} {float(np.nansum(out)):.9e}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
