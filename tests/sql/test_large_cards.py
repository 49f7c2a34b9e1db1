"""A card with 600 rules (so `points` sums 600 terms, in nested groups) stays within SQL engines' depth limits
and gives the sum worked out in Python; a card wider than PostgreSQL's limit on one SELECT's
columns is refused when it is compiled for PostgreSQL, and runs elsewhere."""

from __future__ import annotations

import duckdb
import polars as pl
import psycopg
import pytest

from engine.api import loads
from engine.backends.sql import get_dialect
from engine.diagnostics import ScorecardError
from tests.sql.helpers import duckdb_table, pg_table, run_duckdb, run_pg

RULES = 600


def _card(rules: int = RULES) -> str:
    lines = ["scorecard big {}", "input { id : int key\n x : int }"]
    lines += [f"rule r{i} when x >= {i % 97} then {i % 7 - 3}" for i in range(rules)]
    lines.append("reasons 2 lowest")
    return "\n".join(lines)


FRAME = pl.DataFrame({"id": list(range(200)), "x": [i % 120 for i in range(200)]})


def _want(x: int, rules: int) -> float:
    return float(sum(i % 7 - 3 for i in range(rules) if x >= i % 97))


def _check(rows: list[dict[str, object]], rules: int = RULES) -> None:
    assert len(rows) == FRAME.height
    for r in rows:
        assert r["score"] == _want(int(FRAME["x"][int(r["id"])]), rules), r  # type: ignore[call-overload]
    # x = 0: rules with i % 97 == 0 fire; the most negative (-3) first, ties in file order
    row0 = next(r for r in rows if r["id"] == 0)
    firing = [i for i in range(rules) if i % 97 == 0 and i % 7 - 3 < 0]
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


@pytest.mark.postgres
def test_postgres_select_limit_is_the_servers(pg: psycopg.Connection) -> None:
    """The dialect's limit is the real server's: 1,664 columns run, 1,665 are refused."""
    limit = int(get_dialect("postgres").template("max_select_columns"))
    columns = [f"1 AS c{i}" for i in range(limit + 1)]
    pg.execute(("SELECT " + ", ".join(columns[:limit])).encode())
    with pytest.raises(psycopg.Error, match=f"at most {limit} entries"):
        pg.execute(("SELECT " + ", ".join(columns)).encode())


WIDE = 1_700
"""Rules enough that the step summing them lists more columns than PostgreSQL allows."""


def test_a_card_too_wide_for_postgres_is_refused_when_compiled() -> None:
    card = loads(_card(WIDE))
    with pytest.raises(ScorecardError) as refused:
        card.to_sql("postgres", "t")
    (diag,) = refused.value.diagnostics
    assert diag.code == "E902" and "allows at most 1,664 in one SELECT" in diag.message
    assert "scorecard apply" in diag.message
    con = duckdb.connect()  # the same card compiles and runs where there is no such limit
    duckdb_table(con, "t", FRAME)
    _check(run_duckdb(con, card.to_sql("duckdb", "t")), WIDE)
