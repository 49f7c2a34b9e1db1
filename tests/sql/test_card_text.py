"""Card text in SQL: a carriage return (or any other line end) in a name or the title never ends
a comment, quoting is exact in every dialect, and SQL text has one way in.

The statements run on DuckDB, PostgreSQL and Spark next to a `canary` table that an escaped
comment would drop; Snowflake and BigQuery output is read with sqlglot's tokenizer for those
dialects. Expected rows are worked out by hand from the card.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import polars as pl
import psycopg
import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot.tokens import TokenType
from typer.testing import CliRunner

from engine.api import loads
from engine.backends.sql import compile_program, sqltext
from engine.backends.sql.dialects import DIALECT_NAMES, get_dialect
from engine.backends.sql.templates import Renderer
from engine.cli import app
from engine.diagnostics import ScorecardError
from tests.profiles import examples
from tests.sql.helpers import duckdb_table, pg_table, run_duckdb, run_pg, run_spark, spark_table

ENGINE = Path(__file__).resolve().parents[2] / "engine"

# The attack found by an adversarial trial: a carriage return ends a `--` comment in DuckDB,
# PostgreSQL, Spark and BigQuery, and what follows runs as statements.
CR_CARD = (
    'scorecard `cr\rcard` { title "Churn\r;DROP TABLE canary;--" }\n'
    "input {\n  id : string key\n  x : int\n}\n"
    "rule `big\r;DROP TABLE canary;--` when x > 1 then 10\n"
    "rule `neg\u2028\x0b` when x < 0 then -4\n"
    "reasons 1\n"
)
CR_ROWS = pl.DataFrame({"id": ["a", "b", "c"], "x": [5, -1, 0]})
CR_EXPECTED = {
    "a": (10.0, "big\r;DROP TABLE canary;--"),
    "b": (-4.0, None),
    "c": (0.0, None),
}

LINE_ENDS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
"""Every line boundary of `str.splitlines`: the list of what may end a line somewhere."""


def _cr_card() -> Any:
    return loads(CR_CARD)


def compile_card(card: Any, dialect: str, table: str) -> str:
    """The card's statement (its program has no models: nothing to link)."""
    return compile_program(card.program, dialect, table)


def _check_cr_rows(rows: list[dict[str, Any]]) -> None:
    got = {r["id"]: (r["score"], r["reason_1"]) for r in rows}
    assert got == CR_EXPECTED


def _comments(sql_text: str) -> list[str]:
    """The text after each `--` that starts a comment line of the generated layout."""
    return [
        line.split("-- ", 1)[1] for line in sql_text.split("\n") if line.lstrip().startswith("--")
    ]


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
def test_cr_never_reaches_a_comment(dialect: str) -> None:
    sql_text = compile_card(_cr_card(), dialect, "customers")
    comments = _comments(sql_text)
    assert comments[0].startswith("scorecard cr\\u{000D}card: Churn\\u{000D};DROP TABLE canary;--")
    for text in comments:
        assert not any(ch in text for ch in LINE_ENDS), (dialect, text)
        assert "\\" not in text.replace("\\u{", "")  # no raw backslash: escapes only
    rule_comment = next(c for c in comments if c.startswith("rule "))
    assert "rule big\\u{000D};DROP TABLE canary;--" in rule_comment


@pytest.mark.parametrize("dialect", ["snowflake", "bigquery", "spark"])
def test_cr_card_reads_as_one_statement(dialect: str) -> None:
    """sqlglot's tokenizer for the dialect: the canary is named only inside quotes."""
    sql_text = compile_card(_cr_card(), dialect, "customers")
    read = get_dialect(dialect).sqlglot
    assert len([p for p in sqlglot.parse(sql_text, read=read) if p is not None]) == 1
    tokens = sqlglot.tokenize(sql_text, read=read)
    assert not any(t.token_type is TokenType.DROP for t in tokens)
    quoted = {t.text for t in tokens if t.token_type in (TokenType.STRING, TokenType.IDENTIFIER)}
    assert {"big\r;DROP TABLE canary;--", "neg\u2028\x0b"} <= quoted


def test_cr_card_in_duckdb() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE canary (a INTEGER)")
    duckdb_table(con, "customers", CR_ROWS)
    _check_cr_rows(run_duckdb(con, compile_card(_cr_card(), "duckdb", "customers")))
    assert con.execute("SELECT COUNT(*) FROM canary").fetchone() == (0,)


@pytest.mark.postgres
def test_cr_card_in_postgres(pg: psycopg.Connection) -> None:
    pg.execute("CREATE TABLE IF NOT EXISTS canary (a INTEGER)")
    pg_table(pg, "customers", CR_ROWS)
    _check_cr_rows(run_pg(pg, compile_card(_cr_card(), "postgres", "customers")))
    assert run_pg(pg, "SELECT COUNT(*) AS n FROM canary") == [{"n": 0}]


@pytest.mark.spark
def test_cr_card_in_spark(spark: Any) -> None:
    spark_table(spark, "customers", CR_ROWS)
    _check_cr_rows(run_spark(spark, compile_card(_cr_card(), "spark", "customers")))


def test_cr_card_through_apply_db(tmp_path: Path) -> None:
    card = tmp_path / "cr.scorecard"
    card.write_bytes(CR_CARD.encode("utf-8"))
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE canary (a INTEGER)")
    duckdb_table(con, "customers", CR_ROWS)
    con.close()
    args = ["apply", str(card), "--db", f"duckdb:{db}", "--table", "customers"]
    result = CliRunner().invoke(app, [*args, "--into", "scores"])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(db))
    _check_cr_rows(run_duckdb(con, 'SELECT * FROM "scores"'))
    assert con.execute("SELECT COUNT(*) FROM canary").fetchone() == (0,)


# -- quoting, per dialect ----------------------------------------------------------------


@pytest.mark.spark
def test_spark_names_keep_their_backslashes(spark: Any) -> None:
    """Spark's backquoted identifiers have no escapes: `a\\b` is written as it is."""
    card = loads(
        'scorecard s {}\ninput {\n  `k\\ey` : string key\n  `a\\b"c` : int\n}\n'
        'rule `r\\1` when `a\\b"c` > 0 then 3\nreasons 1\n'
    )
    frame = pl.DataFrame({"k\\ey": ["p", "q"], 'a\\b"c': [1, 0]})
    spark_table(spark, "customers", frame)
    rows = run_spark(spark, compile_card(card, "spark", "customers"))
    got = {r["k\\ey"]: (r["score"], r["reason_1"]) for r in rows}
    assert got == {"p": (3.0, "r\\1"), "q": (0.0, None)}


@pytest.mark.parametrize("dialect", ["snowflake", "bigquery"])
def test_identifiers_and_strings_read_back_in_sqlglot(dialect: str) -> None:
    """Snowflake identifiers have no backslash escapes; BigQuery's take a string's escapes."""
    d = get_dialect(dialect)
    names = ['a\\b"c`d', "x\ry\u2028z", "\\", "tab\tend"]
    for name in names:
        tokens = sqlglot.tokenize(f"SELECT 1 AS {d.quote(name)}", read=d.sqlglot)
        assert [t.text for t in tokens if t.token_type is TokenType.IDENTIFIER] == [name]
        tokens = sqlglot.tokenize(f"SELECT {d.string(name)}", read=d.sqlglot)
        assert [t.text for t in tokens if t.token_type is TokenType.STRING] == [name]


@pytest.mark.postgres
def test_postgres_strings_hold_whatever_standard_conforming_strings_says(
    pg: psycopg.Connection,
) -> None:
    """A backslash is written in an escape string `E'...'`, read the same under either setting."""
    d = get_dialect("postgres")
    texts = ["a\\", "\\'; SELECT 1; --", "x\ry\x85z\u2028", "it's"]
    try:
        for setting in ("off", "on"):
            pg.execute(f"SET standard_conforming_strings = {setting}")
            for text in texts:
                assert run_pg(pg, f"SELECT {d.string(text)} AS v") == [{"v": text}]
    finally:
        pg.execute("SET standard_conforming_strings = on")


def test_duckdb_escape_strings() -> None:
    d = get_dialect("duckdb")
    con = duckdb.connect()
    for text in ["a\\", "\r\n\t\x01\x7f\x85\u2028\u2029 é 😀", "it's", ""]:
        assert con.execute(f"SELECT {d.string(text)}").fetchone() == (text,)
        assert not any(ch in d.string(text) for ch in LINE_ENDS)


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
def test_nul_is_refused_with_its_place(dialect: str) -> None:
    card = loads(
        'scorecard n { title "t\x00 is fine here" }\ninput { id : int key\n s : string }\n'
        'rule r when s = "a\x00b" then 1\n'
    )
    with pytest.raises(ScorecardError) as info:
        compile_card(card, dialect, "t")
    (diag,) = info.value.diagnostics
    assert diag.code == "E907"
    assert "U+0000" in diag.message and "rule `r`" in diag.message
    assert diag.span is not None and diag.span.line == 4


def test_nul_in_a_title_is_escaped() -> None:
    card = loads('scorecard n { title "a\x00b" }\ninput { id : int key }\n')
    assert "-- scorecard n: a\\u{0000}b" in compile_card(card, "postgres", "t")


# -- comments ------------------------------------------------------------------------------


def _unescape_comment(text: str) -> str:
    return re.sub(r"\\u\{([0-9A-F]+)\}", lambda m: chr(int(m.group(1), 16)), text)


@settings(max_examples=examples(300), deadline=None)
@given(text=st.text(st.characters(codec="utf-8")) | st.sampled_from(["*/", "/*", "a\\", "/", "*"]))
def test_comment_text_ends_nothing(text: str) -> None:
    out = sqltext.comment(text)
    assert out.splitlines() in ([out], [])
    assert "*/" not in out and "/*" not in out
    assert out[:1] not in ("*", "/") and out[-1:] not in ("*", "/", "\\")
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in out)
    assert _unescape_comment(out) == text  # nothing is lost


def test_comment_escapes_what_the_brief_names() -> None:
    for ch in "\r\n\v\f\x85\u2028\u2029\x00\u202e":
        assert sqltext.comment(f"a{ch}b") == f"a\\u{{{ord(ch):04X}}}b"
    assert sqltext.comment("a */ b /* c") == "a \\u{002A}\\u{002F} b \\u{002F}\\u{002A} c"
    assert sqltext.comment("risk / reward * 2") == "risk / reward * 2"


# -- one way in ---------------------------------------------------------------------------


def test_sql_text_is_made_only_by_its_module() -> None:
    with pytest.raises(sqltext.PlainTextError):
        sqltext.Sql("SELECT 1")
    with pytest.raises(sqltext.PlainTextError):
        sqltext.sql("({})", "x; DROP TABLE t")  # type: ignore[arg-type]
    with pytest.raises(sqltext.PlainTextError):
        sqltext.join(", ", ["a"])  # type: ignore[list-item]
    edited = get_dialect("duckdb").quote("x").replace('"', "")
    with pytest.raises(sqltext.PlainTextError):
        sqltext.sql("{}", edited)  # type: ignore[arg-type]


def test_templates_print_only_sql() -> None:
    renderer = Renderer(get_dialect("duckdb"))
    with pytest.raises(sqltext.PlainTextError):
        renderer.dispatch("key_order", key="customer_id", key_is_string=False)
    env = renderer.env
    with pytest.raises(sqltext.PlainTextError):
        env.from_string('{{ q("a") ~ "b" }}').render(q=get_dialect("duckdb").quote)
    for tag in ("{% filter upper %}x{% endfilter %}", "{% macro m() %}x{% endmacro %}"):
        with pytest.raises(jinja2.TemplateSyntaxError, match="not allowed in SQL templates"):
            env.from_string(tag)
    plain = jinja2.Environment().from_string("{{ x }}")
    with pytest.raises(sqltext.PlainTextError):
        sqltext.render(plain, {"x": "y"})


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == name)
            or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
        )
    ]


def test_sql_templates_in_the_code_are_literals() -> None:
    """`sql()` and `join()` take their template or separator as a literal of the source; the
    dialect tables' `fill()` is called by `Dialect.render` alone; nothing else builds `Sql`."""
    for path in sorted(ENGINE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        where = path.relative_to(ENGINE.parent)
        uses_sqltext = "sqltext" in path.read_text(encoding="utf-8")
        if not uses_sqltext or path.name == "sqltext.py":
            continue
        for name in ("sql", "join"):
            for call in _calls(tree, name):
                if isinstance(call.func, ast.Attribute) and name == "join":
                    continue  # str.join
                first = call.args[0] if call.args else None
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{where}:{call.lineno}: {name}() needs a literal first argument"
                )
        if path.name != "dialects.py":
            assert not _calls(tree, "fill"), f"{where}: fill() is for the dialect tables only"
        assert not _calls(tree, "Sql"), f"{where}: Sql is built only by sqltext"
