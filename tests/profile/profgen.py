"""Generated customer tables for the profile and lookalike tests, and the figures of a profile
computed independently with numpy and scipy (no engine code)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.stats import chi2_contingency, norm
from scipy.stats.contingency import association

REGIONS = [f"region_{i:02d}" for i in range(24)]


def make_table(seed: int, n: int) -> pl.DataFrame:
    """Customers with nulls, ties (whole-number ages, incomes rounded to hundreds), a rare
    category (`agriculteur`, about 0.5%), 24 regions (more than are shown by name), and a
    `bought` flag driven by csp, income and age."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, n).astype(float)
    age[rng.random(n) < 0.06] = np.nan
    income = np.round(rng.lognormal(10.2, 0.5, n), -2)
    income[rng.random(n) < 0.1] = np.nan
    csp = rng.choice(
        ["cadre", "employe", "ouvrier", "retraite", "agriculteur"],
        n,
        p=[0.2, 0.35, 0.3, 0.145, 0.005],
    ).astype(object)
    csp[rng.random(n) < 0.04] = None
    region = rng.choice(REGIONS, n, p=np.linspace(2, 0.2, 24) / np.linspace(2, 0.2, 24).sum())
    opt_in = rng.random(n) < 0.7
    gender = rng.choice(["F", "M"], n)
    affinity = (
        1.3 * (csp == "cadre")
        + 0.8 * np.nan_to_num((income - 27000) / 15000)
        - 0.03 * np.nan_to_num(age - 45)
        + 0.5 * (np.array(region) == "region_03")
    )
    bought = (rng.random(n) < 1 / (1 + np.exp(-(affinity - 2.2)))).astype(int)
    return pl.DataFrame(
        {
            "customer_id": [f"K{seed}{i:06d}" for i in range(n)],
            "age": pl.Series(age).fill_nan(None).cast(pl.Int64),
            "income": pl.Series(income).fill_nan(None),
            "csp": pl.Series(list(csp), dtype=pl.String),
            "region": list(region),
            "email_opt_in": opt_in,
            "gender": gender,
            "bought": bought,
        }
    )


@dataclass(frozen=True)
class Expected:
    labels: list[str]
    group: np.ndarray
    base: np.ndarray
    compared: np.ndarray


def numeric_expected(
    group: pl.Series, base: pl.Series, compared: pl.Series, as_int: bool
) -> Expected:
    """Categories at the base's deciles: inverted-CDF quantiles above the minimum, left-closed."""
    values = base.drop_nulls().cast(pl.Float64).to_numpy()
    qs = np.quantile(values, np.arange(1, 10) / 10, method="inverted_cdf")
    edges = np.unique(qs[qs > values.min()])
    text = [str(int(e)) if as_int else repr(float(e)) for e in edges]
    labels = (
        [f"< {text[0]}"]
        + [f"[{a}, {b})" for a, b in itertools.pairwise(text)]
        + [f">= {text[-1]}", "missing"]
    )

    def counts(s: pl.Series) -> np.ndarray:
        x = s.cast(pl.Float64).to_numpy()
        filled = ~np.isnan(x)
        idx = np.searchsorted(edges, x[filled], side="right")
        out = np.bincount(idx, minlength=len(edges) + 1)
        return np.append(out, (~filled).sum())

    return Expected(labels, counts(group), counts(base), counts(compared))


def value_expected(group: pl.Series, base: pl.Series, compared: pl.Series) -> Expected:
    """Values by base count (then group count, then text); past 20, `(other)`; then missing."""
    b = base.drop_nulls().to_list()
    g = group.drop_nulls().to_list()
    keys = sorted(set(b) | set(g), key=lambda v: (-b.count(v), -g.count(v), v))
    shown = keys[:20]
    labels = shown + (["(other)"] if len(keys) > 20 else []) + ["missing"]

    def counts(s: pl.Series) -> np.ndarray:
        values = s.to_list()
        out = [sum(1 for v in values if v == k) for k in shown]
        if len(keys) > 20:
            out.append(sum(1 for v in values if v is not None and v not in shown))
        out.append(sum(1 for v in values if v is None))
        return np.array(out)

    return Expected(labels, counts(group), counts(base), counts(compared))


def z_and_p(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    p = (x1 + x2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    z = (x1 / n1 - x2 / n2) / se
    return z, 2 * norm.sf(abs(z))


def cramer(group: np.ndarray, compared: np.ndarray) -> tuple[float, float]:
    table = np.vstack([group, compared])
    table = table[:, table.sum(axis=0) > 0]
    v = association(table, method="cramer", correction=False)
    p = chi2_contingency(table, correction=False).pvalue
    return float(v), float(p)
