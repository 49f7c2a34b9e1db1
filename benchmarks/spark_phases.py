"""Where a local Spark session spends its time on the reference card: per phase, cold and warm.

    .venv/bin/python benchmarks/spark_phases.py --rows 1000000 [--runs 2] [--conf KEY=VALUE ...]
        [--java-options=-XX:...] [--sql FILE] [--codegen]

A fresh `local[2]` session (warehouse_bench.py's `spark_session`; `--conf` adds
settings, `--java-options=` sets the driver JVM's options) runs the card's Spark SQL
(`scorecard compile --dialect spark`, or `--sql FILE`) over a temporary view of the generated
Parquet file, `--runs` times in the same session: the first run is the session's first
statement (cold JVM: Spark's own classes not yet compiled by the JIT, no generated class
cached), the next ones warm.

Each run is timed by phase through the statement's QueryExecution: `analyse` (parse and
resolve: `spark.sql`), `optimise` (the optimised plan), `plan` (the physical plan),
`execute` (writing the rows as Parquet, which generates and compiles the code and runs it).
`JVM cpu` is the CPU time the JVM used over the run (from /proc: Linux only), the steadier
figure on a machine shared with other work, split by kind of thread: the JIT compilers, the
garbage collector, the tasks, and the rest (the driver's parsing, analysis, planning, code
generation, class loading).

`--codegen` prints, per whole-stage codegen subtree (planned with whole-stage code generation
on and adaptive execution off), the size of its largest generated method in bytes of bytecode
or that it does not compile (a method over 64 KB cannot); it compiles every subtree once more,
after the timed runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE))

from customers import ensure  # noqa: E402
from warehouse_bench import compile_sql, spark_session  # noqa: E402


def jvm_cpu_seconds(pid: int) -> float:
    """The CPU time (user + system, every thread: tasks, JIT compiler, GC) the JVM has used:
    on a shared machine it moves far less with the other load than wall time does."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def thread_cpu_seconds(pid: int) -> dict[str, float]:
    """The JVM's CPU seconds so far by kind of thread (from each thread's name in /proc):
    the JIT compilers, the garbage collector, the tasks, and the rest (driver: parsing,
    analysis, planning, code generation; class loading)."""
    kinds = {"C1 Comp": "JIT", "C2 Comp": "JIT", "GC ": "GC", "G1 ": "GC", "Executor": "tasks"}
    ticks = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            _, _, tail = (task / "stat").read_text().partition(" (")
            name, _, rest = tail.rpartition(") ")
        except OSError:
            continue  # the thread ended meanwhile
        fields = rest.split()
        kind = next((k for prefix, k in kinds.items() if name.startswith(prefix)), "other")
        totals[kind] = totals.get(kind, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return totals


def timed_run(spark: Any, select: str, out: Path) -> dict[str, float]:
    """One run of the statement, timed by phase (seconds), and the JVM's CPU seconds."""
    phases: dict[str, float] = {}
    pid = int(spark.sparkContext._jvm.ProcessHandle.current().pid())
    cpu = jvm_cpu_seconds(pid)
    threads = thread_cpu_seconds(pid)
    start = time.perf_counter()
    frame = spark.sql(select)  # parsed and analysed here
    phases["analyse"] = time.perf_counter() - start
    qe = frame._jdf.queryExecution()
    mark = time.perf_counter()
    qe.optimizedPlan()
    phases["optimise"] = time.perf_counter() - mark
    mark = time.perf_counter()
    qe.executedPlan()
    phases["plan"] = time.perf_counter() - mark
    mark = time.perf_counter()
    frame.write.mode("overwrite").parquet(str(out))
    phases["execute"] = time.perf_counter() - mark
    phases["total"] = time.perf_counter() - start
    phases["cpu"] = jvm_cpu_seconds(pid) - cpu
    for kind, seconds in thread_cpu_seconds(pid).items():
        phases[f"cpu {kind}"] = seconds - threads.get(kind, 0.0)
    return phases


def codegen_report(spark: Any, select: str) -> list[str]:
    """Per whole-stage codegen subtree: its operators, its largest method, whether it compiles."""
    jvm = spark.sparkContext._jvm
    spark.conf.set("spark.sql.codegen.wholeStage", "true")
    spark.conf.set("spark.sql.adaptive.enabled", "false")  # else one adaptive plan, no subtrees
    plan = spark.sql(select)._jdf.queryExecution().executedPlan()
    debug = jvm.org.apache.spark.sql.execution.debug.package
    lines = []
    subtrees = debug.codegenStringSeq(plan)
    for i in range(subtrees.size()):
        entry = subtrees.apply(i)
        tree, source, stats = str(entry._1()), str(entry._2()), entry._3()
        operators = [line.strip() for line in tree.splitlines() if line.strip()][:1]
        size = stats.maxMethodCodeSize()
        verdict = "does not compile" if size < 0 else f"largest method {size:,} bytes"
        verdict += f" ({len(source):,} characters of Java)"
        lines.append(f"  subtree {i + 1}: {verdict}; {' '.join(operators)[:110]}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--conf", action="append", default=[], help="KEY=VALUE, a Spark setting")
    parser.add_argument("--java-options", default=None, help="=OPTIONS: the driver JVM's options")
    parser.add_argument("--sql", type=Path, default=None, help="a statement over `customers`")
    parser.add_argument("--codegen", action="store_true", help="sizes of the generated methods")
    args = parser.parse_args()
    subprocess.run([sys.executable, str(HERE / "reference.py")], check=True, cwd=HERE)
    data = ensure(args.rows, DATA)
    select = (
        args.sql.read_text(encoding="utf-8").strip().rstrip(";")
        if args.sql
        else compile_sql("spark", "customers")
    )
    spark = spark_session("spark_phases", args.conf, args.java_options)
    spark.read.parquet(str(data)).createOrReplaceTempView("customers")
    out = DATA / f"spark_phases_{args.rows}.dir"
    print(f"{args.rows:,} rows; settings: {args.conf or '-'} {args.java_options or ''}")
    print("run     analyse  optimise     plan  execute    total  JVM cpu  (JIT   GC tasks other)")
    for run in range(args.runs):
        p = timed_run(spark, select, out)
        name = "cold" if run == 0 else f"warm {run}"
        print(
            f"{name:<7} {p['analyse']:7.2f} {p['optimise']:9.2f} {p['plan']:8.2f}"
            f" {p['execute']:8.2f} {p['total']:8.2f} {p['cpu']:8.2f} "
            + " ".join(f"{p.get('cpu ' + k, 0.0):5.1f}" for k in ("JIT", "GC", "tasks", "other")),
            flush=True,
        )
    if args.codegen:
        print("\n".join(codegen_report(spark, select)))
    spark.stop()


if __name__ == "__main__":
    main()
