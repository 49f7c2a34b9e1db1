"""The spec's complete example card, with its gradient-boosting model trained here on
deterministic data (so the compiled SQL, thresholds included, is the same on every run)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import skops.io
from sklearn.ensemble import GradientBoostingClassifier

ROOT = Path(__file__).resolve().parents[2]
CARD = ROOT / "scorecards" / "churn_risk.scorecard"
DATA = ROOT / "scorecards" / "data" / "customers.csv"
FEATURES = ["age", "income", "tenure_months", "recency_days", "orders_12m"]


def customers() -> pl.DataFrame:
    return pl.read_csv(DATA, try_parse_dates=True, schema_overrides={"last_order": pl.Date})


def full_card(folder: Path) -> Path:
    """The card and `models/churn_gbm.skops` in `folder`; returns the card's path."""
    rng = np.random.default_rng(7)
    n = 400
    x = np.column_stack(
        [
            rng.integers(18, 80, n).astype(float),
            np.round(rng.normal(40_000, 15_000, n), 2),
            rng.integers(0, 120, n).astype(float),
            rng.integers(0, 400, n).astype(float),
            rng.integers(0, 20, n).astype(float),
        ]
    )
    y = ((x[:, 3] > 120) ^ (x[:, 2] > 60) ^ (rng.random(n) < 0.1)).astype(int)
    model = GradientBoostingClassifier(n_estimators=4, max_depth=2, random_state=0).fit(x, y)
    (folder / "models").mkdir(parents=True, exist_ok=True)
    skops.io.dump(model, folder / "models" / "churn_gbm.skops")
    card = folder / "churn_risk.scorecard"
    card.write_text(CARD.read_text(encoding="utf-8"), encoding="utf-8")
    return card
