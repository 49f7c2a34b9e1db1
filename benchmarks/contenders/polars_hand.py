"""The reference card written by hand in Polars: what a careful Polars user would write.

    python polars_hand.py DATA.parquet OUT.parquet

Reads only the columns it needs, computes lets, rules (from the shared rule table), bins
(written out), both models through scikit-learn's `predict_proba` on NumPy arrays, score,
excludes, segments, reasons (horizontal max over the contributions, three rounds) and
classes (one sort), and writes the result columns as Parquet.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from reference import (
    BASE,
    GBM_FEATURES,
    LR_FEATURES,
    RULES,
    load_models,
    polars_condition,
    polars_lets,
)

NAMES = [r[0] for r in RULES] + [
    "age_band", "income_band", "tenure_band", "region_pts", "csp_pts", "recency_band",
    "util_band", "bureau_band",
]  # fmt: skip


def points(p: Any) -> pl.Expr:
    if isinstance(p, tuple):
        return p[1] * pl.col(p[2]).cast(pl.Float64)
    return pl.lit(float(p))


def bins() -> list[pl.Expr]:
    age, inc, ten = pl.col("age"), pl.col("income"), pl.col("tenure_months")
    reg, csp, rec = pl.col("region"), pl.col("csp"), pl.col("recency_days")
    util, bur = pl.col("utilisation"), pl.col("bureau_score")
    return [
        pl.when(age.is_null()).then(5.0).when(age < 25).then(20.0).when(age < 35).then(12.0)
        .when(age < 50).then(4.0).when(age < 65).then(0.0).otherwise(-6.0).alias("age_band"),
        pl.when(inc.is_null()).then(0.0).when(inc < 15000).then(15.0).when(inc < 30000).then(8.0)
        .when(inc < 60000).then(0.0).otherwise(-10.0).alias("income_band"),
        pl.when(ten < 6).then(25.0).when(ten < 24).then(10.0).when(ten < 60).then(0.0)
        .otherwise(-12.0).alias("tenure_band"),
        pl.when(reg.is_in(["hdf", "ges", "nor"])).then(5.0).when(reg.is_in(["idf", "pac"]))
        .then(-3.0).when(reg.is_null()).then(0.0).otherwise(1.0).alias("region_pts"),
        pl.when(csp.is_in(["ouvrier", "employe"])).then(8.0)
        .when(csp.is_in(["cadre", "profession_liberale"])).then(-6.0)
        .when(csp == "retraite").then(-2.0).otherwise(0.0).alias("csp_pts"),
        pl.when(rec.is_null()).then(15.0).when(rec <= 30).then(-20.0).when(rec <= 90).then(-5.0)
        .when(rec <= 365).then(10.0).otherwise(25.0).alias("recency_band"),
        pl.when(util.is_null()).then(0.0).when(util < 0.3).then(-5.0).when(util < 0.8).then(3.0)
        .otherwise(12.0).alias("util_band"),
        pl.when(bur.is_null()).then(6.0).when(bur < 500).then(18.0).when(bur < 650).then(7.0)
        .when(bur < 750).then(0.0).otherwise(-9.0).alias("bureau_band"),
    ]  # fmt: skip


def reasons(df: pl.DataFrame, k: int = 3) -> pl.DataFrame:
    """Top-k positive contributions, ties in file order: max, then the first column equal to it."""
    positive = [pl.when(pl.col(n) > 0).then(pl.col(n)) for n in NAMES]
    chosen: list[str] = []
    for r in range(k):
        avail = [
            pl.when(pl.all_horizontal([pl.col(c).fill_null(-1) != i for c in chosen]))
            .then(v) if chosen else v
            for i, v in enumerate(positive)
        ]  # fmt: skip
        df = df.with_columns(pl.max_horizontal(avail).alias("_best"))
        df = df.with_columns(
            pl.coalesce([pl.when(a == pl.col("_best")).then(i) for i, a in enumerate(avail)])
            .cast(pl.Int32)
            .alias(f"_r{r}")
        )
        chosen.append(f"_r{r}")
    return df.with_columns(
        pl.col(c).replace_strict(list(range(len(NAMES))), NAMES, return_dtype=pl.String)
        .alias(f"reason_{r + 1}")
        for r, c in enumerate(chosen)
    )  # fmt: skip


def main(data: str, out: str) -> None:
    gbm, lr = load_models()
    df = pl.read_parquet(data)
    df = df.with_columns(
        **polars_lets(),
        age_f=pl.col("age").fill_null(45),
        income_k=pl.col("income").fill_null(30000.0) / 1000,
        bureau_f=pl.col("bureau_score").fill_null(600),
        visits_f=pl.col("web_visits_30d").fill_null(0),
    ).with_columns(recency_f=pl.col("recency_days").fill_null(365))
    df = df.with_columns(
        [
            pl.when(polars_condition(c)).then(points(p)).otherwise(0.0).alias(n)
            for n, _, c, p in RULES
        ]
        + bins()
    )
    churn = gbm.predict_proba(df.select(GBM_FEATURES).to_numpy().astype(np.float64))[:, 1]
    risk = lr.predict_proba(df.select(LR_FEATURES).to_numpy().astype(np.float64))[:, 1]
    excluded = (
        pl.when(~pl.col("email_opt_in") & ~pl.col("sms_opt_in"))
        .then(pl.lit("No marketing consent"))
        .when(pl.col("age") < 18)
        .then(pl.lit("Minor"))
    )
    df = df.with_columns(
        churn=pl.Series(churn), risk=pl.Series(risk), excluded=excluded
    ).with_columns(
        score=pl.when(pl.col("excluded").is_null()).then(
            (BASE + pl.sum_horizontal(NAMES) + 250 * pl.col("churn") - 60 * pl.col("risk")).clip(
                0, 1000
            )
        )
    )
    s = pl.col("score")
    df = df.with_columns(
        segment=pl.when(s >= 640).then(pl.lit("high")).when(s >= 560).then(pl.lit("medium"))
        .when(s.is_not_null()).then(pl.lit("low")),
        position=pl.int_range(pl.len()).sort_by(
            pl.arg_sort_by([s, pl.col("customer_id")], descending=[True, False], nulls_last=True)
        ),
    )  # fmt: skip
    n = df["score"].is_not_null().sum()
    q, r = divmod(n, 10)
    pos = pl.col("position")
    df = df.with_columns(
        **{
            "class": pl.when(s.is_not_null()).then(
                pl.when(pos < r * (q + 1)).then(pos // (q + 1) + 1)
                .otherwise(r + (pos - r * (q + 1)) // max(q, 1) + 1)
            )
        }
    )  # fmt: skip
    df = reasons(df)
    keep = pl.col("excluded").is_null()
    df.select(
        "customer_id", "score", "segment", "class",
        *[pl.when(keep).then(pl.col(f"reason_{i}")).alias(f"reason_{i}") for i in (1, 2, 3)],
        "excluded",
    ).write_parquet(out)  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
