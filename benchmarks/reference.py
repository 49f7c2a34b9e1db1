"""The reference card of the benchmarks: its rules as a table, its text, and its two models.

The card (benchmarks/reference.scorecard) has 60 rules, 8 bins blocks, a logistic-regression
pipeline (imputer, scaler, logistic regression) and a 100-tree depth-3 gradient boosting
model, two excludes, three segments, 10 classes and 3 reasons. The rules live here as a table
of plain tuples so that each hand-written contender (Polars, pandas, row by row) writes them in
its own idiom, and the card text is written from the same table: every contender computes the
same thing. The lets, bins, score, segments, excludes, reasons and classes are written out by
hand in each contender.

    .venv/bin/python benchmarks/reference.py      # trains the models, writes the card
    .venv/bin/scorecard check benchmarks/reference.scorecard
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CARD = HERE / "reference.scorecard"
MODELS = HERE / "data" / "models"
GBM_PATH = MODELS / "churn_gbm.skops"
LR_PATH = MODELS / "risk_lr.skops"

AS_OF = "2026-11-01"
AS_OF_TS = "2026-11-01T00:00:00"
BASE = 500.0

# A condition is ("cmp", column, op, value) | ("in", column, values) | ("missing", column)
#   | ("is", bool_column) | ("isnot", bool_column) | ("and", c, c) | ("or", c, c).
# Columns may be inputs or lets. `isnot` is only used on required booleans (no nulls).
Cond = tuple[Any, ...]
# (name, label, condition, points); points is a number or ("mul", k, required int column).
RULES: list[tuple[str, str, Cond, Any]] = [
    ("young_adult", "Under 25", ("cmp", "age", "<", 25), 12),
    ("senior", "65 or older", ("cmp", "age", ">=", 65), -8),
    ("low_income", "Income under 18k", ("cmp", "income", "<", 18000), 10),
    ("high_income", "Income over 80k", ("cmp", "income", ">", 80000), -7),
    ("income_unknown", "Income unknown", ("missing", "income"), 4),
    ("recent_buyer", "Ordered in the last 30 days", ("cmp", "recency_days", "<=", 30), -15),
    ("lapsed", "No order for a year", ("cmp", "recency_days", ">", 365), 20),
    ("never_ordered_12m", "No order in 12 months", ("cmp", "orders_12m", "=", 0), 14),
    ("frequent", "8+ orders", ("cmp", "orders_12m", ">=", 8), -12),
    (
        "big_basket",
        "Average basket over 120",
        ("cmp", "avg_basket", ">", 120),
        ("mul", -0.5, "orders_12m"),
    ),
    (
        "small_basket",
        "Average basket under 20",
        ("and", ("cmp", "avg_basket", "<", 20), ("cmp", "orders_12m", ">", 0)),
        5,
    ),
    ("returner", "Returns over 30%", ("cmp", "return_rate", ">", 0.3), 9),
    ("complainer", "Two or more complaints", ("cmp", "complaints_6m", ">=", 2), 25),
    ("one_complaint", "One complaint", ("cmp", "complaints_6m", "=", 1), 8),
    ("new_customer", "Customer for under 6 months", ("cmp", "tenure_months", "<", 6), 10),
    ("loyal", "Customer for 3+ years", ("cmp", "tenure_years", ">=", 3), -10),
    ("veteran", "Customer for 10+ years", ("cmp", "tenure_years", ">=", 10), -6),
    ("no_email", "No email consent", ("isnot", "email_opt_in"), 6),
    ("sms_ok", "SMS consent", ("is", "sms_opt_in"), -3),
    ("app_user", "Uses the app", ("is", "has_app"), -9),
    (
        "app_inactive",
        "App user, no login for 60 days",
        ("and", ("is", "has_app"), ("cmp", "login_days", ">", 60)),
        11,
    ),
    ("login_recent", "Logged in this week", ("cmp", "login_days", "<=", 7), -5),
    ("login_unknown", "Never logged in", ("missing", "last_login"), 7),
    ("overdrawn", "Negative balance", ("cmp", "balance", "<", 0), 13),
    ("high_util", "Credit used over 90%", ("cmp", "utilisation", ">", 0.9), 16),
    ("low_util", "Credit used under 10%", ("cmp", "utilisation", "<", 0.1), -4),
    ("small_limit", "Credit limit 500", ("cmp", "credit_limit", "<=", 500), 6),
    ("large_limit", "Credit limit 10k", ("cmp", "credit_limit", ">=", 10000), -5),
    ("late_payer", "Two or more late payments", ("cmp", "late_payments_12m", ">=", 2), 18),
    ("late_once", "One late payment", ("cmp", "late_payments_12m", "=", 1), 6),
    ("single_product", "One product", ("cmp", "n_products", "=", 1), 9),
    ("multi_product", "Four or more products", ("cmp", "n_products", ">=", 4), -11),
    ("web_heavy", "20+ visits in 30 days", ("cmp", "web_visits_30d", ">=", 20), -6),
    ("web_none", "No visit in 30 days", ("cmp", "web_visits_30d", "=", 0), 8),
    ("short_sessions", "Sessions under 2 minutes", ("cmp", "avg_session_min", "<", 2), 5),
    ("long_sessions", "Sessions over 15 minutes", ("cmp", "avg_session_min", ">", 15), -4),
    ("support_heavy", "3+ support calls", ("cmp", "support_calls_6m", ">=", 3), 12),
    ("discount_hunter", "Discount rate over 25%", ("cmp", "discount_rate", ">", 0.25), 7),
    ("full_price", "No discount", ("cmp", "discount_rate", "=", 0), -3),
    ("single_household", "Lives alone", ("cmp", "household_size", "=", 1), 4),
    ("big_household", "Household of 5+", ("cmp", "household_size", ">=", 5), -3),
    ("new_job", "Employed under a year", ("cmp", "employment_years", "<", 1), 6),
    ("stable_job", "Employed 10+ years", ("cmp", "employment_years", ">=", 10), -5),
    ("bureau_poor", "Bureau score under 550", ("cmp", "bureau_score", "<", 550), 15),
    ("bureau_excellent", "Bureau score 780+", ("cmp", "bureau_score", ">=", 780), -10),
    ("bureau_unknown", "No bureau score", ("missing", "bureau_score"), 5),
    ("homeowner", "Has a mortgage", ("is", "mortgage"), -7),
    ("renter_young", "Young renter", ("and", ("isnot", "mortgage"), ("cmp", "age", "<", 30)), 5),
    ("paris_region", "Ile-de-France", ("cmp", "region", "=", "idf"), 3),
    ("south", "Southern regions", ("in", "region", ["occ", "pac", "naq"]), -2),
    ("workers", "Manual and clerical workers", ("in", "csp", ["ouvrier", "employe"]), 4),
    ("students", "Students", ("cmp", "csp", "=", "etudiant"), 9),
    (
        "executives",
        "Executives and professions",
        ("in", "csp", ["cadre", "profession_liberale"]),
        -4,
    ),
    ("partner_channel", "Came through a partner", ("cmp", "channel", "=", "partner"), 10),
    ("store_channel", "Store customer", ("cmp", "channel", "=", "store"), -3),
    (
        "phone_complainer",
        "Phone customer with a complaint",
        ("and", ("cmp", "channel", "=", "phone"), ("cmp", "complaints_6m", ">=", 1)),
        8,
    ),
    (
        "rich_lapsed",
        "High income, lapsed",
        ("and", ("cmp", "income", ">", 60000), ("cmp", "recency_days", ">", 180)),
        9,
    ),
    (
        "young_or_new",
        "Young or new",
        ("or", ("cmp", "age", "<", 22), ("cmp", "tenure_months", "<", 3)),
        6,
    ),
    (
        "returns_or_complaints",
        "Returns or complaints",
        ("or", ("cmp", "returns_12m", ">=", 3), ("cmp", "complaints_6m", ">=", 3)),
        10,
    ),
    (
        "engaged",
        "Frequent and app user",
        ("and", ("cmp", "orders_12m", ">=", 5), ("is", "has_app")),
        -8,
    ),
]
assert len(RULES) == 60

GBM_FEATURES = [
    "age_f",
    "income_k",
    "tenure_months",
    "recency_f",
    "orders_12m",
    "bureau_f",
    "visits_f",
    "n_products",
]
LR_FEATURES = [
    "age",
    "income",
    "balance",
    "credit_limit",
    "late_payments_12m",
    "support_calls_6m",
    "discount_rate",
    "employment_years",
]

SEGMENTS = [("high", 640.0), ("medium", 560.0)]  # then "low" otherwise

HEADER = f"""# The benchmarks' reference card: 60 rules, 8 bins blocks, two models (a logistic
# regression pipeline and a 100-tree depth-3 gradient boosting model), segments, classes
# and reasons, over the 30-column tables of benchmarks/customers.py.
# Written by benchmarks/reference.py; do not edit by hand.

scorecard churn_reference {{
  title   "Benchmark reference card"
  version "1"
  owner   "benchmarks"
}}

input {{
  customer_id       : string key
  age               : int
  income            : float
  region            : string
  csp               : string
  channel           : string required
  gender            : string sensitive
  signup_date       : date required
  last_order        : date
  last_login        : datetime
  tenure_months     : int required
  orders_12m        : int required
  revenue_12m       : float
  returns_12m       : int
  complaints_6m     : int
  email_opt_in      : bool required
  sms_opt_in        : bool required
  has_app           : bool required
  balance           : float
  credit_limit      : float
  late_payments_12m : int
  n_products        : int required
  web_visits_30d    : int
  avg_session_min   : float
  support_calls_6m  : int
  discount_rate     : float
  household_size    : int
  employment_years  : float
  bureau_score      : int
  mortgage          : bool required
}}

param as_of    : date     = {AS_OF}
param as_of_ts : datetime = {AS_OF_TS}
param base     : float    = {BASE}

let recency_days = days_between(last_order, as_of)
let login_days   = days_between(last_login, as_of_ts)
let avg_basket   = if orders_12m > 0 then revenue_12m / orders_12m else 0.0
let return_rate  = if orders_12m > 0 then coalesce(returns_12m, 0) / orders_12m else 0.0
let utilisation  = balance / credit_limit
let tenure_years = tenure_months / 12

# model features without nulls (gradient boosting does not take missing values)
let age_f     = coalesce(age, 45)
let income_k  = coalesce(income, 30000.0) / 1000
let recency_f = coalesce(recency_days, 365)
let bureau_f  = coalesce(bureau_score, 600)
let visits_f  = coalesce(web_visits_30d, 0)

exclude "No marketing consent" when not email_opt_in and not sms_opt_in
exclude "Minor"                when age < 18
"""

BINS = """
bins age_band on age "Age band" {
  missing   -> 5
  < 25      -> 20
  [25, 35)  -> 12
  [35, 50)  -> 4
  [50, 65)  -> 0
  >= 65     -> -6
}

bins income_band on income "Income band" {
  missing          -> 0
  < 15000          -> 15
  [15000, 30000)   -> 8
  [30000, 60000)   -> 0
  >= 60000         -> -10
}

bins tenure_band on tenure_months "Tenure band" {
  < 6       -> 25
  [6, 24)   -> 10
  [24, 60)  -> 0
  else      -> -12
}

bins region_pts on region "Region" {
  in ["hdf", "ges", "nor"]  -> 5
  in ["idf", "pac"]         -> -3
  missing                   -> 0
  else                      -> 1
}

bins csp_pts on csp "Occupation" {
  in ["ouvrier", "employe"]              -> 8
  in ["cadre", "profession_liberale"]    -> -6
  = "retraite"                           -> -2
}

bins recency_band on recency_days "Recency" {
  missing      -> 15
  <= 30        -> -20
  (30, 90]     -> -5
  (90, 365]    -> 10
  > 365        -> 25
}

bins util_band on utilisation "Credit utilisation" {
  missing      -> 0
  < 0.3        -> -5
  [0.3, 0.8)   -> 3
  >= 0.8       -> 12
}

bins bureau_band on bureau_score "Bureau score" {
  missing      -> 6
  < 500        -> 18
  [500, 650)   -> 7
  [650, 750)   -> 0
  >= 750       -> -9
}
"""


def _value(v: Any) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    return repr(v)


def render_cond(c: Cond) -> str:
    match c:
        case ("cmp", col, op, v):
            return f"{col} {op} {_value(v)}"
        case ("in", col, values):
            return f"{col} in [{', '.join(_value(v) for v in values)}]"
        case ("missing", col):
            return f"{col} is missing"
        case ("is", col):
            return col
        case ("isnot", col):
            return f"not {col}"
        case ("and", a, b):
            return f"({render_cond(a)}) and ({render_cond(b)})"
        case ("or", a, b):
            return f"({render_cond(a)}) or ({render_cond(b)})"
    raise ValueError(c)


def render_points(p: Any) -> str:
    if isinstance(p, tuple):
        _, k, col = p
        return f"{k} * {col}"
    return f"{p:+d}" if isinstance(p, int) else repr(p)


def card_text(classes: bool = True) -> str:
    """The card; without `classes` for the streaming benchmark (no global rank)."""
    lines = [HEADER]
    for name, label, cond, points in RULES:
        lines.append(f'rule {name} "{label}" when {render_cond(cond)} then {render_points(points)}')
    lines.append(BINS)
    lines.append(
        f"""model churn = sklearn "data/models/{GBM_PATH.name}" {{
  features [{", ".join(GBM_FEATURES)}]
  output   probability
}}

model risk = sklearn "data/models/{LR_PATH.name}" {{
  features [{", ".join(LR_FEATURES)}]
  output   probability
}}

score = clip(base + points + 250 * churn - 60 * risk, 0, 1000)

segment "{SEGMENTS[0][0]}"   when score >= {SEGMENTS[0][1]}
segment "{SEGMENTS[1][0]}" when score >= {SEGMENTS[1][1]}
segment "low"    otherwise
"""
    )
    if classes:
        lines.append("classes 10")
    lines.append("reasons 3\n")
    return "\n".join(lines)


def train_models() -> None:
    """Train both models on 50,000 generated customers (fixed seeds) and save them with skops."""
    import numpy as np
    import polars as pl
    import skops.io as sio
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    sys.path.insert(0, str(HERE))
    from customers import chunk

    frame = pl.from_arrow(chunk(0, 50_000, seed=7))
    assert isinstance(frame, pl.DataFrame)
    feats = model_features(frame)
    gbm_x = feats.select(GBM_FEATURES).to_numpy().astype(np.float64)
    lr_x = feats.select(LR_FEATURES).to_numpy().astype(np.float64)
    rng = np.random.default_rng(3)
    z = (
        -0.03 * (gbm_x[:, 0] - 45)
        + 0.004 * gbm_x[:, 3]
        - 0.15 * gbm_x[:, 4]
        - 0.01 * (gbm_x[:, 5] - 600)
        + 0.3 * np.sin(gbm_x[:, 1] / 10)
    )
    churned = rng.random(len(z)) < 1 / (1 + np.exp(-z))
    gbm = GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=0)
    gbm.fit(gbm_x, churned)
    risk = np.nan_to_num(lr_x[:, 4]) * 0.8 + np.nan_to_num(lr_x[:, 5]) * 0.3 - 1.5
    risky = rng.random(len(risk)) < 1 / (1 + np.exp(-risk))
    lr = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression())
    lr.fit(lr_x, risky)
    MODELS.mkdir(parents=True, exist_ok=True)
    sio.dump(gbm, GBM_PATH)
    sio.dump(lr, LR_PATH)


def model_features(frame: Any) -> Any:
    """The lets the models read, written in Polars (used to train, and by the Polars contender)."""
    import polars as pl

    as_of = pl.lit(AS_OF).str.to_date()
    return frame.with_columns(
        age_f=pl.col("age").fill_null(45),
        income_k=pl.col("income").fill_null(30000.0) / 1000,
        recency_f=(as_of - pl.col("last_order")).dt.total_days().fill_null(365),
        bureau_f=pl.col("bureau_score").fill_null(600),
        visits_f=pl.col("web_visits_30d").fill_null(0),
    )


def polars_lets() -> dict[str, Any]:
    """The card's lets the rules read, as Polars expressions by name (the Polars contenders')."""
    import datetime as dt

    import polars as pl

    orders = pl.col("orders_12m")
    return {
        "recency_days": (
            pl.lit(dt.date.fromisoformat(AS_OF)) - pl.col("last_order")
        ).dt.total_days(),
        "login_days": (
            pl.lit(dt.datetime.fromisoformat(AS_OF_TS)) - pl.col("last_login")
        ).dt.total_days(),
        "avg_basket": pl.when(orders > 0).then(pl.col("revenue_12m") / orders).otherwise(0.0),
        "return_rate": pl.when(orders > 0)
        .then(pl.col("returns_12m").fill_null(0) / orders)
        .otherwise(0.0),
        "utilisation": pl.when(pl.col("credit_limit") != 0).then(
            pl.col("balance") / pl.col("credit_limit")
        ),
        "tenure_years": pl.col("tenure_months") / 12,
    }


def polars_condition(c: tuple[Any, ...]) -> Any:
    """A rule's condition from `RULES` as a Polars expression (the Polars contenders')."""
    import polars as pl

    match c:
        case ("cmp", col, op, v):
            x = pl.col(col)
            return {"<": x < v, "<=": x <= v, ">": x > v, ">=": x >= v, "=": x == v}[op]
        case ("in", col, values):
            return pl.col(col).is_in(values)
        case ("missing", col):
            return pl.col(col).is_null()
        case ("is", col):
            return pl.col(col)
        case ("isnot", col):
            return ~pl.col(col)
        case ("and", a, b):
            return polars_condition(a) & polars_condition(b)
        case ("or", a, b):
            return polars_condition(a) | polars_condition(b)
    raise ValueError(c)


def load_models() -> tuple[Any, Any]:
    """(gradient boosting, logistic pipeline), read back with skops."""
    import skops.io as sio

    models = []
    for path in (GBM_PATH, LR_PATH):
        models.append(sio.load(path, trusted=sio.get_untrusted_types(file=path)))
    return models[0], models[1]


def main() -> None:
    if not (GBM_PATH.exists() and LR_PATH.exists()):
        train_models()
    CARD.write_text(card_text())
    print(f"wrote {CARD} and {MODELS}/")


if __name__ == "__main__":
    main()
