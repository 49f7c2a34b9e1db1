"""`compile --dialect snowflake --upper-case`: names upper-cased and unquoted, as Snowflake
stores unquoted names, so inputs created unquoted are found and results read unquoted
downstream. Checked with sqlglot's Snowflake parser, then run on DuckDB through sqlglot's
transpilation against the Polars rows."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot import exp
from typer.testing import CliRunner

from engine.api import load
from engine.backends.sql.dialects import get_dialect
from engine.backends.sql.sqltext import SNOWFLAKE_RESERVED
from engine.cli import app
from tests.sql.cards import customers, full_card
from tests.sql.helpers import assert_same_rows, duckdb_table, polars_rows, run_duckdb

PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TEMPLATE_ALIASES = {"s", "r", "v"}
"""Table aliases written by the templates themselves (case does not matter for them)."""


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return full_card(tmp_path_factory.mktemp("card"))


def test_quoting_rule() -> None:
    d = get_dialect("snowflake_upper")
    assert d.quote("customer_id") == "CUSTOMER_ID"
    assert d.quote("Score") == "SCORE"
    assert d.quote("value") == '"VALUE"'  # a keyword: quoted, the same column as VALUE
    assert d.quote("monthly spend") == '"monthly spend"'  # never unquoted: kept as written
    assert d.quote('a"b') == '"a""b"'
    assert d.quote("été") == '"été"'


def test_every_name_is_upper_case(full: Path) -> None:
    sql = load(full).to_sql("snowflake_upper", "analytics.customers")
    (tree,) = sqlglot.parse(sql, read="snowflake")
    assert tree is not None
    identifiers = list(tree.find_all(exp.Identifier))
    assert identifiers
    for ident in identifiers:
        name = ident.this
        if name in TEMPLATE_ALIASES:
            continue
        if ident.quoted:
            assert name in SNOWFLAKE_RESERVED or not PLAIN.fullmatch(name), name
        else:
            assert name == name.upper() and PLAIN.fullmatch(name), name
    outputs = [s.alias_or_name for s in tree.selects]
    assert outputs == [c.upper() for c in load(full).program.result_columns()]
    assert "FROM ANALYTICS.CUSTOMERS" in sql


def test_upper_case_rows_on_duckdb(full: Path) -> None:
    program = load(full).sql_program()
    want = polars_rows(program, customers())
    sql = load(full).to_sql("snowflake_upper", "customers")
    duck = sqlglot.transpile(sql, read="snowflake", write="duckdb")[0]
    con = duckdb.connect()
    duckdb_table(con, "customers", customers())
    got = [{k.lower(): v for k, v in row.items()} for row in run_duckdb(con, duck)]
    assert_same_rows(got, want, program.key.name, program.result_columns(), context="upper")


def test_upper_case_is_for_snowflake_only(full: Path) -> None:
    args = ["compile", str(full), "-d", "duckdb", "-t", "t", "--upper-case"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "--upper-case is for snowflake" in result.output
    ok = CliRunner().invoke(
        app, ["compile", str(full), "-d", "snowflake", "-t", "t", "--upper-case"]
    )
    assert ok.exit_code == 0, ok.output
    assert "s.CUSTOMER_ID AS CUSTOMER_ID," in ok.output
