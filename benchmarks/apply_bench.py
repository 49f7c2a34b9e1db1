"""`scorecard apply` against hand-written Polars (tight and plain), pandas and DuckDB.

    .venv/bin/python benchmarks/apply_bench.py --rows 1000000 [--runs 3] [--rows-apply 100000]

Every contender runs in its own subprocess on the same generated Parquet file (benchmarks/
data/, made once with fixed seeds) and writes the card's result columns to Parquet; the
table shows the median wall time of `--runs` runs (process start-up included, for every
contender), rows per second, the peak RSS of the process (os.wait4), and the ratio to the
tight hand-written Polars (contenders/polars_tight.py, the reference; contenders/
polars_hand.py is the plain version a careful user writes, not tight). The contenders run
in turn within each run (tight, apply, the others, then again), so a change of the machine's
load hits all of them. As `scorecard compile` fills apply's model cache before the runs, the
tight contender's `prepare` writes its models' arrays once before them. Every contender's output is then compared with the CLI's (scores within
1e-9, everything else equal), so the contenders are known to compute the same thing.
`pandas DataFrame.apply` is slow (about 100 us a row): `--rows-apply` runs it on a smaller
file of the same generator and reports its rows per second. The models alone (compiled
Polars expression vs `predict_proba`) are timed inside their process, without the read.
Results go to benchmarks/results/apply_<rows>.json; verdict lines check the issue's targets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = str(ROOT / ".venv" / "bin" / "python")
SCORECARD = str(ROOT / ".venv" / "bin" / "scorecard")
DATA = HERE / "data"
sys.path.insert(0, str(HERE))

from compare import differences  # noqa: E402
from customers import ensure  # noqa: E402

# Processes start as on a user's machine, where Python caches the engine's bytecode: with
# this variable set every engine module is compiled again at each start (tens of ms).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MiB, stdout) of one subprocess run, which must succeed."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    _, status, usage = os.wait4(proc.pid, 0) if proc.returncode is None else (0, 0, None)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed: {err.decode()[-2000:]}")
    del status
    rss = (usage.ru_maxrss if usage is not None else _last_rss) / 1024
    return wall, rss, out.decode()


_last_rss = 0


class _Popen(subprocess.Popen):  # type: ignore[type-arg]
    """Popen that keeps the child's rusage from wait4 (subprocess reaps with waitpid)."""

    def _try_wait(self, wait_flags: int) -> tuple[int, int]:
        global _last_rss
        pid, status, usage = os.wait4(self.pid, wait_flags)
        if pid == self.pid:
            _last_rss = usage.ru_maxrss
        return pid, status


subprocess.Popen = _Popen  # type: ignore[misc]


def measure(name: str, cmd: list[str], rows: int, runs: int) -> dict[str, Any]:
    done = []
    for _ in range(runs):
        done.append(timed(cmd))
        print(f"  {name}: {done[-1][0]:.2f} s, {done[-1][1]:.0f} MiB", file=sys.stderr, flush=True)
    return summarise(name, rows, done)


def summarise(name: str, rows: int, done: list[tuple[float, float, str]]) -> dict[str, Any]:
    walls, rsss, outs = (list(x) for x in zip(*done, strict=True))
    med = statistics.median(walls)
    return {"name": name, "rows": rows, "runs": walls, "median_s": med,
            "rows_per_s": rows / med, "peak_rss_mib": max(rsss), "stdout": outs}  # fmt: skip


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split()[1]
        ram = f"{int(mem) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        ram = "? RAM"
    import duckdb
    import pandas
    import polars
    import sklearn

    return (
        f"{os.cpu_count()} cores ({cpu}), {ram}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, Polars {polars.__version__}, "
        f"pandas {pandas.__version__}, DuckDB {duckdb.__version__}, scikit-learn {sklearn.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows-apply", type=int, default=None, help="rows for DataFrame.apply")
    parser.add_argument("--skip", action="append", default=[], help="skip contenders by name")
    args = parser.parse_args()
    rows_apply = args.rows_apply or args.rows
    subprocess.run([PY, str(HERE / "reference.py")], check=True, cwd=HERE)
    data = ensure(args.rows, DATA)
    small = ensure(rows_apply, DATA)
    sql = DATA / "reference_duckdb.sql"
    compile_cmd = [SCORECARD, "compile", "reference.scorecard", "--dialect", "duckdb",
                   "--table", "customers", "-o", str(sql)]  # fmt: skip
    subprocess.run(compile_cmd, check=True, cwd=HERE)
    subprocess.run([PY, "contenders/polars_tight.py", "prepare"], check=True, cwd=HERE)
    out = {
        n: DATA / f"out_{n}.parquet" for n in ("cli", "tight", "polars", "pandas", "rows", "duckdb")
    }
    contenders: list[tuple[str, str, list[str], int, Path | None]] = [
        ("tight", "hand-written Polars, tight", [PY, "contenders/polars_tight.py", str(data), str(out["tight"])], args.rows, out["tight"]),
        ("cli", "scorecard apply (CLI)", [SCORECARD, "apply", "reference.scorecard", str(data), "-o", str(out["cli"])], args.rows, out["cli"]),
        ("polars", "hand-written Polars, plain", [PY, "contenders/polars_hand.py", str(data), str(out["polars"])], args.rows, out["polars"]),
        ("duckdb", "DuckDB, compiled SQL", [PY, "contenders/duckdb_sql.py", str(sql), str(data), str(out["duckdb"])], args.rows, out["duckdb"]),
        ("pandas", "pandas vectorised", [PY, "contenders/pandas_vec.py", str(data), str(out["pandas"])], args.rows, out["pandas"]),
        ("rows", "pandas DataFrame.apply", [PY, "contenders/pandas_rows.py", str(small), str(out["rows"])], rows_apply, out["rows"]),
    ]  # fmt: skip
    chosen = [c for c in contenders if c[0] not in args.skip]
    runs: dict[str, list[tuple[float, float, str]]] = {c[0]: [] for c in chosen}
    for _ in range(args.runs):  # alternate: each run times every contender once
        for key, label, cmd, _n, _ in chosen:
            runs[key].append(timed(cmd))
            wall, rss, _out = runs[key][-1]
            print(f"  {label}: {wall:.2f} s, {rss:.0f} MiB", file=sys.stderr, flush=True)
    results = {
        key: summarise(label, n, runs[key]) | {"key": key} for key, label, _c, n, _ in chosen
    }
    # agreement with the CLI's output
    if "cli" in results:
        cli_small = DATA / "out_cli_small.parquet"
        if rows_apply != args.rows and "rows" in results:
            subprocess.run([SCORECARD, "apply", "reference.scorecard", str(small), "-o", str(cli_small)],
                           check=True, cwd=HERE, capture_output=True)  # fmt: skip
        for key, *_rest, path in contenders:
            if key in results and key != "cli" and path is not None:
                ref = cli_small if key == "rows" and rows_apply != args.rows else out["cli"]
                diff = differences(str(ref), str(path))
                results[key]["differences"] = {k: v for k, v in diff.items() if k != "rows"}
    models: list[dict[str, Any]] = []
    if "models" not in args.skip:
        for which in ("churn", "risk"):
            for how in ("compiled", "predict_proba"):
                cmd = [PY, "contenders/models_only.py", str(data), which, how]
                r = measure(f"model {which}, {how}", cmd, args.rows, args.runs)
                inner = statistics.median(float(o.split()[0]) for o in r["stdout"])
                models.append({"model": which, "how": how, "seconds": inner, "rows_per_s": args.rows / inner,
                               "peak_rss_mib": r["peak_rss_mib"], "checksum": r["stdout"][0].split()[1]})  # fmt: skip
    report(args, results, models)


def report(
    args: argparse.Namespace, results: dict[str, dict[str, Any]], models: list[dict[str, Any]]
) -> None:
    base = results.get("tight")
    lines = [f"machine: {machine()}",
             f"data: {args.rows:,} rows x 30 columns (benchmarks/customers.py), reference card "
             f"(60 rules, 8 bins, 2 models, segments, 10 classes, 3 reasons); median of {args.runs} runs",
             "",
             f"{'contender':28} {'rows':>11} {'median s':>9} {'rows/s':>12} {'peak RSS MiB':>13} {'vs tight':>10}  agrees with CLI"]  # fmt: skip
    for r in results.values():
        ratio = (base["rows_per_s"] / r["rows_per_s"]) if base else float("nan")
        agree = r.get("differences")
        agree_text = (
            "(reference)"
            if r["key"] == "cli"
            else ("yes" if agree is not None and not any(agree.values()) else f"NO {agree}")
        )
        r["ratio_to_tight"] = ratio
        lines.append(f"{r['name']:28} {r['rows']:>11,} {r['median_s']:>9.2f} {r['rows_per_s']:>12,.0f} "
                     f"{r['peak_rss_mib']:>13,.0f} {ratio:>9.2f}x  {agree_text}")  # fmt: skip
    if models:
        lines += ["", "models alone (in process, features already in memory):",
                  f"{'model':34} {'seconds':>9} {'rows/s':>14} {'peak RSS MiB':>13}"]  # fmt: skip
        for m in models:
            lines.append(
                f"{m['model'] + ', ' + m['how']:34} {m['seconds']:>9.3f} {m['rows_per_s']:>14,.0f} {m['peak_rss_mib']:>13,.0f}"
            )
    lines.append("")
    cli = results.get("cli")
    if cli and base:
        ok = cli["ratio_to_tight"] <= 1.1
        lines.append(f"VERDICT apply within 1.1x of tight hand-written Polars: {'MET' if ok else 'MISSED'} "
                     f"({cli['ratio_to_tight']:.2f}x, median wall times at {args.rows:,} rows)")  # fmt: skip
    if cli and "rows" in results:
        speedup = cli["rows_per_s"] / results["rows"]["rows_per_s"]
        lines.append(f"VERDICT >= 20x faster than pandas DataFrame.apply: {'MET' if speedup >= 20 else 'MISSED'} "
                     f"({speedup:.1f}x, rows/s; DataFrame.apply on {results['rows']['rows']:,} rows)")  # fmt: skip
    if cli and "pandas" in results:
        ratio = cli["median_s"] / results["pandas"]["median_s"]
        lines.append(f"VERDICT no slower than vectorised pandas: {'MET' if ratio <= 1.0 else 'MISSED'} "
                     f"(apply takes {ratio:.2f}x the pandas time)")  # fmt: skip
    text = "\n".join(lines)
    print(text)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    payload = {"rows": args.rows, "runs": args.runs, "machine": machine(),
               "contenders": [{k: v for k, v in r.items() if k != "stdout"} for r in results.values()],
               "models": models, "table": text}  # fmt: skip
    (out / f"apply_{args.rows}.json").write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
