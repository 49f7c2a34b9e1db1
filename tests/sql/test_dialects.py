"""Every dialect's SQL parses with sqlglot in that dialect; Snowflake and BigQuery, which cannot
run here, are transpiled by sqlglot to DuckDB and must give the Polars rows there. The full
example card (a gradient-boosting model included) also runs on DuckDB and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import duckdb
import psycopg
import pytest
import sqlglot
from hypothesis import HealthCheck, assume, given, settings

from engine.api import load
from engine.backends.sql import compile_program
from engine.backends.sql.dialects import DIALECT_NAMES, get_dialect
from engine.check.source import check_source
from tests.profiles import examples
from tests.sql.cards import customers, full_card
from tests.sql.helpers import (
    assert_same_rows,
    bigquery_functions,
    duckdb_table,
    pg_table,
    polars_rows,
    run_duckdb,
    run_pg,
)
from tests.strategies import GeneratedCase, cards_with_data

TRANSPILED = ("snowflake", "bigquery")


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return full_card(tmp_path_factory.mktemp("card"))


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
def test_parses_in_its_dialect(dialect: str, full: Path) -> None:
    sql = load(full).to_sql(dialect, "analytics.customers")
    parsed = sqlglot.parse(sql, read=get_dialect(dialect).sqlglot)
    assert len([p for p in parsed if p is not None]) == 1


def _full_polars(full: Path) -> tuple[list[dict[str, object]], list[str], str]:
    program = load(full).sql_program()
    return polars_rows(program, customers()), program.result_columns(), program.key.name


@pytest.mark.parametrize("dialect", ["duckdb", *TRANSPILED])
def test_full_card_on_duckdb(dialect: str, full: Path) -> None:
    want, columns, key = _full_polars(full)
    sql = load(full).to_sql(dialect, "customers")
    if dialect != "duckdb":
        sql = sqlglot.transpile(sql, read=get_dialect(dialect).sqlglot, write="duckdb")[0]
    con = duckdb.connect()
    bigquery_functions(con)
    duckdb_table(con, "customers", customers())
    got = run_duckdb(con, sql)
    assert_same_rows(got, want, key, columns, context=dialect)
    assert sum(r["excluded"] is None for r in got) > 1000  # the card scores most rows


@pytest.mark.postgres
def test_full_card_on_postgres(full: Path, pg: psycopg.Connection) -> None:
    want, columns, key = _full_polars(full)
    pg_table(pg, "customers", customers())
    got = run_pg(pg, load(full).to_sql("postgres", "customers"))
    assert_same_rows(got, want, key, columns, context="postgres")


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(case=cards_with_data())
def test_generated_cards_transpiled(case: GeneratedCase) -> None:
    result = check_source(case.text)
    assume(result.program is not None)
    assert result.program is not None
    program = result.program
    want = polars_rows(program, case.frame)
    con = duckdb.connect()
    bigquery_functions(con)
    duckdb_table(con, "customers", case.frame)
    for dialect in TRANSPILED:
        sql = compile_program(program, dialect, "customers")
        duck = sqlglot.transpile(sql, read=dialect, write="duckdb")[0]
        got = run_duckdb(con, duck)
        assert_same_rows(
            got,
            want,
            program.key.name,
            program.result_columns(),
            context=f"{dialect} via sqlglot\n{case.text}",
        )
