"""Check that two result files agree: scores within 1e-9 relative, everything else equal."""

from __future__ import annotations

import sys

import polars as pl

COLUMNS = ["segment", "class", "reason_1", "reason_2", "reason_3", "excluded"]


def differences(reference: str, other: str) -> dict[str, int]:
    """Rows that differ, per result column (joined on the key)."""
    a = pl.scan_parquet(reference)
    b = pl.scan_parquet(other).rename(lambda c: c if c == "customer_id" else c + "_o")
    j = a.join(b, on="customer_id", how="full", coalesce=True)
    score, other_score = pl.col("score"), pl.col("score_o")
    bad_score = (score.is_null() != other_score.is_null()) | (
        (score - other_score).abs() > 1e-9 * score.abs().clip(lower_bound=1.0)
    ).fill_null(False)
    aggs = [pl.len().alias("rows"), bad_score.sum().alias("score")]
    aggs += [
        pl.col(c).cast(pl.String).ne_missing(pl.col(c + "_o").cast(pl.String)).sum().alias(c)
        for c in COLUMNS
    ]
    return {k: int(v) for k, v in j.select(aggs).collect().row(0, named=True).items()}


if __name__ == "__main__":
    print(differences(sys.argv[1], sys.argv[2]))
