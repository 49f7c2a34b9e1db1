"""The compiled statement fails on bad data in every engine that runs it, with the same words:
a duplicated key (the least one is named), a null key, a null required column (its key is
named). The uniqueness check is one aggregate tested by the final SELECT, apart from the
per-row checks: each kind of bad data is checked here on its own and beside valid rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import psycopg
import pytest

from engine.api import Scorecard, loads
from engine.diagnostics import ScorecardError
from tests.sql.helpers import duckdb_table, pg_table, spark_table

CARD = """
scorecard checks {
  title "Key checks"
}

input {
  id      : string key
  visits  : int    required
  revenue : float
}

rule busy "Many visits" when visits > 3 then +10
"""

GOOD = pl.DataFrame(
    {"id": ["D", "B", "A", "C"], "visits": [1, 5, 2, 7], "revenue": [1.0, None, 3.5, 2.0]}
)

BAD: dict[str, tuple[pl.DataFrame, str]] = {
    # B and C are both duplicated: the message names the least, B.
    "duplicate": (
        pl.concat([GOOD, GOOD.filter(pl.col("id").is_in(["C", "B"]))]),
        "scorecard: the key column id is not unique: B",
    ),
    "null key": (
        GOOD.with_columns(pl.when(pl.col("id") == "C").then(None).otherwise("id").alias("id")),
        "scorecard: the key column id is null in a row",
    ),
    "null required": (
        GOOD.with_columns(
            pl.when(pl.col("id") == "A").then(None).otherwise("visits").alias("visits")
        ),
        "scorecard: the required column visits is null for the key A",
    ),
}


def _card() -> Scorecard:
    return loads(CARD)


def _message(info: pytest.ExceptionInfo[ScorecardError]) -> str:
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.code == "E905"
    return diagnostic.message


@pytest.mark.parametrize("case", sorted(BAD))
def test_duckdb_fails_on_bad_keys(case: str, tmp_path: Path) -> None:
    frame, message = BAD[case]
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    duckdb_table(con, "good", GOOD)
    duckdb_table(con, "bad", frame)
    con.close()
    assert _card().apply_in_db(f"duckdb:{db}", "good", "scores").rows == GOOD.height
    with pytest.raises(ScorecardError) as info:
        _card().apply_in_db(f"duckdb:{db}", "bad", "scores")
    assert message in _message(info)


@pytest.mark.postgres
@pytest.mark.parametrize("case", sorted(BAD))
def test_postgres_fails_on_bad_keys(case: str, pg: psycopg.Connection, pg_url: str) -> None:
    frame, message = BAD[case]
    pg_table(pg, "good", GOOD)
    pg_table(pg, "bad", frame)
    assert _card().apply_in_db(pg_url, "good", "public.scores").rows == GOOD.height
    with pytest.raises(ScorecardError) as info:
        _card().apply_in_db(pg_url, "bad", "public.scores")
    # PostgreSQL reports it through a failing cast: the message is quoted in its error.
    assert f'invalid input syntax for type integer: "{message}"' in _message(info)


@pytest.mark.spark
@pytest.mark.parametrize("case", sorted(BAD))
def test_spark_fails_on_bad_keys(case: str, spark: Any, tmp_path: Path) -> None:
    frame, message = BAD[case]
    spark_table(spark, "good_rows", GOOD)
    spark_table(spark, "bad_rows", frame)
    location = (tmp_path / "warehouse").as_uri()
    spark.sql(f"CREATE DATABASE IF NOT EXISTS key_checks LOCATION '{location}'")
    into = "key_checks.scores"
    assert _card().apply_in_db("spark:local[1]", "good_rows", into).rows == GOOD.height
    with pytest.raises(ScorecardError) as info:
        _card().apply_in_db("spark:local[1]", "bad_rows", into)
    assert message in _message(info)


@pytest.mark.postgres
def test_postgres_compares_keys_byte_wise_whatever_the_collation(
    pg: psycopg.Connection, pg_url: str
) -> None:
    """A key column with a case-insensitive (nondeterministic) collation: keys differing
    only in case are distinct keys, as in the engine, and the duplicate named is the least
    byte-wise ("B" before "a"), as classes order keys."""
    pg.execute(
        "CREATE COLLATION IF NOT EXISTS sc_case_insensitive "
        "(provider = icu, locale = 'und-u-ks-level2', deterministic = false)"
    )
    distinct = pl.DataFrame({"id": ["a", "A", "b", "B"], "visits": [1, 5, 2, 7]})
    pg_table(pg, "cased", distinct.with_columns(revenue=pl.lit(1.0)))
    pg.execute('ALTER TABLE cased ALTER COLUMN id TYPE TEXT COLLATE "sc_case_insensitive"')
    assert pg.execute("SELECT COUNT(DISTINCT id) FROM cased").fetchone() == (2,)  # the trap
    assert _card().apply_in_db(pg_url, "cased", "public.scores").rows == 4
    scored = pg.execute('SELECT id, score FROM public.scores ORDER BY id COLLATE "C"').fetchall()
    assert scored == [("A", 10.0), ("B", 10.0), ("a", 0.0), ("b", 0.0)]

    doubled = pl.DataFrame({"id": ["b", "B", "B", "a", "a"], "visits": [1, 2, 3, 4, 5]})
    pg_table(pg, "cased", doubled.with_columns(revenue=pl.lit(1.0)))
    pg.execute('ALTER TABLE cased ALTER COLUMN id TYPE TEXT COLLATE "sc_case_insensitive"')
    with pytest.raises(ScorecardError) as info:
        _card().apply_in_db(pg_url, "cased", "public.scores")
    assert "the key column id is not unique: B" in _message(info)
