"""`scorecard apply --streaming` on a big table (default 50M rows, > 2 GB of Parquet), peak RSS.

    .venv/bin/python benchmarks/stream_bench.py [--rows 50000000] [--runs 1]

The reference card without `classes` (a global rank needs the whole score column), so the
run can stream: Polars reads the file in batches and sinks the result to Parquet. Prints the
wall time, rows per second and the process's peak RSS (os.wait4), with a verdict against the
2 GiB target, and writes benchmarks/results/stream_<rows>.json. The data file is large:
delete benchmarks/data/ when done.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from apply_bench import DATA, SCORECARD, machine, measure  # noqa: E402
from customers import ensure  # noqa: E402
from reference import card_text  # noqa: E402

TARGET_MIB = 2048


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    data = ensure(args.rows, DATA)
    card = HERE / "reference_noclasses.scorecard"
    card.write_text(card_text(classes=False))
    out = DATA / "out_stream.parquet"
    cmd = [SCORECARD, "apply", card.name, str(data), "-o", str(out), "--streaming"]
    r = measure("scorecard apply --streaming", cmd, args.rows, args.runs)
    size = data.stat().st_size
    lines = [
        f"machine: {machine()}",
        f"data: {args.rows:,} rows, Parquet {size / 2**30:.2f} GiB; card without classes; "
        f"median of {args.runs} run(s)",
        f"{'what':30} {'median s':>9} {'rows/s':>12} {'peak RSS MiB':>13}",
        f"{r['name']:30} {r['median_s']:>9.1f} {r['rows_per_s']:>12,.0f} {r['peak_rss_mib']:>13,.0f}",
        f"VERDICT streamed with peak RSS under 2 GiB: "
        f"{'MET' if r['peak_rss_mib'] < TARGET_MIB else 'MISSED'} ({r['peak_rss_mib']:,.0f} MiB)",
    ]
    text = "\n".join(lines)
    print(text)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"stream_{args.rows}.json").write_text(
        json.dumps(
            {"rows": args.rows, "parquet_bytes": size, "runs": r["runs"],
             "median_s": statistics.median(r["runs"]), "peak_rss_mib": r["peak_rss_mib"],
             "machine": machine(), "table": text},
            indent=2,
        )
        + "\n"
    )  # fmt: skip


if __name__ == "__main__":
    main()
