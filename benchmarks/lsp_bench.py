"""How long after an edit the diagnostics of a 2,000-rule card arrive (target: under 300 ms).

A real `scorecard lsp` process is driven over stdio by the tests' JSON-RPC client
(tests/lsp/client.py): the card is opened, then edited many times (one rule's points changed,
or a name misspelt so that an E200 comes back), and the time from sending `didChange` to
receiving `publishDiagnostics` is taken on the client's side (so it includes the pipe both
ways: an upper bound of the server's time). The same work is also timed in process (check
plus the conversion to LSP diagnostics), beside `check_source` alone, the floor.

Run: .venv/bin/python benchmarks/lsp_bench.py [--edits 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from check_bench import generated_card  # noqa: E402

from tests.lsp.client import Client  # noqa: E402

TARGET_SECONDS = 0.300


def _edits(text: str, count: int) -> list[tuple[str, bool]]:
    """`count` edited texts, every other one with a misspelt name (an E200 to report)."""
    out = []
    for i in range(count):
        if i % 2:
            out.append((text.replace("then 20\n", "then 20 + agee\n", 1), True))
        else:
            out.append((text.replace("then 20\n", f"then {21 + i}\n", 1), False))
    return out


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc): the server's own work,
    whatever else the machine is running."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def over_stdio(text: str, edits: int) -> tuple[list[float], list[float]]:
    client = Client()
    try:
        client.initialize()
        uri = (ROOT / "big.scorecard").as_uri()
        client.open(uri, text)
        times, cpu = [], []
        for version, (edited, broken) in enumerate(_edits(text, edits), start=2):
            start, cpu_start = time.perf_counter(), _cpu_seconds(client.proc.pid)
            client.change(uri, edited, version)
            published = client.wait_for("textDocument/publishDiagnostics", uri)
            times.append(time.perf_counter() - start)
            cpu.append(_cpu_seconds(client.proc.pid) - cpu_start)
            codes = [d["code"] for d in published["diagnostics"]]
            assert codes == (["E200"] if broken else []), codes
        return times, cpu
    finally:
        client.close()


def in_process(text: str, edits: int) -> tuple[list[float], list[float], list[float]]:
    from engine.check.source import check_source
    from engine.lsp.diagnostics import diagnostics
    from engine.lsp.document import Analysis
    from engine.syntax.incremental import IncrementalParser

    parser = IncrementalParser()
    Analysis("file:///big.scorecard", text, parser=parser)
    server_side, server_cpu, check_cpu = [], [], []
    for edited, _ in _edits(text, edits):
        start, cpu_start = time.perf_counter(), time.process_time()
        diagnostics(Analysis("file:///big.scorecard", edited, parser=parser))
        server_side.append(time.perf_counter() - start)
        server_cpu.append(time.process_time() - cpu_start)
        cpu_start = time.process_time()
        check_source(edited)
        check_cpu.append(time.process_time() - cpu_start)
    return server_side, server_cpu, check_cpu


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"median {statistics.median(values) * 1000:6.1f} ms, p90 {p90 * 1000:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=30)
    args = parser.parse_args()
    text = generated_card(2000)
    print(f"card: 2,000 rules, {len(text.splitlines()):,} lines, {len(text):,} characters")
    stdio, stdio_cpu = over_stdio(text, args.edits)
    server, server_cpu, check_cpu = in_process(text, args.edits)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"didChange -> publishDiagnostics, wall     : {_ms(stdio)}")
    print(f"  the server process's CPU for it          : {_ms(stdio_cpu)}")
    print(f"the server's work in process, wall        : {_ms(server)}")
    print(f"  its CPU                                  : {_ms(server_cpu)}")
    print(f"a whole check_source, CPU (no incremental) : {_ms(check_cpu)}")
    for what, values in (("wall", stdio), ("server CPU", stdio_cpu)):
        median = statistics.median(values)
        verdict = "met" if median < TARGET_SECONDS else "NOT met"
        print(
            f"target {TARGET_SECONDS * 1000:.0f} ms, {what}: {median / TARGET_SECONDS:.2f}x ({verdict})"
        )


if __name__ == "__main__":
    main()
