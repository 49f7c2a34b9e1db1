"""Run a compiled card inside the warehouse: `CREATE TABLE result AS <the card's SELECT>`.

The data never leaves the database: the statement reads `--table` and writes `--into` in one
transaction (PostgreSQL through psycopg, DuckDB in-process), replacing any table of that name
only when the whole statement succeeds. URLs: `postgresql://...` (or `postgres://...`),
`duckdb:PATH` / `duckdb:///ABSOLUTE/PATH`, and Spark: `spark:MASTER` (`spark:local[2]`,
`spark:yarn`, `spark:spark://host:7077`: a SparkSession with that master, configured as Spark
reads its configuration: spark-defaults.conf, SPARK_CONF_DIR) or a Spark Connect URL
`sc://host:port`. Spark has no multi-statement transactions: the result table is dropped and
created by one `CREATE TABLE ... AS SELECT`, which writes nothing if the statement fails.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import ir, results
from engine.backends.sql import compile_program, create_table_statement, get_dialect, quote_table
from engine.backends.sql.dialects import Dialect
from engine.backends.sql.export import sql_program
from engine.backends.sql.sqltext import Sql, join, sql
from engine.diagnostics import ScorecardError, error
from engine.program import Program


@dataclass(frozen=True)
class WarehouseRun:
    """What an in-warehouse run did: the table written and the figures of `apply`'s summary.

    The figures are counted on the result table, inside the same transaction, so they describe
    exactly the rows written (`excluded` and `segments` map each label of the card, in file
    order, to its rows; `segments["(none)"]` counts the rows, not excluded, that matched none).
    """

    into: str
    rows: int
    dialect: str
    scored: int = 0
    null_scores: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    segments: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


_SCHEMES = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "duckdb": "duckdb",
    "spark": "spark",
    "sc": "spark",
}


def dialect_of(url: str) -> str:
    """`postgres`, `duckdb` or `spark` from the URL's scheme; a diagnostic for anything else."""
    scheme = url.partition(":")[0].lower()
    if scheme in _SCHEMES:
        return _SCHEMES[scheme]
    raise ScorecardError(
        [
            error(
                "E904",
                f"--db {url!r}: expected a postgresql://, duckdb:, spark:MASTER or sc:// URL",
                None,
                "for other warehouses, write the SQL with `scorecard compile --dialect D`",
            )
        ]
    )


def duckdb_path(url: str) -> str:
    """The database file of a `duckdb:` URL (`duckdb:///abs/path`, `duckdb:rel/path`)."""
    rest = url.partition(":")[2]
    if rest.startswith("//"):
        rest = rest[2:]
    return rest or ":memory:"


def _driver(module: str, extra: str = "sql") -> Any:
    """The database driver, or a diagnostic naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ScorecardError(
            [
                error(
                    "E906",
                    f"running a card inside a database needs the {module} package",
                    None,
                    f"install the `{extra}` extra: pip install 'scorecard-engine[{extra}]'",
                )
            ]
        ) from None


def _execute_duckdb(url: str, statements: list[str], count_sql: str) -> tuple[Any, ...]:
    duckdb = _driver("duckdb")

    path = duckdb_path(url)
    if path != ":memory:" and not Path(path).exists():
        raise ScorecardError([error("E904", f"--db {url!r}: no DuckDB database at {path}")])
    con = duckdb.connect(path)
    try:
        con.execute("BEGIN TRANSACTION")
        for s in statements:
            con.execute(s)
        row = con.execute(count_sql).fetchone()
        con.execute("COMMIT")
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        raise ScorecardError([error("E905", f"DuckDB: {_first_line(exc)}")]) from None
    finally:
        con.close()
    return tuple(row) if row else ()


def _execute_postgres(url: str, statements: list[str], count_sql: str) -> tuple[Any, ...]:
    psycopg = _driver("psycopg")

    try:
        with psycopg.connect(url) as conn, conn.transaction(), conn.cursor() as cur:
            for setting in get_dialect("postgres").local_settings():
                cur.execute(setting.encode())
            for s in statements:
                cur.execute(s.encode())
            cur.execute(count_sql.encode())
            row: Any = cur.fetchone()
    except psycopg.Error as exc:
        raise ScorecardError([error("E905", f"PostgreSQL: {_first_line(exc)}")]) from None
    return tuple(row) if row else ()


def spark_session(url: str) -> Any:
    """The SparkSession of a `spark:MASTER` or `sc://...` URL (an existing session of the same
    master in this process is reused, as `getOrCreate` does)."""
    sql_module = _driver("pyspark.sql", "spark")
    builder = sql_module.SparkSession.builder
    if url.lower().startswith("sc:"):
        return builder.remote(url).getOrCreate()
    master = url.partition(":")[2]
    if not master:
        raise ScorecardError([error("E904", f"--db {url!r}: name the master (spark:local[2])")])
    return builder.master(master).appName("scorecard apply").getOrCreate()


def _execute_spark(url: str, statements: list[str], count_sql: str) -> tuple[Any, ...]:
    _driver("pyspark", "spark")
    from pyspark.errors import PySparkException

    java_error = _driver("py4j.protocol", "spark").Py4JJavaError  # pyspark's bridge to the JVM

    try:
        run = spark_session(url).sql  # Spark's method; the statements are built as Sql already
        for s in statements:
            run(s).collect()
        row = run(count_sql).collect()
    except PySparkException as exc:
        raise ScorecardError([error("E905", f"Spark: {_first_line(exc)}")]) from None
    except java_error as exc:
        raise ScorecardError([error("E905", f"Spark: {_java_root_cause(exc)}")]) from None
    return tuple(row[0]) if row else ()


def _java_root_cause(exc: Any) -> str:
    """The message of the innermost cause of a Java exception that PySpark did not convert
    (an error raised inside a subquery Spark runs apart, such as the key check, comes
    wrapped in `SparkException: Exception thrown in awaitResult`)."""
    cause = exc.java_exception
    while cause.getCause() is not None:
        cause = cause.getCause()
    return _first_line(Exception(cause.getMessage() or cause.toString()))


_EXECUTORS = {"postgres": _execute_postgres, "duckdb": _execute_duckdb, "spark": _execute_spark}


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def apply_in_warehouse(
    program: Program,
    base: Path,
    url: str,
    table: str,
    into: str,
    *,
    trust_models: bool = False,
    params: Mapping[str, ir.Value] | None = None,
    templates: Path | None = None,
) -> WarehouseRun:
    """Score `table` into the new table `into`, inside the database at `url`.

    `base` is the folder the program's model paths are relative to; `templates` a folder of
    the user's templates, looked up first."""
    dialect = dialect_of(url)
    program = sql_program(program, base, trust_models=trust_models, params=params)
    select = compile_program(program, dialect, table, templates=templates)
    d = get_dialect(dialect)
    target = quote_table(d, into)
    statements: list[str] = [
        sql("DROP TABLE IF EXISTS {}", target),
        create_table_statement(select, dialect, into, templates),
    ]
    figures = _Figures(program, d)
    start = time.perf_counter()
    row = _EXECUTORS[dialect](url, statements, figures.query(target))
    return figures.read(into, dialect, row, time.perf_counter() - start)


class _Figures:
    """The one aggregate query over the result table that gives `apply`'s summary."""

    def __init__(self, program: Program, dialect: Dialect) -> None:
        self.d = dialect
        self.labels = list(dict.fromkeys(x.label for x in program.excludes))
        self.segments = list(dict.fromkeys(s.name for s in program.segments))

    def _count(self, condition: Sql) -> Sql:
        return sql("SUM(CASE WHEN {} THEN 1 ELSE 0 END)", condition)

    def query(self, target: Sql) -> Sql:
        q, d = self.d.quote, self.d
        score, excluded = q(results.SCORE), q(results.EXCLUDED)
        items = [
            sql("COUNT(*)"),
            sql("COUNT({})", score),
            self._count(sql("{} IS NULL AND {} IS NULL", score, excluded)),
        ]
        items += [self._count(sql("{} = {}", excluded, d.string(x))) for x in self.labels]
        if self.segments:
            segment = q(results.SEGMENT)
            items += [self._count(sql("{} = {}", segment, d.string(s))) for s in self.segments]
            items.append(self._count(sql("{} IS NULL AND {} IS NULL", segment, excluded)))
        return sql("SELECT {} FROM {}", join(", ", items), target)

    def read(self, into: str, dialect: str, row: tuple[Any, ...], seconds: float) -> WarehouseRun:
        counts = [int(v or 0) for v in row]
        rows, scored, nulls = counts[:3]
        rest = counts[3:]
        excluded = dict(zip(self.labels, rest, strict=False))
        rest = rest[len(self.labels) :]
        segments = dict(zip(self.segments, rest, strict=False))
        if self.segments:
            segments["(none)"] = rest[len(self.segments)]
        return WarehouseRun(into, rows, dialect, scored, nulls, excluded, segments, seconds)
