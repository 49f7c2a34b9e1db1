"""How long `scorecard check` takes on a generated 2,000-rule card (target: under 1 s).

Prints the median of several runs, in process (parse + check) and through the CLI (with
interpreter start-up), and the ratio to the target. Run: .venv/bin/python benchmarks/check_bench.py
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 1.0


def generated_card(rules: int) -> str:
    """A card in the shape of a large production card: many rules over a few columns and lets."""
    lines = [
        "scorecard big {",
        '  title "generated"',
        "}",
        "input {",
        "  id : string key",
        "  age : int",
        "  income : float",
        "  city : string",
        "  joined : date",
        "  orders : int",
        "}",
        "param as_of : date = 2026-11-01",
        "let tenure = days_between(joined, as_of)",
        "let basket = if orders > 0 then income / orders else 0.0",
    ]
    for i in range(rules):
        match i % 4:
            case 0:
                cond = f"age >= {18 + i % 60} and income > {1000 + i}"
            case 1:
                cond = f'city in ["c{i}", "c{i + 1}"] or tenure < {i % 900}'
            case 2:
                cond = f"basket > {i % 300}.5 and not (orders is missing)"
            case _:
                cond = f"coalesce(income, 0) / max(orders, 1) > {i % 77}"
        lines.append(f'rule r{i} "rule {i}" when {cond} then {(i % 41) - 20}')
    lines += [
        "bins age_band on age {",
        "  missing -> 0",
        "  < 25 -> 10",
        "  [25, 60) -> 5",
        "  else -> -5",
        "}",
        "score = points",
        'segment "high" when score > 100',
        'segment "low" otherwise',
        "classes 10",
        "reasons 3",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    from engine.check.source import check_source

    text = generated_card(2000)
    runs = []
    cpu_runs = []
    for _ in range(5):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = check_source(text)
        runs.append(time.perf_counter() - start)
        cpu_runs.append(time.process_time() - cpu_start)
        assert result.program is not None, [d.headline() for d in result.diagnostics[:3]]
    in_process = statistics.median(runs)
    in_process_cpu = statistics.median(cpu_runs)
    with tempfile.TemporaryDirectory() as tmp:
        card = Path(tmp) / "big.scorecard"
        card.write_text(text)
        cli_runs = []
        cli_cpu_runs = []
        for _ in range(5):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "engine", "check", str(card)], capture_output=True
            )
            cli_runs.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cli_cpu_runs.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            assert done.returncode == 0, done.stderr.decode()
    rows = [
        ("check, in process (parse + check)", in_process, in_process_cpu),
        (
            "scorecard check (CLI, with start-up)",
            statistics.median(cli_runs),
            statistics.median(cli_cpu_runs),
        ),
    ]
    print(f"2,000-rule card, {len(text.splitlines())} lines, {len(text) / 1024:.0f} KiB")
    print("CPU time is what the run costs on an idle machine; wall time includes waiting.")
    print(f"{'what':40} {'wall s':>8} {'cpu s':>8} {'cpu vs 1 s target':>18}")
    for name, wall, cpu in rows:
        print(f"{name:40} {wall:8.3f} {cpu:8.3f} {cpu / TARGET_SECONDS:17.2f}x")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "check.json").write_text(
        json.dumps({n: {"wall_s": w, "cpu_s": c} for n, w, c in rows}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
