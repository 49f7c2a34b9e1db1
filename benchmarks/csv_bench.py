"""What the CSV shape check costs: `engine.io.csv_shape.inspect` against a Polars read and a run.

    .venv/bin/python benchmarks/csv_bench.py [--rows 1000000] [--runs 3]

The customers table of benchmarks/customers.py (30 columns) is written as CSV twice: as Polars
writes it (no field needs quotes) and with every text field quoted (the slower case for the
check, which then tracks quotes). For each file the table gives the median of `--runs` runs of:

- `inspect`: the shape check alone (seconds, MB/s, and its peak memory from tracemalloc,
  which sees numpy's buffers);
- `polars read`: `pl.scan_csv(...).select(<the card's 12 columns>).collect()`, a plain read;
- `apply` and `apply --streaming`: `scorecard apply` of a 20-rule card to Parquet, in a
  subprocess (start-up included), with its peak RSS (os.wait4); the check is part of it.

`share` is inspect's time over apply's. Results go to benchmarks/results/csv_<rows>.json.
The CSV files stay in benchmarks/data/ (delete it when done).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import polars as pl  # noqa: E402
from apply_bench import DATA, SCORECARD, machine, measure  # noqa: E402
from customers import ensure  # noqa: E402

from engine.io.csv_shape import inspect  # noqa: E402

COLUMNS = {
    "customer_id": "string key",
    "age": "int",
    "income": "float",
    "region": "string",
    "tenure_months": "int",
    "orders_12m": "int",
    "revenue_12m": "float",
    "complaints_6m": "int",
    "email_opt_in": "bool",
    "balance": "float",
    "bureau_score": "int",
    "web_visits_30d": "int",
}

CARD = (
    "scorecard csv_bench { }\ninput {\n"
    + "".join(f"  {name} : {kind}\n" for name, kind in COLUMNS.items())
    + "}\n"
    + "".join(
        f"rule r{i} when {col} > {i} then {i % 7 + 1}\n"
        for i, col in enumerate(["age", "income", "tenure_months", "orders_12m", "revenue_12m"] * 4)
    )
    + 'bins region_pts on region {\n  = "idf" -> 5\n  in ["ara", "pac"] -> 3\n  else -> 0\n}\n'
    + "score = 500 + points\n"
)


def files(rows: int) -> dict[str, Path]:
    source = ensure(rows, DATA)
    out = {"plain": DATA / f"customers_{rows}.csv", "quoted": DATA / f"customers_{rows}_q.csv"}
    frame: pl.DataFrame | None = None
    for style, path in out.items():
        if not path.exists():
            frame = frame if frame is not None else pl.read_parquet(source)
            print(f"writing {path}", file=sys.stderr, flush=True)
            frame.write_csv(path, quote_style="non_numeric" if style == "quoted" else "necessary")
    return out


def timed_inspect(path: Path, runs: int) -> dict[str, Any]:
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        shape = inspect(path)
        walls.append(time.perf_counter() - start)
        assert shape.ok, shape
    tracemalloc.start()
    inspect(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    med = statistics.median(walls)
    size = path.stat().st_size
    return {"runs": walls, "median_s": med, "mb_per_s": size / med / 1e6, "peak_mib": peak / 2**20}


def timed_read(path: Path, runs: int) -> dict[str, Any]:
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        pl.scan_csv(path, infer_schema=False).select(list(COLUMNS)).collect()
        walls.append(time.perf_counter() - start)
    return {"runs": walls, "median_s": statistics.median(walls)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    card = DATA / "csv_bench.scorecard"
    card.write_text(CARD, encoding="utf-8")
    report: dict[str, Any] = {"rows": args.rows, "machine": machine(), "files": {}}
    print(f"{'file':8} {'MB':>7} {'inspect s':>10} {'MB/s':>7} {'peak MiB':>9} "
          f"{'read s':>7} {'apply s':>8} {'stream s':>9} {'RSS MiB':>8} {'share':>6}")  # fmt: skip
    for style, path in files(args.rows).items():
        out = DATA / f"csv_bench_{style}.parquet"
        shape = timed_inspect(path, args.runs)
        read = timed_read(path, args.runs)
        cmd = [SCORECARD, "apply", str(card), str(path), "-o", str(out)]
        apply = measure("apply", [*cmd, "--no-streaming"], args.rows, args.runs)
        stream = measure("apply --streaming", [*cmd, "--streaming"], args.rows, args.runs)
        for run in (apply, stream):
            run.pop("stdout")
        size = path.stat().st_size / 1e6
        share = shape["median_s"] / apply["median_s"]
        report["files"][style] = {"mb": size, "inspect": shape, "polars_read": read,
                                  "apply": apply, "apply_streaming": stream, "share": share}  # fmt: skip
        print(f"{style:8} {size:7.0f} {shape['median_s']:10.2f} {shape['mb_per_s']:7.0f} "
              f"{shape['peak_mib']:9.0f} {read['median_s']:7.2f} {apply['median_s']:8.2f} "
              f"{stream['median_s']:9.2f} {stream['peak_rss_mib']:8.0f} {share:6.0%}")  # fmt: skip
    results = HERE / "results" / f"csv_{args.rows}.json"
    results.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {results}", file=sys.stderr)


if __name__ == "__main__":
    main()
