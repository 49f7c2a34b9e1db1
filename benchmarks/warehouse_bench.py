"""The reference card inside DuckDB, PostgreSQL and local Spark, beside `scorecard apply`.

    .venv/bin/python benchmarks/warehouse_bench.py --rows 100000 [--pg-url URL] [--skip spark]

Same generated Parquet file for every engine (benchmarks/customers.py). Timed: `scorecard
apply` (the CLI, whole process), DuckDB running the compiled statement over the Parquet file
(whole process), PostgreSQL running `CREATE TABLE ... AS <statement>` over a table loaded
and vacuumed beforehand (not timed; with the JIT settings `apply --db` sets, docs/sql.md,
and with `--pg-jit-off` also `jit = off`), and a local Spark session (`local[2]`) running
the statement over a temporary view of the Parquet file and writing Parquet (session
start-up not timed; the statement runs four times: the session's first run, then three on
a warm JVM, whose median is reported). Every engine's rows are compared with `apply`'s
(scores within 1e-9, everything else equal). Ratios are against `apply` and DuckDB in the
same run; verdict lines check the targets of docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = str(ROOT / ".venv" / "bin" / "python")
SCORECARD = str(ROOT / ".venv" / "bin" / "scorecard")
DATA = HERE / "data"
sys.path.insert(0, str(HERE))
# Processes start as on a user's machine, where Python caches the engine's bytecode.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

from compare import differences  # noqa: E402
from customers import ensure  # noqa: E402


def compile_sql(dialect: str, table: str) -> str:
    """The reference card's statement in `dialect` over `table` (`scorecard compile`)."""
    out = DATA / f"reference_{dialect}.sql"
    cmd = [SCORECARD, "compile", "reference.scorecard", "--dialect", dialect, "--table", table]
    subprocess.run([*cmd, "-o", str(out)], cwd=HERE, check=True, capture_output=True)
    return out.read_text(encoding="utf-8").strip().rstrip(";")


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=HERE, check=True, capture_output=True)
    return time.perf_counter() - start


def run_apply(data: Path, out: Path) -> float:
    return _timed([SCORECARD, "apply", "reference.scorecard", str(data), "-o", str(out)])


def run_duckdb(data: Path, out: Path) -> float:
    compile_sql("duckdb", "customers")
    sql = str(DATA / "reference_duckdb.sql")
    return _timed([PY, "contenders/duckdb_sql.py", sql, str(data), str(out)])


def run_postgres(url: str, data: Path, out: Path, jit_off: bool) -> float:
    import polars as pl
    import psycopg

    sys.path.insert(0, str(ROOT))
    from engine.backends.sql import get_dialect
    from tests.sql.helpers import pg_table

    frame = pl.read_parquet(data)
    with psycopg.connect(url, autocommit=True) as conn:
        pg_table(conn, "bench_customers", frame)
        # As a warehouse table is when it is scored: vacuumed (hint bits set, which the
        # first read of a freshly loaded table otherwise writes) and analysed.
        conn.execute("VACUUM ANALYZE bench_customers")
        select = compile_sql("postgres", "bench_customers")
        conn.execute("DROP TABLE IF EXISTS bench_scored")
        start = time.perf_counter()
        with conn.transaction():
            for setting in get_dialect("postgres").local_settings():
                conn.execute(setting.encode())
            if jit_off:
                conn.execute(b"SET LOCAL jit = off")
            conn.execute(("CREATE TABLE bench_scored AS " + select).encode())
        wall = time.perf_counter() - start
        with conn.cursor() as cur:
            cur.execute("SELECT * FROM bench_scored")
            names = [d[0] for d in cur.description or []]
            pl.DataFrame(
                cur.fetchall(), schema=names, orient="row", infer_schema_length=None
            ).write_parquet(out)
    return wall


def spark_session(app: str, confs: Sequence[str] = (), java_options: str | None = None) -> Any:
    """The benchmarks' local Spark session (`local[2]`, 6 GB driver, UTC), with `confs`
    (KEY=VALUE) and the driver JVM's `java_options` added."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "6g")
        .config("spark.sql.session.timeZone", "UTC")
    )
    for item in confs:
        key, _, value = item.partition("=")
        builder = builder.config(key, value)
    if java_options:
        builder = builder.config("spark.driver.extraJavaOptions", java_options)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


WARM_RUNS = 3


def run_spark(data: Path, out: Path) -> tuple[float, float]:
    spark = spark_session("warehouse_bench")
    spark.read.parquet(str(data)).createOrReplaceTempView("customers")
    select = compile_sql("spark", "customers")
    walls = []
    # The session's first statement, then the same three times more on a warm JVM: one warm
    # run alone varies by a third from run to run (GC, the JIT), so the median of three.
    for _ in range(1 + WARM_RUNS):
        start = time.perf_counter()
        spark.sql(select).write.mode("overwrite").parquet(str(out) + ".dir")
        walls.append(time.perf_counter() - start)
    spark.stop()
    import polars as pl

    # Read Spark's own Parquet files (through pandas, a class with nulls became a float).
    pl.read_parquet(str(out) + ".dir/*.parquet").write_parquet(out)
    return walls[0], statistics.median(walls[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg-url", default=None, help="a PostgreSQL server (else skipped)")
    parser.add_argument("--pg-jit-off", action="store_true", help="also time PostgreSQL, jit off")
    parser.add_argument("--skip", action="append", default=[], help="apply|duckdb|postgres|spark")
    args = parser.parse_args()
    subprocess.run([PY, str(HERE / "reference.py")], check=True, cwd=HERE)  # models, card
    data = ensure(args.rows, DATA)
    outs = {n: DATA / f"wh_{n}_{args.rows}.parquet" for n in ("apply", "duckdb", "pg", "spark")}
    times: dict[str, float] = {}
    times["apply"] = run_apply(data, outs["apply"])
    print(f"apply: {times['apply']:.1f} s", flush=True)
    if "duckdb" not in args.skip:
        times["duckdb"] = run_duckdb(data, outs["duckdb"])
        print(f"duckdb: {times['duckdb']:.1f} s", flush=True)
    if args.pg_url and "postgres" not in args.skip:
        times["postgres"] = run_postgres(args.pg_url, data, outs["pg"], jit_off=False)
        print(f"postgres: {times['postgres']:.1f} s", flush=True)
        if args.pg_jit_off:
            times["postgres jit off"] = run_postgres(args.pg_url, data, outs["pg"], jit_off=True)
            print(f"postgres (jit off): {times['postgres jit off']:.1f} s", flush=True)
    if "spark" not in args.skip:
        times["spark"], times["spark warm"] = run_spark(data, outs["spark"])
        print(f"spark local[2]: {times['spark']:.1f} s, warm {times['spark warm']:.1f} s")
    report(args.rows, times, outs)


def report(rows: int, times: dict[str, float], outs: dict[str, Path]) -> None:
    files = {"duckdb": "duckdb", "postgres": "pg", "postgres jit off": "pg", "spark": "spark"}
    files["spark warm"] = "spark"
    result: dict[str, Any] = {"rows": rows, "seconds": times, "agrees": {}}
    print(f"\nreference card, {rows:,} rows\nengine               seconds  vs apply  vs DuckDB")
    for name, wall in times.items():
        vs_duck = f"{wall / times['duckdb']:.2f}x" if "duckdb" in times else "-"
        print(f"{name:<20} {wall:8.1f}  {wall / times['apply']:7.2f}x  {vs_duck:>8}")
        if name in files:
            diff = differences(str(outs["apply"]), str(outs[files[name]]))
            result["agrees"][name] = all(v == 0 for k, v in diff.items() if k != "rows")
    print("agrees with apply:", result["agrees"])
    checks = [("duckdb", "apply", 1.2), ("postgres", "duckdb", 3.0), ("spark", "duckdb", 5.0)]
    checks.append(("spark warm", "duckdb", 5.0))
    for engine, base, target in checks:
        if engine in times and base in times:
            ratio = times[engine] / times[base]
            verdict = "MET" if ratio <= target else "NOT MET"
            print(f"VERDICT {engine} within {target}x of {base}: {verdict} ({ratio:.2f}x)")
    (HERE / "results").mkdir(exist_ok=True)
    path = HERE / "results" / f"warehouse_{rows}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
