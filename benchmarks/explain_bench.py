"""`explain` of one key of a 1M-row Parquet table, after start-up, against hand-written Polars.

    .venv/bin/python benchmarks/explain_bench.py [--rows 1000000] [--runs 5]

Start-up (importing the engine, loading and checking the card) is outside the timings. The
reference card links two scikit-learn models, loaded and compiled at each call whatever the
table's size: that fixed cost is measured on a one-row copy of the table, and the verdict is
on what the 1M rows add to it. Contenders, in one process:

- `explain_keys` on the 1M-row table, the key filter pushed into the Parquet scan;
- `explain_keys` on a one-row table (the card's fixed cost: models, plan);
- hand-written Polars: `pl.scan_parquet(...).filter(key == K).collect()`, the floor (reading
  the row, no scoring);
- with --whole, the whole table scored, then the row picked (what explain did before the
  pushdown; one run).

Uses the reference card without `classes` (with classes, explain scores every row, since a
class ranks a row among all of them). Writes benchmarks/results/explain_<rows>.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from apply_bench import DATA, machine  # noqa: E402
from customers import ensure  # noqa: E402
from reference import GBM_PATH, card_text, train_models  # noqa: E402

TARGET_S = 1.0


def _median(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--whole", action="store_true", help="also score the whole table (slow: minutes)"
    )
    args = parser.parse_args()
    import polars as pl

    import engine
    from engine.run import execute

    data = ensure(args.rows, DATA)
    if not GBM_PATH.exists():
        train_models()
    card_path = HERE / "reference_noclasses.scorecard"
    card_path.write_text(card_text(classes=False))
    card = engine.load(card_path)
    key_name = card.program.key.name
    key = pl.scan_parquet(data).select(pl.col(key_name).gather(args.rows // 2)).collect().item()

    one_row = DATA / "explain_one_row.parquet"
    pl.scan_parquet(data).filter(pl.col(key_name) == key).collect().write_parquet(one_row)

    def engine_explain() -> object:
        return card.explain_keys(data, [key])

    def engine_one_row() -> object:
        return card.explain_keys(one_row, [key])

    def hand_polars() -> object:
        return pl.scan_parquet(data).filter(pl.col(key_name) == key).collect()

    def whole_table() -> object:
        frame = execute.run([card], data).frame
        return frame.filter(pl.col(key_name) == key)

    engine_explain()  # warm the file cache and Polars' thread pool
    results = {
        "explain_keys (pushdown)": _median(engine_explain, args.runs),
        "explain_keys, one-row table": _median(engine_one_row, args.runs),
        "hand-written Polars filter": _median(hand_polars, args.runs),
    }
    if args.whole:
        results["whole table scored, then filtered"] = _median(whole_table, 1)
    floor = results["hand-written Polars filter"]
    lines = [
        f"machine: {machine()}",
        f"data: {args.rows:,} rows of Parquet; one key; median of {args.runs} run(s), "
        "start-up excluded",
        f"{'what':36} {'median s':>9} {'x Polars':>9}",
    ]
    lines += [f"{name:36} {s:>9.3f} {s / floor:>9.1f}" for name, s in results.items()]
    ours = results["explain_keys (pushdown)"] - results["explain_keys, one-row table"]
    lines.append(
        f"VERDICT the 1M rows add well under {TARGET_S:.0f} s to explaining one key: "
        f"{'MET' if ours < TARGET_S / 2 else 'MISSED'} ({ours:.3f} s over the card's fixed "
        f"{results['explain_keys, one-row table']:.3f} s)"
    )
    print("\n".join(lines))
    out = HERE / "results" / f"explain_{args.rows}.json"
    out.write_text(json.dumps({"rows": args.rows, "seconds": results, "report": lines}, indent=2))


if __name__ == "__main__":
    main()
