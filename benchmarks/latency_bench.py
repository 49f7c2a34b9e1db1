"""Small-table latency of every command on the bundled cards, warm cache (target: under 1 s).

Each command runs as a whole process (interpreter start-up included), once to warm the model
cache and then `REPEAT` times; the median is printed beside the target, with whether
scikit-learn, scipy or skops was imported. A command that fails stops the benchmark (an
error path is not what is measured). Run: .venv/bin/python benchmarks/latency_bench.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 1.0
REPEAT = 5
DATA = "scorecards/data/customers.csv"
PROBE = (
    "import sys, runpy; sys.argv = ['scorecard', *sys.argv[1:]]\n"
    "code = 0\n"
    "try:\n    runpy.run_module('engine', run_name='__main__')\n"
    "except SystemExit as e:\n    code = e.code or 0\n"
    "heavy = {'sklearn', 'scipy', 'skops'} & {m.split('.')[0] for m in sys.modules}\n"
    "print('SKLEARN' if heavy else '', file=sys.stderr)\n"
    "sys.exit(code)"
)


def commands(out: Path) -> list[list[str]]:
    churn = "scorecards/churn_risk.scorecard"
    rules = "scorecards/rules_only.scorecard"
    return [
        ["check", churn],
        ["check", rules],
        ["test", churn],
        ["apply", churn, DATA, "-o", str(out / "a.csv")],
        ["apply", rules, DATA, "-o", str(out / "b.csv")],
        ["explain", churn, DATA, "--key", "C000001"],
        ["evaluate", churn, DATA, "--target", "churned", "--json"],
        ["compile", churn, "--dialect", "duckdb", "--table", "customers"],
    ]


def timed(args: list[str], env: dict[str, str]) -> tuple[float, bool]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)}: exit status {done.returncode}\n{done.stderr}")
    return time.perf_counter() - start, "SKLEARN" in done.stderr


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        env = {**os.environ, "SCORECARD_CACHE_DIR": str(out / "cache")}
        # as on a user's machine, where Python caches the engine's bytecode (with this set,
        # every engine module is compiled again at each start)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        print(f"{'command':70} {'median s':>9} {'target':>7} sklearn")
        for args in commands(out):
            timed(args, env)  # warms the cache
            runs = [timed(args, env) for _ in range(REPEAT)]
            median = statistics.median(t for t, _ in runs)
            flag = "yes" if any(s for _, s in runs) else "no"
            verdict = "ok" if median < TARGET_SECONDS else "OVER"
            print(f"{' '.join(args)[:70]:70} {median:9.2f} {verdict:>7} {flag}")


if __name__ == "__main__":
    main()
