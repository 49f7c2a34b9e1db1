"""What the int overflow check costs in Polars: checked against plain 64-bit arithmetic.

`let x = a * b + (c - 1)` over three int columns, once with every operation checked (Int128,
then back to int64 or null: what a card gets for input columns) and once with the checker's
proof that it cannot overflow (plain Int64). Prints the median of several runs of each.
Run: .venv/bin/python benchmarks/overflow_bench.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import polars as pl

from engine import ir
from engine.backends.polars.expressions import translate
from engine.types import ScalarType

INT = ScalarType.INT


def expression(proven: bool) -> ir.Expr:
    a, b, c = (ir.Ref(name, INT) for name in "abc")
    product = ir.Arith("*", a, b, proven)
    less_one = ir.Arith("-", c, ir.Literal(1, INT), proven)
    return ir.Arith("+", product, less_one, proven)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    frame = pl.DataFrame({name: rng.integers(-1000, 1000, args.rows) for name in "abc"})
    medians = {}
    for label, proven in (("plain", True), ("checked", False)):
        query = frame.lazy().select(translate(expression(proven)).alias("x"))
        query.collect()  # warm up
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            query.collect()
            times.append(time.perf_counter() - start)
        medians[label] = statistics.median(times)
        print(f"{label:8} {medians[label] * 1000:8.1f} ms  (3 int operations, {args.rows} rows)")
    extra = (medians["checked"] - medians["plain"]) / 3 / args.rows * 1e9
    print(f"the check costs {extra:.1f} ns per operation and row")


if __name__ == "__main__":
    main()
