"""The figures of one column: shares, index, two-proportion z-tests and Cramér's V.

Counts per category come in for three sets of rows: the group, the base, and the rows the
group is tested against. When the base is the table the group was taken from, the group is
part of the base and the test compares it with the *rest* of the base (the base without the
group: two independent samples, and the group differs from the base exactly when it differs
from the rest); when the base is another table, the test compares the group with the base.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Category:
    label: str
    group_count: int
    base_count: int
    group_share: float
    base_share: float
    index: float | None
    """group share / base share × 100 (None when the base has no such row)."""
    z: float | None
    """The two-proportion z statistic of group vs the compared rows (pooled standard error)."""
    p_value: float | None
    """Two-sided p-value of `z` (None when the test has nothing to compare)."""
    small: bool
    """Fewer base rows than `--min-count`: shown, but too small to judge."""


@dataclass(frozen=True)
class ColumnFigures:
    categories: list[Category]
    cramers_v: float
    """Cramér's V of the 2 × k table (group, compared rows) × categories, 0 to 1."""
    chi2: float
    p_value: float | None
    """The chi-square test of that table (k - 1 degrees of freedom)."""


def z_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float | None, float | None]:
    """Two-proportion z-test with the pooled proportion: (z, two-sided p)."""
    if n1 == 0 or n2 == 0:
        return None, None
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return None, None
    z = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return z, math.erfc(abs(z) / math.sqrt(2))


def cramers_v(group: np.ndarray, other: np.ndarray) -> tuple[float, float, float | None]:
    """(V, chi-square, p) of the 2 × k table; categories empty in both rows are left out."""
    keep = (group + other) > 0
    table = np.vstack([group[keep], other[keep]]).astype(np.float64)
    n = table.sum()
    k = table.shape[1]
    if k < 2 or table[0].sum() == 0 or table[1].sum() == 0:
        return 0.0, 0.0, None
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    from scipy.stats import chi2 as chi2_dist  # scipy comes with scikit-learn

    return math.sqrt(chi2 / n), chi2, float(chi2_dist.sf(chi2, k - 1))


def figures(
    labels: Sequence[str],
    group: np.ndarray,
    base: np.ndarray,
    compared: np.ndarray,
    min_count: int,
) -> ColumnFigures:
    """Per category (in `labels` order): counts, shares, index, z and p; then Cramér's V."""
    n_group, n_base, n_compared = int(group.sum()), int(base.sum()), int(compared.sum())
    out = []
    for i, label in enumerate(labels):
        g, b, c = int(group[i]), int(base[i]), int(compared[i])
        if g == 0 and b == 0:
            continue
        g_share = g / n_group if n_group else 0.0
        b_share = b / n_base if n_base else 0.0
        z, p = z_test(g, n_group, c, n_compared)
        out.append(
            Category(
                label,
                g,
                b,
                g_share,
                b_share,
                100.0 * g_share / b_share if b_share > 0 else None,
                z,
                p,
                b < min_count,
            )
        )
    v, chi2, p_value = cramers_v(group, compared)
    return ColumnFigures(out, v, chi2, p_value)
