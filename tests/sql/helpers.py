"""Shared pieces of the SQL tests: load a Polars frame into a database, run a statement, compare.

Results are compared by key (SQL has no row order): scores within 1e-9 relative, every other
column identical.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import polars as pl
import psycopg
from psycopg import sql as pgsql

from engine.backends.polars.runner import CardRun, build
from engine.backends.sql.dialects import Dialect
from engine.backends.sql.expressions import Compiler
from engine.program import Program, bind_params

PG_TYPES: dict[type[pl.DataType], str] = {
    pl.Int64: "BIGINT",
    pl.Int32: "INTEGER",
    pl.Float64: "DOUBLE PRECISION",
    pl.String: "TEXT",
    pl.Boolean: "BOOLEAN",
    pl.Date: "DATE",
    pl.Datetime: "TIMESTAMP",
}

Row = dict[str, Any]


def with_helpers(compiler: Compiler, dialect: Dialect, table: str) -> str:
    """The FROM source for expressions `compiler` compiled: `table`, wrapped in one subquery
    per level of the helper columns it hoisted (as the statement's helper CTEs)."""
    hoisted = compiler.take_hoisted()
    source = dialect.quote(table)
    for level in sorted({h.level for h in hoisted}):
        extra = ", ".join(
            f"{h.sql} AS {dialect.quote(h.name)}" for h in hoisted if h.level == level
        )
        source = f"(SELECT *, {extra} FROM {source}) {dialect.quote(f'level{level}')}"
    return source


def duckdb_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """A real DuckDB table holding the frame (NaN stays NaN)."""
    arrow = frame.to_arrow()
    con.register("_frame", arrow)
    con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _frame')
    con.unregister("_frame")


def pg_table(conn: psycopg.Connection, name: str, frame: pl.DataFrame) -> None:
    """A PostgreSQL table holding the frame, loaded with COPY."""
    cols = pgsql.SQL(", ").join(
        pgsql.SQL("{} {}").format(pgsql.Identifier(c), pgsql.SQL(PG_TYPES[type(t)]))
        for c, t in frame.schema.items()
    )
    conn.execute(pgsql.SQL("DROP TABLE IF EXISTS {}").format(pgsql.Identifier(name)))
    conn.execute(pgsql.SQL("CREATE TABLE {} ({})").format(pgsql.Identifier(name), cols))
    copy = pgsql.SQL("COPY {} FROM STDIN").format(pgsql.Identifier(name))
    with conn.cursor() as cur, cur.copy(copy) as cp:
        for row in frame.iter_rows():
            cp.write_row(row)


def spark_table(spark: Any, name: str, frame: pl.DataFrame) -> None:
    """A Spark temporary view holding the frame (NaN stays NaN; any column name)."""
    from pyspark.sql import types as st

    spark_types = {
        pl.Int64: st.LongType(),
        pl.Float64: st.DoubleType(),
        pl.String: st.StringType(),
        pl.Boolean: st.BooleanType(),
        pl.Date: st.DateType(),
        pl.Datetime: st.TimestampNTZType(),
    }
    schema = st.StructType(
        [st.StructField(c, spark_types[type(t)], True) for c, t in frame.schema.items()]
    )
    rows = [tuple(r) for r in frame.iter_rows()]
    spark.createDataFrame(rows, schema=schema).createOrReplaceTempView(name)


def run_spark(spark: Any, statement: str) -> list[Row]:
    return [r.asDict() for r in spark.sql(statement.rstrip().rstrip(";")).collect()]


def fetch(cursor: Any) -> list[Row]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def run_duckdb(con: duckdb.DuckDBPyConnection, statement: str) -> list[Row]:
    return fetch(con.execute(statement))


def run_pg(conn: psycopg.Connection, statement: str) -> list[Row]:
    with conn.cursor() as cur:
        cur.execute(statement.encode())
        return fetch(cur)


def polars_rows(program: Program, frame: pl.DataFrame) -> list[Row]:
    """The Polars backend's result rows (the engine's `apply`)."""
    lf, layout = build(frame.lazy(), [CardRun(bind_params(program))])
    return lf.select(layout.result_columns).collect().to_dicts()


def _normal(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


def assert_same_rows(
    got: Sequence[Mapping[str, Any]],
    want: Sequence[Mapping[str, Any]],
    key: str,
    columns: Sequence[str],
    *,
    context: str = "",
) -> None:
    """Same keys; per key: score within 1e-9 relative, every other column identical."""
    got_by = {r[key]: r for r in got}
    want_by = {r[key]: r for r in want}
    assert len(got_by) == len(got), f"{context}: duplicate keys in the result"
    assert set(got_by) == set(want_by), f"{context}: keys differ"
    for k, w in want_by.items():
        g = got_by[k]
        for col in columns:
            a, b = _normal(g.get(col)), _normal(w.get(col))
            if col == "score" and a is not None and b is not None:
                assert math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12), (
                    f"{context}: key {k!r}: score {a!r} != {b!r}"
                )
            else:
                assert a == b, f"{context}: key {k!r}: {col} {a!r} != {b!r}"


BIGQUERY_SAFE_ARITHMETIC = {
    "safe_add": "+",
    "safe_subtract": "-",
    "safe_multiply": "*",
}
"""BigQuery's overflow-safe integer functions, which sqlglot passes to DuckDB unchanged."""


def bigquery_functions(con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB macros doing what BigQuery documents for SAFE_ADD, SAFE_SUBTRACT and
    SAFE_MULTIPLY ("equivalent to the operator, but returns NULL if overflow occurs"), so that
    BigQuery SQL transpiled by sqlglot runs in DuckDB."""
    for name, op in BIGQUERY_SAFE_ARITHMETIC.items():
        con.execute(
            f"CREATE OR REPLACE MACRO {name}(x, y) AS "
            f"TRY_CAST(CAST(x AS HUGEINT) {op} CAST(y AS HUGEINT) AS BIGINT)"
        )
