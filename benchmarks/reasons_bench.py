"""`reasons K`: the ranking against hand-written numpy, cards with many rules, a huge card.

    .venv/bin/python benchmarks/reasons_bench.py [--rows 1000000] [--wide-rows 1000000]
        [--reference-rows 1000000] [--rules 500 --rules 2000 --rules 5000] [--runs 3]
        [--skip kernel|reference|wide|huge]
        [--before /path/to/an/older/checkout]

1. **kernel**: 68 contribution columns (float64, some missing) and 1M rows already in memory;
   the engine's reasons step (`engine.backends.polars.reasons`, run as a lazy query, names
   out) against what a numpy user writes by hand: a C-ordered matrix from Polars, K rounds of
   `argmax`, names by `gather`. Same process, alternating, best of `--runs`; the outputs are
   compared row for row.
2. **wide**: cards of 500, 2,000 and 5,000 rules on 20 float inputs with `reasons 3` and
   `classes 10`, run by `scorecard apply CARD DATA -o OUT.parquet` in a subprocess: wall
   time and peak RSS (os.wait4), and the same card without reasons beside it. With
   `--before`, the same commands run with the code of another checkout (PYTHONPATH).
3. **reference**: `scorecard apply` of benchmarks/reference.scorecard with and without its
   `reasons 3` line, on the customers table of benchmarks/customers.py (with `--before`,
   also with another checkout's code).
4. **huge**: `scorecard check` of a 50 MB card (one rule whose label is 50 MB): peak RSS.

Results go to benchmarks/results/reasons_<rows>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = str(ROOT / ".venv" / "bin" / "python")
DATA = HERE / "data"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from engine.backends.polars.reasons import reasons  # noqa: E402
from engine.reason_keys import ReasonKeys, from_values  # noqa: E402

K = 3
INPUTS = 20
TARGET_S = 1.5
TARGET_MIB = 4096


# -- 1. the ranking alone ------------------------------------------------------------------


def contributions(rows: int, width: int) -> pl.DataFrame:
    """Rule-like contributions: mostly 0, small whole points (many ties), 5% missing."""
    rng = np.random.default_rng(5)
    columns = {}
    for j in range(width):
        values = np.where(rng.random(rows) < 0.6, 0.0, rng.integers(-20, 40, rows).astype(float))
        columns[f"c{j}"] = pl.Series(values).set(pl.Series(rng.random(rows) < 0.05), None)
    return pl.DataFrame(columns)


def rule_contributions(rows: int, width: int) -> pl.DataFrame:
    """What a card's rules give: each column its rule's whole points (-20 to 39, ties
    across rules) where the rule fires (40% of rows), else 0."""
    rng = np.random.default_rng(6)
    points = rng.integers(-20, 40, width).astype(float)
    return pl.DataFrame(
        {f"c{j}": np.where(rng.random(rows) < 0.4, points[j], 0.0) for j in range(width)}
    )


def engine_reasons(frame: pl.DataFrame, plan: ReasonKeys | None = None) -> pl.DataFrame:
    """The engine's reasons step: float ranking, or with `plan` the integer keys
    (engine/reason_keys.py)."""
    names = frame.columns
    outputs = [f"reason_{k + 1}" for k in range(K)]
    lf = frame.lazy()
    for step in reasons("", [(n, n) for n in names], outputs, "highest", pl.lit(True), plan):
        lf = lf.with_columns(step)
    return lf.select(outputs).collect()


def rules_plan(frame: pl.DataFrame) -> ReasonKeys:
    """The keys of a card whose rules give `rule_contributions`' points (made before the
    timing, as `scorecard apply` makes them when it builds the plan)."""
    found = [(n, n, frozenset(frame[n].unique().to_list())) for n in frame.columns]
    plan = from_values(found, highest=True)
    assert plan is not None
    return plan


def hand_reasons(frame: pl.DataFrame) -> pl.DataFrame:
    """What a numpy user writes: the matrix in C order, K rounds of argmax, names by gather."""
    matrix = frame.to_numpy(order="c")
    keys = np.where(matrix > 0, matrix, 0.0)  # NaN > 0 is False: missing is no candidate
    rows = np.arange(len(keys))
    names = pl.Series([*frame.columns, None], dtype=pl.String)
    out = {}
    for k in range(K):
        best = np.argmax(keys, axis=1)
        found = keys[rows, best] > 0
        out[f"reason_{k + 1}"] = names.gather(np.where(found, best, len(frame.columns)))
        keys[rows, best] = 0.0
    return pl.DataFrame(out)


def kernel(rows: int, runs: int) -> dict[str, Any]:
    """The float ranking and the hand-written numpy on `contributions`; the float ranking,
    the integer keys and the numpy on `rule_contributions`."""
    frames = {"mixed": contributions(rows, 68), "rules": rule_contributions(rows, 68)}
    plan = rules_plan(frames["rules"])
    cases = [
        ("engine", "mixed", engine_reasons),
        ("hand", "mixed", hand_reasons),
        ("rules float", "rules", engine_reasons),
        ("rules keyed", "rules", lambda f: engine_reasons(f, plan)),
        ("rules hand", "rules", hand_reasons),
    ]
    times: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    results = {}
    for _ in range(runs):
        for name, frame, fn in cases:
            start = time.perf_counter()
            results[name] = fn(frames[frame])
            times[name].append(time.perf_counter() - start)
    agree = results["engine"].equals(results["hand"]) and all(
        results[n].equals(results["rules hand"]) for n in ("rules float", "rules keyed")
    )
    best = {name: min(t) for name, t in times.items()}
    return {"rows": rows, "contributions": 68, "engine_s": best["engine"],
            "hand_s": best["hand"], "ratio": best["engine"] / best["hand"],
            "rules_float_s": best["rules float"], "rules_keyed_s": best["rules keyed"],
            "rules_hand_s": best["rules hand"], "agree": agree}  # fmt: skip


# -- 2. cards with many rules ----------------------------------------------------------------


def wide_card(n_rules: int, with_reasons: bool) -> str:
    rng = np.random.default_rng(0)
    lines = [f"scorecard wide_{n_rules} {{ }}", "input {", "  id : int key"]
    lines += [f"  x{j} : float" for j in range(INPUTS)]
    lines.append("}")
    for i in range(n_rules):
        threshold = round(float(rng.uniform(0, 1)), 3)
        lines.append(
            f"rule r{i} when x{i % INPUTS} > {threshold} then {int(rng.integers(-20, 40))}"
        )
    lines.append("classes 10")
    if with_reasons:
        lines.append("reasons 3")
    return "\n".join(lines) + "\n"


def wide_data(rows: int) -> Path:
    path = DATA / f"wide_{rows}.parquet"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        rng = np.random.default_rng(1)
        columns: dict[str, Any] = {"id": np.arange(rows)}
        for j in range(INPUTS):
            x = rng.random(rows)
            columns[f"x{j}"] = pl.Series(x).set(pl.Series(rng.random(rows) < 0.05), None)
        pl.DataFrame(columns).write_parquet(path)
    return path


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of a subprocess, which must succeed."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if status != 0:
            err.seek(0)
            raise RuntimeError(f"{cmd[3:]} failed ({status}): {err.read()[-2000:].decode()}")
    return wall, usage.ru_maxrss / 1024


def scorecard_cmd(*args: str) -> list[str]:
    return [PY, "-c", "from engine.cli.app import main; main()", *args]


def wide(rules: list[int], rows: int, before: str | None) -> list[dict[str, Any]]:
    data = wide_data(rows)
    out = DATA / "wide_out.parquet"
    found = []
    versions = [("this", None)] + ([("before", before)] if before else [])
    for n_rules in rules:
        for with_reasons in (True, False):
            card = DATA / f"wide_{n_rules}{'' if with_reasons else '_noreasons'}.scorecard"
            card.write_text(wide_card(n_rules, with_reasons))
            for version, path in versions:
                env = dict(os.environ, PYTHONPATH=path) if path else None
                cmd = scorecard_cmd("apply", str(card), str(data), "-o", str(out))
                try:
                    wall, rss = run_measured(cmd, env)
                    failed = None
                except RuntimeError as exc:
                    wall, rss, failed = float("nan"), float("nan"), str(exc)[-300:]
                found.append({"rules": n_rules, "rows": rows, "reasons": with_reasons,
                              "code": version, "wall_s": wall, "peak_rss_mib": rss,
                              "failed": failed})  # fmt: skip
                print(f"  {found[-1]}", file=sys.stderr, flush=True)
    return found


# -- 3. the reference card -------------------------------------------------------------------


def reference(rows: int, before: str | None) -> list[dict[str, Any]]:
    """`scorecard apply` of benchmarks/reference.scorecard with and without its `reasons 3`
    line (this code, and `--before`'s): what reasons cost in a whole run."""
    from customers import ensure  # benchmarks/customers.py

    subprocess.run([PY, str(HERE / "reference.py")], check=True, cwd=HERE, capture_output=True)
    data = ensure(rows, DATA)
    text = (HERE / "reference.scorecard").read_text()
    plain = HERE / "reference_noreasons.scorecard"
    plain.write_text("\n".join(s for s in text.splitlines() if not s.startswith("reasons ")) + "\n")
    out = DATA / "reference_out.parquet"
    found = []
    for version, path in [("this", None)] + ([("before", before)] if before else []):
        env = dict(os.environ, PYTHONPATH=path) if path else None
        for card in ("reference.scorecard", plain.name):
            wall, rss = run_measured(scorecard_cmd("apply", card, str(data), "-o", str(out)), env)
            found.append({"card": card, "code": version, "rows": rows, "wall_s": wall,
                          "peak_rss_mib": rss})  # fmt: skip
            print(f"  {found[-1]}", file=sys.stderr, flush=True)
    return found


# -- 4. a 50 MB card -------------------------------------------------------------------------


def huge() -> dict[str, Any]:
    DATA.mkdir(exist_ok=True)
    card = DATA / "huge.scorecard"
    label = "x" * 50_000_000
    text = "scorecard huge { }\ninput {\n  id : int key\n  a : int\n}\n"
    text += f'rule big "{label}" when a > 1 then 1\n'
    card.write_text(text)
    wall, rss = run_measured(scorecard_cmd("check", str(card)))
    return {"card_mb": card.stat().st_size / 1e6, "wall_s": wall, "peak_rss_mib": rss}


def report(found: dict[str, Any]) -> str:
    lines = []
    if "kernel" in found:
        k = found["kernel"]
        lines += [
            f"reasons 3 on {k['rows']:,} rows x {k['contributions']} contributions (in process, best of runs)",
            f"  engine reasons step      {k['engine_s']:7.3f} s   (float ranking)",
            f"  hand-written numpy       {k['hand_s']:7.3f} s   (C-ordered matrix, argmax rounds, gather)",
            f"  ratio engine / hand      {k['ratio']:7.2f}x   agree: {'yes' if k['agree'] else 'NO'}",
            "rule-like contributions (each a rule's whole points or 0), same size:",
            f"  engine, float ranking    {k['rules_float_s']:7.3f} s",
            f"  engine, integer keys     {k['rules_keyed_s']:7.3f} s   (the points the card fixes)",
            f"  hand-written numpy       {k['rules_hand_s']:7.3f} s",
            f"VERDICT reasons <= {TARGET_S} s per 1M x 68: "
            f"{'MET' if k['engine_s'] * 1e6 / k['rows'] <= TARGET_S else 'MISSED'} ({k['engine_s']:.2f} s)",
            "",
        ]  # fmt: skip
    if "wide" in found:
        lines.append(
            f"{'rules':>6} {'rows':>10} {'reasons':>8} {'code':>7} {'wall s':>8} {'peak RSS MiB':>13}"
        )
        for r in found["wide"]:
            status = "" if r["failed"] is None else f"  FAILED: {r['failed'][-120:]!r}"
            lines.append(f"{r['rules']:>6} {r['rows']:>10,} {r['reasons']!s:>8} {r['code']:>7} "
                         f"{r['wall_s']:>8.1f} {r['peak_rss_mib']:>13,.0f}{status}")  # fmt: skip
        worst = max((r["peak_rss_mib"] for r in found["wide"] if r["code"] == "this"), default=0)
        lines.append(f"VERDICT peak RSS under {TARGET_MIB} MiB with reasons and classes: "
                     f"{'MET' if worst < TARGET_MIB else 'MISSED'} ({worst:,.0f} MiB)")  # fmt: skip
        lines.append("")
    if "reference" in found:
        lines.append(f"{'card':32} {'code':>7} {'rows':>10} {'wall s':>8} {'peak RSS MiB':>13}")
        for r in found["reference"]:
            lines.append(f"{r['card']:32} {r['code']:>7} {r['rows']:>10,} {r['wall_s']:>8.1f} "
                         f"{r['peak_rss_mib']:>13,.0f}")  # fmt: skip
        lines.append("")
    if "huge" in found:
        h = found["huge"]
        lines.append(f"scorecard check of a {h['card_mb']:.0f} MB card: {h['wall_s']:.1f} s, "
                     f"peak RSS {h['peak_rss_mib']:,.0f} MiB")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--wide-rows", type=int, default=1_000_000)
    parser.add_argument("--reference-rows", type=int, default=1_000_000)
    parser.add_argument("--rules", type=int, action="append", default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip", action="append", default=[])
    parser.add_argument("--before", default=None, help="another checkout, run with PYTHONPATH")
    args = parser.parse_args()
    found: dict[str, Any] = {}
    if "reference" not in args.skip:
        found["reference"] = reference(args.reference_rows, args.before)
        print(report({"reference": found["reference"]}), file=sys.stderr, flush=True)
    if "huge" not in args.skip:
        found["huge"] = huge()
    if "wide" not in args.skip:
        found["wide"] = wide(args.rules or [500, 2000, 5000], args.wide_rows, args.before)
    # Last: a child's ru_maxrss starts from this process's size at fork, so the subprocess
    # measurements above must run while this process is still small.
    if "kernel" not in args.skip:
        found["kernel"] = kernel(args.rows, args.runs)
    text = report(found)
    print(text)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"reasons_{args.rows}.json").write_text(
        json.dumps(found | {"table": text}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
