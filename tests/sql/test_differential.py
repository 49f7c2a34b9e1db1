"""Generated cards and tables through the plain-Python reference, Polars, DuckDB and PostgreSQL.

The same card text is checked once; its program runs through the Polars backend and, compiled
to SQL, through in-process DuckDB and a real PostgreSQL server. Every result must equal the
independent reference evaluator's rows (`tests/reference_eval.py`) and the Polars rows: scores
within 1e-9 relative, every other column identical.
"""

from __future__ import annotations

import duckdb
import psycopg
import pytest
from hypothesis import HealthCheck, assume, given, settings

from engine.backends.sql import compile_program
from engine.check.source import check_source
from tests.profiles import examples
from tests.reference_eval import reference_results
from tests.sql.helpers import (
    assert_same_rows,
    duckdb_table,
    pg_table,
    polars_rows,
    run_duckdb,
    run_pg,
)
from tests.strategies import GeneratedCase, cards_with_data

SETTINGS = settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


def _program(case: GeneratedCase):  # type: ignore[no-untyped-def]
    result = check_source(case.text)
    # A generated card the checker rejects is the checker's or the generator's business.
    assume(result.program is not None)
    return result.program


def _check_all(case: GeneratedCase, rows: list[dict[str, object]], engine: str) -> None:
    program = _program(case)
    columns = program.result_columns()
    key = program.key.name
    reference = reference_results(case.spec, case.rows)
    assert_same_rows(rows, reference, key, columns, context=f"{engine} vs reference\n{case.text}")
    assert_same_rows(
        rows,
        polars_rows(program, case.frame),
        key,
        columns,
        context=f"{engine} vs Polars\n{case.text}",
    )


@SETTINGS
@given(case=cards_with_data())
def test_duckdb_matches_reference_and_polars(case: GeneratedCase) -> None:
    program = _program(case)
    con = duckdb.connect()
    duckdb_table(con, "customers", case.frame)
    rows = run_duckdb(con, compile_program(program, "duckdb", "customers"))
    _check_all(case, rows, "duckdb")


@pytest.mark.postgres
@SETTINGS
@given(case=cards_with_data())
def test_postgres_matches_reference_and_polars(pg: psycopg.Connection, case: GeneratedCase) -> None:
    program = _program(case)
    pg_table(pg, "customers", case.frame)
    rows = run_pg(pg, compile_program(program, "postgres", "customers"))
    _check_all(case, rows, "postgres")
