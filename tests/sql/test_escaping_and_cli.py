"""Names, labels and strings that try to break out of the SQL (quotes, backslashes, semicolons,
unicode), the `compile` command (files, --param, --dbt, refusals) and in-warehouse `apply` runs
on DuckDB and PostgreSQL. Expected rows are worked out by hand from the card."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import jinja2
import polars as pl
import psycopg
import pytest
import sqlglot
from typer.testing import CliRunner

from engine import ir
from engine.api import loads
from engine.backends.sql import compile_program
from engine.backends.sql.dialects import DIALECT_NAMES, get_dialect
from engine.cli import app
from engine.diagnostics import ScorecardError
from engine.program import Definition
from engine.types import ScalarType
from tests.sql.helpers import duckdb_table, pg_table, run_duckdb, run_pg

NASTY = [
    "it's",
    'say "hi"',
    "back\\slash",
    "semi; DROP TABLE t; --",
    "ünï 日本 😀",
    "{% endraw %}{{ 7*7 }}",
    "new\nline",
    "`tick`",
]

CARD = """
scorecard nasty { title "it's a \\"test\\"; -- really" }
input {
  `the "key"` : string key
  `a'b\\c; --` : int
  `ünï` : string
}
param label : string = "x';--"
rule `r"1` "it's rule one" when `a'b\\c; --` > 0 then 10
rule `r;2` when `ünï` = "it's; \\"q\\" \\\\ 日本" then 5
rule r3 when `ünï` in ["{% endraw %}{{ 7*7 }}", "a`b"] then -3
exclude "don't \\"score\\"; me" when `a'b\\c; --` < 0
segment "seg 'a'" when score >= 10
segment "seg \\"b\\"" otherwise
classes 2
reasons 2
"""

ROWS = pl.DataFrame(
    {
        'the "key"': NASTY,
        "a'b\\c; --": [1, 0, 2, -1, 5, 0, 1, None],
        "ünï": [
            'it\'s; "q" \\ 日本',
            None,
            "x",
            'it\'s; "q" \\ 日本',
            "{% endraw %}{{ 7*7 }}",
            "a`b",
            "{% endraw %}{{ 7*7 }}",
            'it\'s; "q" \\ 日本',
        ],
    }
)

# Worked out by hand: r"1 = 10 when a > 0; r;2 = 5 when ünï matches; r3 = -3 for the list.
EXPECTED_SCORES = {
    "it's": 15.0,
    'say "hi"': 0.0,
    "back\\slash": 10.0,
    "semi; DROP TABLE t; --": None,  # excluded
    "ünï 日本 😀": 7.0,
    "{% endraw %}{{ 7*7 }}": -3.0,
    "new\nline": 7.0,
    "`tick`": 5.0,
}


def _card() -> object:
    return loads(CARD)


def _check_rows(rows: list[dict[str, object]]) -> None:
    by_key = {r['the "key"']: r for r in rows}
    assert set(by_key) == set(NASTY)
    for key, score in EXPECTED_SCORES.items():
        assert by_key[key]["score"] == score, key
    assert by_key["semi; DROP TABLE t; --"]["excluded"] == 'don\'t "score"; me'
    assert by_key["it's"]["segment"] == "seg 'a'"
    assert by_key['say "hi"']["segment"] == 'seg "b"'
    assert by_key["it's"]["reason_1"] == 'r"1' and by_key["it's"]["reason_2"] == "r;2"
    assert by_key["{% endraw %}{{ 7*7 }}"]["reason_1"] is None
    # classes over the 7 scored rows, ordered by score desc then key byte-wise
    scored = sorted(
        (k for k, s in EXPECTED_SCORES.items() if s is not None),
        key=lambda k: (-EXPECTED_SCORES[k], k.encode()),  # type: ignore[operator]
    )
    assert [by_key[k]["class"] for k in scored] == [1, 1, 1, 1, 2, 2, 2]


def test_nasty_names_duckdb() -> None:
    con = duckdb.connect()
    duckdb_table(con, "t; DROP", ROWS)
    _check_rows(run_duckdb(con, _card().to_sql("duckdb", "t; DROP")))  # type: ignore[arg-type]


@pytest.mark.postgres
def test_nasty_names_postgres(pg: psycopg.Connection) -> None:
    pg_table(pg, "t; DROP", ROWS)
    _check_rows(run_pg(pg, _card().to_sql("postgres", "t; DROP")))  # type: ignore[arg-type]


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
def test_nasty_names_parse_as_one_statement(dialect: str) -> None:
    sql = _card().to_sql(dialect, "t; DROP")  # type: ignore[arg-type]
    parsed = [p for p in sqlglot.parse(sql, read=get_dialect(dialect).sqlglot) if p is not None]
    assert len(parsed) == 1


def test_dbt_model_keeps_card_text_out_of_jinja(tmp_path: Path) -> None:
    out = tmp_path / "nasty.sql"
    card = tmp_path / "nasty.scorecard"
    card.write_text(CARD, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "compile",
            str(card),
            "--dialect",
            "duckdb",
            "--table",
            "raw.customers",
            "--dbt",
            "--materialized",
            "table",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith('{{ config(materialized="table") }}')
    # Render it as dbt would, with source() resolving to a real table: the SQL must come out
    # intact (no {{ 7*7 }} evaluated) and run.
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    rendered = env.from_string(text).render(
        config=lambda **kw: "",
        source=lambda a, b: f'"{b}"',
        ref=lambda a: a,
        var=lambda name, default: default,
    )
    unhashed = "\n".join(line for line in rendered.splitlines() if "sha256" not in line)
    assert "{{ 7*7 }}" in rendered and "49" not in unhashed
    con = duckdb.connect()
    duckdb_table(con, "customers", ROWS)
    _check_rows(run_duckdb(con, rendered))


def test_compile_writes_file_and_params(tmp_path: Path) -> None:
    card = tmp_path / "c.scorecard"
    card.write_text(
        "scorecard c {}\ninput { id : int key\n x : float }\nparam cut : float = 1\n"
        "rule big when x > cut then 1\n",
        encoding="utf-8",
    )
    out = tmp_path / "c.sql"
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["compile", str(card), "-d", "postgres", "-t", "s.t", "-o", str(out), "--param", "cut=5"],
    )
    assert result.exit_code == 0, result.output
    sql = out.read_text(encoding="utf-8")
    assert '"s"."t"' in sql and "5.0E0::float8" in sql and sql.rstrip().endswith(";")
    bad = runner.invoke(
        app, ["compile", str(card), "-d", "postgres", "-t", "t", "--param", "nope=1"]
    )
    assert bad.exit_code == 1
    assert "Traceback" not in bad.output


def test_float32_rewrite_is_exact() -> None:
    """BigQuery's midpoint rewrite against numpy's float32 rounding, on values next to the
    threshold and on its float32 neighbours' midpoints."""
    import numpy as np

    from engine.backends.sql import float32

    rng = np.random.default_rng(3)
    for t in [*rng.normal(size=40) * 100, 0.5007641166448593, 16777217.0, 0.0, -1e-40]:
        t = float(t)
        f = np.float32(t)
        probes = {t, float(f)}
        for g in (np.nextafter(f, np.float32(-np.inf)), f, np.nextafter(f, np.float32(np.inf))):
            for h in (np.nextafter(g, np.float32(-np.inf)), np.nextafter(g, np.float32(np.inf))):
                mid = (float(g) + float(h)) / 2
                probes |= {mid, float(np.nextafter(mid, -np.inf)), float(np.nextafter(mid, np.inf))}
        for op in ("<=", "<", ">", ">="):
            tests = float32.rewrite(op, t)  # type: ignore[arg-type]
            for x in probes:
                # float(...) first: numpy would compare float32 with a Python float in float32
                fx = float(np.float32(x))
                want = {"<=": fx <= t, "<": fx < t, ">": fx > t, ">=": fx >= t}[op]
                if isinstance(tests, bool):
                    got = tests
                else:
                    got = all(
                        {"<": x < b, "<=": x <= b, ">": x > b, ">=": x >= b}[o] for o, b in tests
                    )
                assert got == bool(want), (op, t, x)


def test_batch_only_model_is_refused() -> None:
    program = loads("scorecard c {}\ninput { id : int key\n x : float }\n").program
    batch = Definition("m", "model", ir.ModelBatch("m", (ir.Ref("x", ScalarType.FLOAT),)))
    program = replace(program, definitions=(batch, *program.definitions))
    with pytest.raises(ScorecardError, match="model `m`"):
        compile_program(program, "duckdb", "t")


def test_apply_in_duckdb_warehouse(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    duckdb_table(con, "t; DROP", ROWS)
    con.close()
    run = _card().apply_in_db(f"duckdb:{db}", "t; DROP", "scores")  # type: ignore[arg-type]
    assert run.rows == len(NASTY)
    con = duckdb.connect(str(db))
    _check_rows(run_duckdb(con, 'SELECT * FROM "scores"'))
    # a failing run keeps the previous table: duplicate keys make the statement fail
    duckdb_table(con, "dup", pl.concat([ROWS, ROWS]))
    con.close()
    with pytest.raises(ScorecardError, match="not unique"):
        _card().apply_in_db(f"duckdb:{db}", "dup", "scores")  # type: ignore[arg-type]
    con = duckdb.connect(str(db))
    assert len(run_duckdb(con, 'SELECT * FROM "scores"')) == len(NASTY)


@pytest.mark.postgres
def test_apply_in_postgres_warehouse(pg: psycopg.Connection, pg_url: str) -> None:
    pg_table(pg, "t; DROP", ROWS)
    run = _card().apply_in_db(pg_url, "t; DROP", "public.scores")  # type: ignore[arg-type]
    assert run.rows == len(NASTY)
    _check_rows(run_pg(pg, 'SELECT * FROM "public"."scores"'))
    pg_table(pg, "nullkey", ROWS.with_columns(pl.lit(None, pl.String).alias('the "key"')))
    with pytest.raises(ScorecardError, match="is null"):
        _card().apply_in_db(pg_url, "nullkey", "public.scores")  # type: ignore[arg-type]


def test_apply_cli_in_duckdb(tmp_path: Path) -> None:
    card = tmp_path / "nasty.scorecard"
    card.write_text(CARD, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    duckdb_table(con, "customers", ROWS)
    con.close()
    runner = CliRunner()
    args = ["apply", str(card), "--db", f"duckdb:{db}", "--table", "customers"]
    result = runner.invoke(app, [*args, "--into", "main.scores"])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(db))
    _check_rows(run_duckdb(con, "SELECT * FROM main.scores"))
    con.close()
    missing = runner.invoke(app, args)
    assert missing.exit_code == 2
    bad = runner.invoke(app, [*args[:3], "mysql://x", "--table", "t", "--into", "r"])
    assert bad.exit_code == 1 and "Traceback" not in bad.output
