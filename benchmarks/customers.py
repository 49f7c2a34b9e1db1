"""Generate realistic customer tables for the benchmarks, as Parquet, with fixed seeds.

30 columns of the kinds a CRM extract has: a string key, ages, incomes, dates and a datetime,
counts, amounts, booleans, categories with a skewed distribution, and about 5% nulls in the
nullable columns. Rows are generated in chunks of 1M (each chunk with its own seed), so a
50M-row file never needs the whole table in memory and the same N always gives the same file.

    .venv/bin/python benchmarks/customers.py 100000 benchmarks/data/customers_100k.parquet
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CHUNK = 1_000_000
NULL_RATE = 0.05
SNAPSHOT = dt.date(2026, 11, 1)

REGIONS = ("idf", "ara", "naq", "occ", "hdf", "ges", "pac", "bre", "nor", "pdl", "bfc", "cvl")
REGION_WEIGHTS = (0.30, 0.15, 0.10, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.02, 0.01)
CSPS = ("employe", "ouvrier", "cadre", "retraite", "profession_liberale", "artisan", "etudiant")
CSP_WEIGHTS = (0.32, 0.2, 0.17, 0.15, 0.07, 0.05, 0.04)
CHANNELS = ("web", "store", "app", "phone", "partner")
CHANNEL_WEIGHTS = (0.45, 0.25, 0.18, 0.08, 0.04)


def _choice(
    rng: np.random.Generator, values: tuple[str, ...], weights: tuple[float, ...], n: int
) -> pa.Array:
    codes = rng.choice(len(values), size=n, p=np.asarray(weights) / sum(weights))
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(values)).cast(
        pa.string()
    )


def _nulls(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.random(n) < NULL_RATE


def chunk(start: int, n: int, seed: int) -> pa.Table:
    """Rows start..start+n of the table; the seed depends only on the chunk's position."""
    rng = np.random.default_rng([seed, start // CHUNK])
    ids = pa.array([f"C{i:010d}" for i in range(start, start + n)], pa.string())
    age = rng.integers(16, 91, n)
    income = np.round(rng.lognormal(10.3, 0.55, n), 2)
    tenure = rng.geometric(1 / 40, n).clip(0, 480) - 1
    orders = rng.poisson(np.where(rng.random(n) < 0.25, 0.3, 4.0))
    revenue = np.round(orders * rng.gamma(2.0, 35.0, n), 2)
    returns = rng.binomial(orders, 0.08)
    days_since_order = rng.exponential(120, n).astype(np.int64).clip(0, 3000)
    last_order = np.datetime64(SNAPSHOT) - days_since_order.astype("timedelta64[D]")
    signup = np.datetime64(SNAPSHOT) - (tenure * 30 + rng.integers(0, 30, n)).astype(
        "timedelta64[D]"
    )
    login = np.datetime64(SNAPSHOT, "us") - (rng.exponential(20 * 86400, n) * 1e6).astype(
        "timedelta64[us]"
    )
    credit_limit = rng.choice([500.0, 1000.0, 2000.0, 3000.0, 5000.0, 10000.0], n)
    balance = np.round(credit_limit * rng.beta(1.2, 2.5, n) - rng.exponential(50, n), 2)
    columns: dict[str, tuple[np.ndarray | pa.Array, bool]] = {
        # name: (values, nullable)
        "age": (age, True),
        "income": (income, True),
        "region": (_choice(rng, REGIONS, REGION_WEIGHTS, n), True),
        "csp": (_choice(rng, CSPS, CSP_WEIGHTS, n), True),
        "channel": (_choice(rng, CHANNELS, CHANNEL_WEIGHTS, n), False),
        "gender": (_choice(rng, ("F", "M", "X"), (0.5, 0.48, 0.02), n), True),
        "signup_date": (signup, False),
        "last_order": (last_order, True),
        "last_login": (login, True),
        "tenure_months": (tenure, False),
        "orders_12m": (orders, False),
        "revenue_12m": (revenue, True),
        "returns_12m": (returns, True),
        "complaints_6m": (rng.poisson(0.25, n), True),
        "email_opt_in": (rng.random(n) < 0.82, False),
        "sms_opt_in": (rng.random(n) < 0.55, False),
        "has_app": (rng.random(n) < 0.35, False),
        "balance": (balance, True),
        "credit_limit": (credit_limit, True),
        "late_payments_12m": (rng.poisson(0.4, n), True),
        "n_products": (rng.integers(1, 7, n), False),
        "web_visits_30d": (rng.negative_binomial(2, 0.2, n), True),
        "avg_session_min": (np.round(rng.gamma(2.0, 3.0, n), 3), True),
        "support_calls_6m": (rng.poisson(0.6, n), True),
        "discount_rate": (np.round(rng.beta(1.5, 12, n), 4), True),
        "household_size": (rng.integers(1, 7, n), True),
        "employment_years": (np.round(rng.gamma(2.5, 5.0, n), 1), True),
        "bureau_score": (rng.normal(660, 80, n).round().clip(300, 850).astype(np.int64), True),
        "mortgage": (rng.random(n) < 0.3, False),
    }
    arrays: dict[str, pa.Array] = {"customer_id": ids}
    for name, (values, nullable) in columns.items():
        mask = _nulls(rng, n) if nullable else None
        arrays[name] = (
            values
            if isinstance(values, pa.Array) and mask is None
            else pa.array(
                values.to_numpy(zero_copy_only=False) if isinstance(values, pa.Array) else values,
                mask=mask,
            )
        )
    return pa.table(arrays)


def generate(rows: int, path: Path, seed: int = 20261101) -> Path:
    """Write `rows` customers to `path` (Parquet, zstd), chunk by chunk; atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    writer: pq.ParquetWriter | None = None
    try:
        for start in range(0, rows, CHUNK):
            table = chunk(start, min(CHUNK, rows - start), seed)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=256 * 1024)
        assert writer is not None
        writer.close()
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def ensure(rows: int, folder: Path) -> Path:
    """The table of `rows` customers under `folder`, generated once and reused."""
    path = folder / f"customers_{rows}.parquet"
    if not path.exists():
        print(f"generating {rows:,} rows -> {path}", file=sys.stderr, flush=True)
        generate(rows, path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("path", type=Path)
    args = parser.parse_args()
    generate(args.rows, args.path)


if __name__ == "__main__":
    main()
