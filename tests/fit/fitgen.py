"""Generated credit-like tables for the fit tests: nulls, special codes, rare categories."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

REGIONS = ["nord", "sud", "est", "ouest", "centre", "idf"]
RARE = [f"dom{i}" for i in range(8)]


def make_table(n: int = 6000, seed: int = 0) -> pl.DataFrame:
    """One row per customer with an outcome `bad` that depends non-linearly on the columns."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, n).astype(np.float64)
    age[rng.random(n) < 0.03] = np.nan
    income = np.round(rng.lognormal(10, 0.6, n), 2)
    income[rng.random(n) < 0.08] = np.nan
    special = rng.random(n) < 0.05
    income[special] = -999.0
    util = rng.random(n)
    tenure = rng.integers(0, 240, n)
    share = np.array([0.26, 0.2, 0.18, 0.15, 0.12, 0.09])
    region = rng.choice(REGIONS + RARE, n, p=np.r_[share * 0.96, np.full(8, 0.005)])
    channel = rng.choice(["web", "shop", "phone"], n).astype(object)
    channel[rng.random(n) < 0.02] = None
    owner = rng.random(n) < 0.4
    noise = rng.normal(size=n)
    effect = dict(zip(REGIONS + RARE, [0.3, -0.2, 0.5, 0.0, -0.6, 0.8] + [1.0] * 8, strict=True))
    log_income = np.where(np.isnan(income) | special, 10.0, np.log(np.abs(income) + 1))
    logit = (
        -1.2
        + 0.035 * (45 - np.nan_to_num(age, nan=30.0))
        + 6.0 * (util - 0.5) ** 2
        - 0.7 * (log_income - 10)
        + np.where(special, 0.9, 0.0)
        + np.array([effect[r] for r in region])
        - 0.4 * owner
        - 0.004 * tenure
    )
    bad = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    start = dt.date(2020, 1, 1)
    return pl.DataFrame(
        {
            "customer_id": [f"K{i:06d}" for i in range(n)],
            "age": pl.Series(age).fill_nan(None).cast(pl.Int64),
            "income": pl.Series(income).fill_nan(None),
            "util": util,
            "tenure": tenure,
            "region": region,
            "channel": pl.Series(channel, dtype=pl.String),
            "owner": owner,
            "noise": noise,
            "signup": [start + dt.timedelta(days=int(d)) for d in rng.integers(0, 900, n)],
            "gender": rng.choice(["f", "m"], n),
            "month": rng.integers(1, 4, n),
            "bad": bad,
        }
    )
