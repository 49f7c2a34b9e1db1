"""Reasons in both SQL shapes: K rounds of GREATEST/LEAST (most cards) and the ranked unpivot
(cards with more than `REASON_ROUNDS_LIMIT` reasons x contributions), on DuckDB, PostgreSQL
and Spark, against the top K worked out in Python (ties in file order, many ties on purpose)."""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import polars as pl
import psycopg
import pytest

from engine.api import loads
from engine.backends.sql.statement import REASON_ROUNDS_LIMIT
from tests.sql.helpers import (
    duckdb_table,
    pg_table,
    run_duckdb,
    run_pg,
    run_spark,
    spark_table,
)

ROWS = 150
POINTS = (-3.0, -1.5, 0.0, 1.5, 3.0, 1.5, -1.5)
COLUMNS = ("a", "b", "c")
EXCLUDED_FROM = 140


def _card(rules: int, reasons: int, direction: str) -> str:
    lines = ["scorecard shapes {}", "input {\n  id : int key\n  a : int\n  b : int\n  c : int\n}"]
    for i in range(rules):
        points = POINTS[i % len(POINTS)]
        lines.append(f"rule r{i} when {COLUMNS[i % 3]} >= {i % 4} then {points}")
    lines.append(f'exclude "late" when id >= {EXCLUDED_FROM}\nreasons {reasons} {direction}')
    return "\n".join(lines)


def _frame() -> pl.DataFrame:
    rng = np.random.default_rng(3)
    return pl.DataFrame(
        {
            "id": np.arange(ROWS),
            **{c: rng.integers(0, 5, ROWS) for c in COLUMNS},
        }
    )


def _want(rules: int, reasons: int, direction: str, frame: pl.DataFrame) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for row in frame.iter_rows(named=True):
        if row["id"] >= EXCLUDED_FROM:
            out[row["id"]] = [None] * reasons
            continue
        fired = []
        for i in range(rules):
            value = POINTS[i % len(POINTS)]
            counts = (value > 0) if direction == "highest" else (value < 0)
            if counts and row[COLUMNS[i % 3]] >= i % 4:
                fired.append((-value if direction == "highest" else value, i))
        names: list[Any] = [f"r{i}" for _, i in sorted(fired)[:reasons]]
        out[row["id"]] = names + [None] * (reasons - len(names))
    return out


CASES = [
    pytest.param(12, 4, "highest", id="rounds-highest"),
    pytest.param(12, 3, "lowest", id="rounds-lowest"),
    pytest.param(3, 5, "highest", id="rounds-more-reasons-than-rules"),
    pytest.param(700, 6, "lowest", id="ranked-unpivot"),
]


def _check(rows: list[dict[str, Any]], rules: int, reasons: int, direction: str) -> None:
    want = _want(rules, reasons, direction, _frame())
    assert len(rows) == ROWS
    for r in rows:
        got = [r[f"reason_{k}"] for k in range(1, reasons + 1)]
        assert got == want[r["id"]], (r["id"], got, want[r["id"]])


def _sql(rules: int, reasons: int, direction: str, dialect: str, table: str) -> str:
    sql = loads(_card(rules, reasons, direction)).to_sql(dialect, table)
    shape = "reasons_best_1" if rules * reasons <= REASON_ROUNDS_LIMIT else "reasons_ranked"
    assert shape in sql
    return sql


@pytest.mark.parametrize(("rules", "reasons", "direction"), CASES)
def test_duckdb(rules: int, reasons: int, direction: str) -> None:
    con = duckdb.connect()
    duckdb_table(con, "t", _frame())
    _check(
        run_duckdb(con, _sql(rules, reasons, direction, "duckdb", "t")), rules, reasons, direction
    )


@pytest.mark.postgres
@pytest.mark.parametrize(("rules", "reasons", "direction"), CASES)
def test_postgres(pg: psycopg.Connection, rules: int, reasons: int, direction: str) -> None:
    pg_table(pg, "t_shapes", _frame())
    sql = _sql(rules, reasons, direction, "postgres", "t_shapes")
    _check(run_pg(pg, sql), rules, reasons, direction)


@pytest.mark.spark
@pytest.mark.parametrize(("rules", "reasons", "direction"), CASES)
def test_spark(spark: Any, rules: int, reasons: int, direction: str) -> None:
    spark_table(spark, "t_shapes", _frame())
    sql = _sql(rules, reasons, direction, "spark", "t_shapes")
    _check(run_spark(spark, sql), rules, reasons, direction)
