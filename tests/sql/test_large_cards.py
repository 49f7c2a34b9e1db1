"""A card with 600 rules (so `points` sums 600 terms, in nested groups) stays within SQL engines' depth limits
and gives the sum worked out in Python."""

from __future__ import annotations

import duckdb
import polars as pl
import psycopg
import pytest

from engine.api import loads
from tests.sql.helpers import duckdb_table, pg_table, run_duckdb, run_pg

RULES = 600


def _card() -> str:
    lines = ["scorecard big {}", "input { id : int key\n x : int }"]
    lines += [f"rule r{i} when x >= {i % 97} then {i % 7 - 3}" for i in range(RULES)]
    lines.append("reasons 2 lowest")
    return "\n".join(lines)


FRAME = pl.DataFrame({"id": list(range(200)), "x": [i % 120 for i in range(200)]})


def _want(x: int) -> float:
    return float(sum(i % 7 - 3 for i in range(RULES) if x >= i % 97))


def _check(rows: list[dict[str, object]]) -> None:
    assert len(rows) == FRAME.height
    for r in rows:
        assert r["score"] == _want(int(FRAME["x"][int(r["id"])])), r  # type: ignore[call-overload]
    # x = 0: rules with i % 97 == 0 fire; the most negative (-3) first, ties in file order
    row0 = next(r for r in rows if r["id"] == 0)
    firing = [i for i in range(RULES) if i % 97 == 0 and i % 7 - 3 < 0]
    firing.sort(key=lambda i: (i % 7 - 3, i))
    assert [row0["reason_1"], row0["reason_2"]] == [f"r{i}" for i in firing[:2]]


def test_many_rules_duckdb() -> None:
    con = duckdb.connect()
    duckdb_table(con, "t", FRAME)
    _check(run_duckdb(con, loads(_card()).to_sql("duckdb", "t")))


@pytest.mark.postgres
def test_many_rules_postgres(pg: psycopg.Connection) -> None:
    pg_table(pg, "t_big", FRAME)
    _check(run_pg(pg, loads(_card()).to_sql("postgres", "t_big")))
