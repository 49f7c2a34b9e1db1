"""Run a compiled card inside the warehouse: `CREATE TABLE result AS <the card's SELECT>`.

The data never leaves the database: the statement reads `--table` and writes `--into` in one
transaction (PostgreSQL through psycopg, DuckDB in-process), replacing any table of that name
only when the whole statement succeeds. URLs: `postgresql://...` (or `postgres://...`), and
`duckdb:PATH` / `duckdb:///ABSOLUTE/PATH`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import ir
from engine.backends.sql import compile_program, create_table_statement, get_dialect, quote_table
from engine.backends.sql.export import sql_program
from engine.backends.sql.sqltext import sql
from engine.diagnostics import ScorecardError, error
from engine.program import Program


@dataclass(frozen=True)
class WarehouseRun:
    """What an in-warehouse run did: the table written and how many rows it holds."""

    into: str
    rows: int
    dialect: str


def dialect_of(url: str) -> str:
    """`postgres` or `duckdb` from the URL's scheme; a diagnostic for anything else."""
    scheme = url.partition(":")[0].lower()
    if scheme in ("postgresql", "postgres"):
        return "postgres"
    if scheme == "duckdb":
        return "duckdb"
    raise ScorecardError(
        [
            error(
                "E904",
                f"--db {url!r}: expected a postgresql:// or duckdb: URL",
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


def _driver(module: str) -> Any:
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
                    "install the `sql` extra: pip install 'scorecard-engine[sql]'",
                )
            ]
        ) from None


def _execute_duckdb(url: str, statements: list[str], count_sql: str) -> int:
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
    return int(row[0]) if row else 0


def _execute_postgres(url: str, statements: list[str], count_sql: str) -> int:
    psycopg = _driver("psycopg")

    try:
        with psycopg.connect(url) as conn, conn.transaction(), conn.cursor() as cur:
            for s in statements:
                cur.execute(s.encode())
            cur.execute(count_sql.encode())
            row: Any = cur.fetchone()
    except psycopg.Error as exc:
        raise ScorecardError([error("E905", f"PostgreSQL: {_first_line(exc)}")]) from None
    return int(row[0]) if row else 0


_EXECUTORS = {"postgres": _execute_postgres, "duckdb": _execute_duckdb}


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
) -> WarehouseRun:
    """Score `table` into the new table `into`, inside the database at `url`.

    `base` is the folder the program's model paths are relative to."""
    dialect = dialect_of(url)
    program = sql_program(program, base, trust_models=trust_models, params=params)
    select = compile_program(program, dialect, table)
    d = get_dialect(dialect)
    target = quote_table(d, into)
    statements: list[str] = [
        sql("DROP TABLE IF EXISTS {}", target),
        create_table_statement(select, dialect, into),
    ]
    count_sql = sql("SELECT COUNT(*) FROM {}", target)
    rows = _EXECUTORS[dialect](url, statements, count_sql)
    return WarehouseRun(into, rows, dialect)
