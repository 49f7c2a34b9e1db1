"""Train the scikit-learn models the bundled scorecards use, from the bundled data.

Run from the repository root (reproducible: fixed seeds, same data, same files):

    .venv/bin/python scorecards/train_models.py

It reads ``scorecards/data/customers.csv`` and writes, in skops format (safe to load, no
sha256 pin needed):

- ``scorecards/models/churn_gbm.skops``: P(churned), a gradient-boosting classifier (depth 3)
  on age, income, tenure_months, recency_days (days from last_order to 2026-11-01) and
  orders_12m, behind a median imputer so customers with missing values still get a score.
  Used by ``churn_risk.scorecard``.
- ``scorecards/models/appetence_lr.skops``: P(bought_insurance), a logistic regression on
  age and income (imputed, standardised) and csp (one-hot, unknown categories ignored).
  Used by ``appetence.scorecard``.

Both are fitted on data frames, so they remember their feature names and `scorecard check`
verifies the card's `features [...]` against them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "customers.csv"
MODELS = HERE / "models"
AS_OF = dt.date(2026, 11, 1)
SEED = 20261101

CHURN_FEATURES = ["age", "income", "tenure_months", "recency_days", "orders_12m"]
APPETENCE_FEATURES = ["age", "income", "csp"]


def load() -> pl.DataFrame:
    """The customer table, with `recency_days` computed as the churn card's let does."""
    frame = pl.read_csv(DATA, try_parse_dates=True)
    recency = (pl.lit(AS_OF) - pl.col("last_order")).dt.total_days()
    return frame.with_columns(
        recency.alias("recency_days"),
        pl.col("age", "income", "tenure_months", "orders_12m").cast(pl.Float64),
    )


def churn_model(frame: pl.DataFrame) -> Pipeline:
    model = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median")),
            (
                "gbm",
                GradientBoostingClassifier(
                    n_estimators=100, max_depth=3, learning_rate=0.1, random_state=SEED
                ),
            ),
        ]
    )
    x = frame.select(CHURN_FEATURES).with_columns(pl.all().cast(pl.Float64))
    model.fit(x.to_pandas(), frame["churned"].to_numpy())
    return model


def appetence_model(frame: pl.DataFrame) -> Pipeline:
    numeric = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    categorical = Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value="inconnu")),
            ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
        ]
    )
    prep = ColumnTransformer([("num", numeric, ["age", "income"]), ("cat", categorical, ["csp"])])
    model = Pipeline([("prep", prep), ("logit", LogisticRegression(C=1.0, max_iter=1000))])
    x = frame.select(APPETENCE_FEATURES).to_pandas()
    x["csp"] = x["csp"].astype(object).where(x["csp"].notna(), float("nan"))
    model.fit(x, frame["bought_insurance"].to_numpy())
    return model


def stable_bytes(model: Any) -> bytes:
    """The skops file with run-independent bytes, so its sha256 is the same on every run.

    skops names objects by their memory address (`__id__`, `<id>.npy`) and stamps zip
    entries with the current time; we renumber the ids in order of appearance and use a
    fixed timestamp. The content is unchanged (checked by reloading in `main`).
    """
    raw = io.BytesIO()
    sio.dump(model, raw)
    source = zipfile.ZipFile(raw)
    schema = source.read("schema.json").decode()
    ids: dict[str, str] = {}
    for found in re.finditer(r'"__id__": (\d+)|"(\d+)\.npy"', schema):
        ident = found.group(1) or found.group(2)
        ids.setdefault(ident, str(len(ids) + 1))

    def renumber(text: str) -> str:
        return re.sub(r"\d{6,}", lambda m: ids.get(m.group(0), m.group(0)), text)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name in sorted(source.namelist(), key=renumber):
            data = source.read(name)
            new_name = renumber(name)
            if name == "schema.json":
                data = renumber(schema).encode()
            info = zipfile.ZipInfo(new_name, date_time=(2026, 11, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return out.getvalue()


def save(model: Any, name: str) -> Path:
    """Write through a temporary file and rename, so a reader never sees half a model."""
    MODELS.mkdir(parents=True, exist_ok=True)
    target = MODELS / name
    fd, tmp = tempfile.mkstemp(dir=MODELS, suffix=".tmp")
    os.close(fd)
    try:
        Path(tmp).write_bytes(stable_bytes(model))
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def main() -> None:
    frame = load()
    for model, name in (
        (churn_model(frame), "churn_gbm.skops"),
        (appetence_model(frame), "appetence_lr.skops"),
    ):
        path = save(model, name)
        reloaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        x = frame.select(model.feature_names_in_.tolist()).to_pandas()
        assert (reloaded.predict_proba(x) == model.predict_proba(x)).all(), name
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        print(
            f"wrote {path.relative_to(HERE.parent)} ({path.stat().st_size:,} bytes, "
            f"sha256 {digest})"
        )


if __name__ == "__main__":
    main()
