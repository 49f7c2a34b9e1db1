"""Generate the synthetic customer tables that the bundled scorecards read.

The tables are fictitious but shaped like a real CRM extract: a few columns with
nulls, consistent order history (no order in the last 12 months means no
`last_order` in that window), and two outcomes that depend on the columns the way
a marketer would expect, so that the bundled models learn something sensible and
the evaluation reports show a real lift.

Run from the repository root (the output is reproducible: fixed seeds, numpy only):

    .venv/bin/python scorecards/make_data.py

It writes
- ``scorecards/data/customers.csv``: 2,000 customers, snapshot 2026-11-01;
- ``scorecards/data/customers_2026_10.csv``: another 2,000 customers drawn a month
  earlier (snapshot 2026-10-01) with a small drift (older, slightly poorer, more
  complaints, fewer opt-ins), for stability reports.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from pathlib import Path

import numpy as np

CSP_VALUES = ("ouvrier", "employe", "cadre", "artisan", "retraite", "etudiant")
REGIONS = (
    "Ile-de-France",
    "Auvergne-Rhone-Alpes",
    "Nouvelle-Aquitaine",
    "Occitanie",
    "Hauts-de-France",
    "Grand Est",
    "Provence-Alpes-Cote d'Azur",
    "Bretagne",
    "Normandie",
    "Pays de la Loire",
)
REGION_WEIGHTS = (0.22, 0.13, 0.09, 0.09, 0.09, 0.08, 0.08, 0.08, 0.07, 0.07)
FIRST_DAY = dt.date(2024, 1, 1)

COLUMNS = (
    "customer_id",
    "age",
    "income",
    "csp",
    "tenure_months",
    "last_order",
    "orders_12m",
    "revenue_12m",
    "complaints_6m",
    "email_opt_in",
    "gender",
    "region",
    "churned",
    "bought_insurance",
)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return out


def _pick_csp(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    """Draw a socio-professional category whose odds depend on age."""
    out = np.empty(age.shape[0], dtype=object)
    for i, a in enumerate(age):
        if a < 25:
            p = (0.15, 0.25, 0.03, 0.02, 0.0, 0.55)
        elif a >= 63:
            p = (0.02, 0.04, 0.03, 0.03, 0.88, 0.0)
        elif a >= 58:
            p = (0.18, 0.25, 0.17, 0.10, 0.30, 0.0)
        else:
            p = (0.26, 0.34, 0.24, 0.14, 0.0, 0.02)
        out[i] = CSP_VALUES[rng.choice(len(CSP_VALUES), p=p)]
    return out


def generate(seed: int, n: int, snapshot: dt.date, drift: float = 0.0) -> list[dict[str, str]]:
    """Return `n` customer rows as strings ready for CSV (empty string = null).

    `drift` (0 = none, 1 = the October file's shift) moves a few distributions so
    that a stability report comparing two files has something to find.
    """
    rng = np.random.default_rng(seed)

    age = np.clip(np.round(rng.normal(46.0 + 2.0 * drift, 15.0, n)), 18, 92).astype(int)
    csp = _pick_csp(rng, age)
    base_income = {
        "ouvrier": 24000.0,
        "employe": 27000.0,
        "cadre": 52000.0,
        "artisan": 36000.0,
        "retraite": 26000.0,
        "etudiant": 9000.0,
    }
    income = np.array([base_income[c] for c in csp]) * rng.lognormal(0.0, 0.35, n)
    income *= 1.0 - 0.03 * drift
    income = np.round(income, 2)

    max_tenure = np.clip((age - 18) * 12, 1, 240)
    tenure = np.floor(rng.uniform(0.0, 1.0, n) ** 1.3 * max_tenure).astype(int)

    engagement = rng.gamma(2.0, 1.0, n) * (1.0 + tenure / 120.0)
    orders = rng.poisson(engagement * 1.6)
    basket = rng.lognormal(np.log(55.0), 0.55, n) * (1.0 + (income - 30000.0) / 150000.0).clip(
        0.6, 2.0
    )
    revenue = np.round(orders * basket, 2)

    complaints = rng.poisson(0.25 + 0.12 * drift + 0.05 * (orders > 6), n)

    # Recency: a customer with orders in the last 12 months ordered recently,
    # more recently the more orders; otherwise the last order is older or unknown.
    window = (snapshot - FIRST_DAY).days - 1
    recency = np.empty(n, dtype=float)
    for i in range(n):
        known_days = int(tenure[i]) * 30 + 29  # no order before the customer joined
        if orders[i] > 0:
            draw = 1 + int(rng.uniform(0, 1) ** (1.0 + orders[i] / 2.0) * 364)
            recency[i] = min(draw, known_days)
        elif known_days < 366 or rng.uniform() < 0.35:
            recency[i] = np.nan  # never ordered, or order history lost
        else:
            recency[i] = int(rng.integers(366, min(window, known_days) + 1))
    opt_in = rng.uniform(0, 1, n) < (0.78 - 0.05 * drift)
    gender = np.where(rng.uniform(0, 1, n) < 0.52, "F", "M")
    region = np.array(REGIONS, dtype=object)[rng.choice(len(REGIONS), size=n, p=REGION_WEIGHTS)]

    # Outcomes.
    rec_filled = np.where(np.isnan(recency), 540.0, recency)
    churn_logit = (
        -1.5
        + 0.0045 * rec_filled
        + 0.75 * complaints
        - 0.012 * tenure
        - 0.18 * np.minimum(orders, 12)
        + 0.3 * (~opt_in)
    )
    churned = (rng.uniform(0, 1, n) < _sigmoid(churn_logit)).astype(int)
    csp_effect = {
        "ouvrier": 0.0,
        "employe": 0.2,
        "cadre": 0.7,
        "artisan": 0.4,
        "retraite": -0.3,
        "etudiant": -1.2,
    }
    ins_logit = (
        -3.1
        + 0.04 * (np.minimum(age, 60) - 40)
        - 0.03 * np.maximum(age - 60, 0)
        + 0.9 * np.log(np.maximum(income, 3000.0) / 30000.0)
        + np.array([csp_effect[c] for c in csp])
        + 0.25 * opt_in
    )
    bought = (rng.uniform(0, 1, n) < _sigmoid(ins_logit)).astype(int)

    # Nulls where a real extract has them (the outcomes are drawn before, as
    # the truth does not care whether our table knows a customer's age).
    age_null = rng.uniform(0, 1, n) < 0.04
    income_null = rng.uniform(0, 1, n) < 0.08
    csp_null = rng.uniform(0, 1, n) < 0.03

    rows: list[dict[str, str]] = []
    for i in range(n):
        last_order = (
            ""
            if np.isnan(recency[i])
            else (snapshot - dt.timedelta(days=int(recency[i]))).isoformat()
        )
        rows.append(
            {
                "customer_id": f"C{i + 1:06d}",
                "age": "" if age_null[i] else str(int(age[i])),
                "income": "" if income_null[i] else f"{income[i]:.2f}",
                "csp": "" if csp_null[i] else str(csp[i]),
                "tenure_months": str(int(tenure[i])),
                "last_order": last_order,
                "orders_12m": str(int(orders[i])),
                "revenue_12m": f"{revenue[i]:.2f}",
                "complaints_6m": str(int(complaints[i])),
                "email_opt_in": "true" if opt_in[i] else "false",
                "gender": str(gender[i]),
                "region": str(region[i]),
                "churned": str(int(churned[i])),
                "bought_insurance": str(int(bought[i])),
            }
        )
    return rows


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    """Write through a temporary file and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main() -> None:
    here = Path(__file__).resolve().parent / "data"
    write_csv(
        generate(seed=20261101, n=2000, snapshot=dt.date(2026, 11, 1)), here / "customers.csv"
    )
    write_csv(
        generate(seed=20261001, n=2000, snapshot=dt.date(2026, 10, 1), drift=1.0),
        here / "customers_2026_10.csv",
    )


if __name__ == "__main__":
    main()
