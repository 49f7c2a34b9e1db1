"""Reasons in SQL from integer keys (`reasons_keys.sql.j2`) and, past `GENERAL_LIMIT`
contributions whose values the card does not fix, from float rounds: on DuckDB, on every
dialect transpiled to DuckDB by sqlglot, on PostgreSQL and Spark, against the top K worked
out in plain Python (`tests/reason_cards.py`: ties across fixed and general values, several
general values between two fixed ones, missing values, excluded rows)."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl
import psycopg
import pytest
import sqlglot

from engine.api import loads
from engine.backends.sql.dialects import get_dialect
from engine.reason_keys import GENERAL_LIMIT
from tests.reason_cards import MixedCard, mixed_data
from tests.sql.helpers import (
    bigquery_functions,
    duckdb_table,
    pg_table,
    run_duckdb,
    run_pg,
    run_spark,
    spark_table,
)

CASES = [
    pytest.param(MixedCard(12, 0, 4, "highest"), id="fixed-highest"),
    pytest.param(MixedCard(12, 1, 3, "lowest"), id="one-general-lowest"),
    pytest.param(MixedCard(9, 3, 5, "highest"), id="three-generals-highest"),
    pytest.param(MixedCard(12, GENERAL_LIMIT, 4, "lowest"), id="limit-generals-lowest"),
    pytest.param(MixedCard(12, GENERAL_LIMIT + 2, 3, "highest"), id="float-rounds"),
]
ROWS = 600


def _sql(card: MixedCard, dialect: str, table: str) -> str:
    statement = loads(card.text()).to_sql(dialect, table)
    keyed = card.generals <= GENERAL_LIMIT
    assert ("reason_keys" in statement) == keyed
    assert ("reasons_pick_1" in statement) == (not keyed)
    return statement


def _check(card: MixedCard, rows: list[dict[str, Any]]) -> None:
    data = _data(card)
    want = dict(zip(data["id"].to_list(), card.expected(data), strict=True))
    assert len(rows) == ROWS
    for r in rows:
        got = [r[f"reason_{k}"] for k in range(1, card.count + 1)]
        assert got == want[r["id"]], (r["id"], got, want[r["id"]])


def _data(card: MixedCard) -> pl.DataFrame:
    return mixed_data(card, ROWS, seed=card.rules + 10 * card.generals)


@pytest.mark.parametrize("card", CASES)
def test_duckdb(card: MixedCard) -> None:
    con = duckdb.connect()
    duckdb_table(con, "t", _data(card))
    _check(card, run_duckdb(con, _sql(card, "duckdb", "t")))


@pytest.mark.parametrize("dialect", ["snowflake", "bigquery", "postgres"])
@pytest.mark.parametrize("card", CASES[1:3])
def test_transpiled_to_duckdb(card: MixedCard, dialect: str) -> None:
    con = duckdb.connect()
    duckdb_table(con, "t", _data(card))
    bigquery_functions(con)
    statement = sqlglot.transpile(
        _sql(card, dialect, "t"), read=get_dialect(dialect).sqlglot, write="duckdb"
    )[0]
    _check(card, run_duckdb(con, statement))


@pytest.mark.postgres
@pytest.mark.parametrize("card", CASES)
def test_postgres(pg: psycopg.Connection, card: MixedCard) -> None:
    pg_table(pg, "t_keys", _data(card))
    _check(card, run_pg(pg, _sql(card, "postgres", "t_keys")))


@pytest.mark.spark
@pytest.mark.parametrize("card", CASES)
def test_spark(spark: Any, card: MixedCard) -> None:
    spark_table(spark, "t_keys", _data(card))
    _check(card, run_spark(spark, _sql(card, "spark", "t_keys")))
