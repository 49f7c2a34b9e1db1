"""Check + compile of a 2,000-rule card, and `scorecard compile` of the reference card (< 1 s).

    .venv/bin/python benchmarks/compile_bench.py [--runs 5]

Times, median of `--runs`: in process, check of the 2,000-rule card of check_bench.py plus
building its Polars plan and its DuckDB SQL; through the CLI (interpreter start-up included),
`scorecard compile` of that card and of the reference card. CPU time is printed beside wall
time because the machine may be shared. Writes benchmarks/results/compile.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from apply_bench import SCORECARD, machine  # noqa: E402
from check_bench import generated_card  # noqa: E402


def in_process(text: str) -> tuple[float, float]:
    import polars as pl

    from engine.api import loads
    from engine.backends.polars import runner
    from engine.backends.sql import compile_program

    start, cpu = time.perf_counter(), time.process_time()
    card = loads(text)
    frame = pl.LazyFrame(schema={c.name: pl.String for c in card.program.inputs})
    runner.build(frame, [card.prepare()])
    compile_program(card.program, "duckdb", "customers")
    return time.perf_counter() - start, time.process_time() - cpu


def cli(args: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, cwd=HERE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    text = generated_card(2000)
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.scorecard"
        big.write_text(text)
        cases = {
            "2,000 rules: check + Polars plan + SQL, in process": lambda: in_process(text),
            "2,000 rules: scorecard compile (CLI)": lambda: cli(
                [SCORECARD, "compile", str(big), "-d", "duckdb", "-t", "customers", "-o", str(Path(tmp) / "a.sql")]
            ),
            "reference card: scorecard compile (CLI)": lambda: cli(
                [SCORECARD, "compile", "reference.scorecard", "-d", "duckdb", "-t", "customers", "-o", str(Path(tmp) / "b.sql")]
            ),
        }  # fmt: skip
        for name, case in cases.items():
            runs = [case() for _ in range(args.runs)]
            rows.append(
                (name, statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
            )
    lines = [f"machine: {machine()}", f"median of {args.runs} runs",
             f"{'what':52} {'wall s':>8} {'cpu s':>8}"]  # fmt: skip
    lines += [f"{n:52} {w:8.3f} {c:8.3f}" for n, w, c in rows]
    for n, w, c in rows:
        lines.append(
            f"VERDICT {n} under 1 s: {'MET' if w < 1.0 else 'MISSED'} ({w:.2f} s wall, {c:.2f} s CPU)"
        )
    text_out = "\n".join(lines)
    print(text_out)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "compile.json").write_text(
        json.dumps(
            {n: {"wall_s": w, "cpu_s": c} for n, w, c in rows} | {"table": text_out}, indent=2
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
