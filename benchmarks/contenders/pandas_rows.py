"""The reference card in pandas, row by row with `DataFrame.apply(axis=1)`: a rule engine loop.

    python pandas_rows.py DATA.parquet OUT.parquet

One Python function scores one row: lets, the 60 rules (written out as Python source from
the shared rule table, then compiled once, as if typed by hand), the bins, score, segment,
excludes and reasons. The models run once on the whole table through `predict_proba` (row by
row they would be far slower still); classes come from one sort at the end.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from reference import BASE, GBM_FEATURES, LR_FEATURES, RULES, load_models

AS_OF = pd.Timestamp("2026-11-01")
BIN_NAMES = ["age_band", "income_band", "tenure_band", "region_pts", "csp_pts", "recency_band", "util_band", "bureau_band"]  # fmt: skip
NAMES = [r[0] for r in RULES] + BIN_NAMES


def missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT


LETS = ("recency_days", "login_days", "avg_basket", "return_rate", "utilisation", "tenure_years")


def ref(col: str) -> str:
    return f"v[{col!r}]" if col in LETS else f"r[{col!r}]"


def source(c: tuple[Any, ...]) -> str:
    """Python source for a condition; comparisons with NaN are False, as a missing value must."""
    match c:
        case ("cmp", col, op, v):
            return f"({ref(col)} {'==' if op == '=' else op} {v!r})"
        case ("in", col, values):
            return f"({ref(col)} in {tuple(values)!r})"
        case ("missing", col):
            return f"missing({ref(col)})"
        case ("is", col):
            return f"bool(r[{col!r}])"
        case ("isnot", col):
            return f"(not r[{col!r}])"
        case ("and", a, b):
            return f"({source(a)} and {source(b)})"
        case ("or", a, b):
            return f"({source(a)} or {source(b)})"
    raise ValueError(c)


def rules_function() -> Any:
    lines = ["def rules(r, v):", "    return ["]
    for _, _, c, p in RULES:
        pts = f"{p[1]!r} * r[{p[2]!r}]" if isinstance(p, tuple) else repr(float(p))
        lines.append(f"        ({pts}) if {source(c)} else 0.0,")
    lines.append("    ]")
    scope: dict[str, Any] = {"missing": missing}
    exec("\n".join(lines), scope)
    return scope["rules"]


RULES_OF = rules_function()


def band(v: Any, bounds: list[tuple[float, float]], last: float, if_missing: float) -> float:
    if missing(v):
        return if_missing
    for limit, pts in bounds:
        if v < limit:
            return pts
    return last


def score_row(r: pd.Series) -> tuple[Any, ...]:
    orders = r["orders_12m"]
    v: dict[str, Any] = {}
    v["recency_days"] = (AS_OF - r["last_order"]).days if not missing(r["last_order"]) else math.nan
    v["login_days"] = (AS_OF - r["last_login"]).days if not missing(r["last_login"]) else math.nan
    v["avg_basket"] = r["revenue_12m"] / orders if orders > 0 else 0.0
    returns = 0 if missing(r["returns_12m"]) else r["returns_12m"]
    v["return_rate"] = returns / orders if orders > 0 else 0.0
    limit = r["credit_limit"]
    v["utilisation"] = r["balance"] / limit if not missing(limit) and limit != 0 else math.nan
    v["tenure_years"] = r["tenure_months"] / 12
    if not r["email_opt_in"] and not r["sms_opt_in"]:
        return (None, None, None, None, None, "No marketing consent")
    if r["age"] < 18:
        return (None, None, None, None, None, "Minor")
    c = RULES_OF(r, v)
    reg, csp, ten, rec = r["region"], r["csp"], r["tenure_months"], v["recency_days"]
    c.append(band(r["age"], [(25, 20.0), (35, 12.0), (50, 4.0), (65, 0.0)], -6.0, 5.0))
    c.append(band(r["income"], [(15000, 15.0), (30000, 8.0), (60000, 0.0)], -10.0, 0.0))
    c.append(25.0 if ten < 6 else 10.0 if ten < 24 else 0.0 if ten < 60 else -12.0)
    c.append(
        5.0
        if reg in ("hdf", "ges", "nor")
        else -3.0
        if reg in ("idf", "pac")
        else 0.0
        if missing(reg)
        else 1.0
    )
    c.append(
        8.0
        if csp in ("ouvrier", "employe")
        else -6.0
        if csp in ("cadre", "profession_liberale")
        else -2.0
        if csp == "retraite"
        else 0.0
    )
    c.append(
        15.0
        if missing(rec)
        else -20.0
        if rec <= 30
        else -5.0
        if rec <= 90
        else 10.0
        if rec <= 365
        else 25.0
    )
    c.append(band(v["utilisation"], [(0.3, -5.0), (0.8, 3.0)], 12.0, 0.0))
    c.append(band(r["bureau_score"], [(500, 18.0), (650, 7.0), (750, 0.0)], -9.0, 6.0))
    score = min(max(BASE + sum(c) + 250 * r["churn"] - 60 * r["risk"], 0.0), 1000.0)
    segment = "high" if score >= 640 else "medium" if score >= 560 else "low"
    ranked = sorted(
        (i for i in range(len(c)) if c[i] > 0), key=lambda i: -c[i]
    )  # stable: file order
    reasons = [NAMES[i] for i in ranked[:3]] + [None] * (3 - min(3, len(ranked)))
    return (score, segment, *reasons, None)


def main(data: str, out: str) -> None:
    gbm, lr = load_models()
    df = pd.read_parquet(data)
    df["last_order"] = pd.to_datetime(df["last_order"])
    df["age_f"] = df["age"].fillna(45)
    df["income_k"] = df["income"].fillna(30000.0) / 1000
    df["recency_f"] = (AS_OF - df["last_order"]).dt.days.fillna(365)
    df["bureau_f"] = df["bureau_score"].fillna(600)
    df["visits_f"] = df["web_visits_30d"].fillna(0)
    df["churn"] = gbm.predict_proba(df[GBM_FEATURES].to_numpy(dtype=np.float64))[:, 1]
    df["risk"] = lr.predict_proba(df[LR_FEATURES].to_numpy(dtype=np.float64))[:, 1]
    rows = df.apply(score_row, axis=1, result_type="expand")
    rows.columns = ["score", "segment", "reason_1", "reason_2", "reason_3", "excluded"]
    rows["score"] = rows["score"].astype(float)
    ranked = pd.DataFrame({"score": rows["score"], "key": df["customer_id"]}).sort_values(
        ["score", "key"], ascending=[False, True], na_position="last", kind="stable"
    )
    position = np.empty(len(df), dtype=np.int64)
    position[ranked.index.to_numpy()] = np.arange(len(df))
    kept = rows["score"].notna().to_numpy()
    n = int(kept.sum())
    q, r = divmod(n, 10)
    cls = np.where(
        position < r * (q + 1),
        position // (q + 1) + 1,
        r + (position - r * (q + 1)) // max(q, 1) + 1,
    )
    rows.insert(0, "customer_id", df["customer_id"])
    rows.insert(3, "class", pd.Series(cls, dtype="Int64").where(kept, pd.NA))
    rows.to_parquet(out, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
