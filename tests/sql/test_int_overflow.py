"""Integer overflow gives null, the same on every engine (docs/language.md, "Whole numbers").

Each `let` of the card below is computed for every pair of extreme and ordinary int64 values
(and nulls) by Polars, DuckDB, PostgreSQL, local Spark, and the Snowflake and BigQuery SQL
transpiled by sqlglot to DuckDB, and compared with Python's exact integers, where a `+`, `-`,
`*`, unary minus, `abs` or `round` whose exact result lies outside [-2^63, 2^63 - 1] is null
(and so is everything computed from it). Left alone, Polars and Spark (ANSI off) wrap around
and DuckDB, PostgreSQL, Spark (ANSI on) and BigQuery raise an error.

The lets are compared one by one as expressions; the whole card is then also run as one
statement (`scorecard apply`, `scorecard compile`), where each let feeds a rule that counts
the rows whose let equals the expected column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import psycopg
import pytest
import sqlglot

from engine import ir
from engine.api import load
from engine.backends.polars.expressions import translate
from engine.backends.sql import compile_program
from engine.backends.sql.dialects import get_dialect
from engine.backends.sql.expressions import Compiler
from engine.check.source import check_source
from engine.program import Program, bind_params
from tests.sql.helpers import (
    bigquery_functions,
    duckdb_table,
    pg_table,
    run_duckdb,
    run_pg,
    with_helpers,
)

MIN = -(2**63)
MAX = 2**63 - 1

VALUES: list[int | None] = [
    MIN,
    MIN + 1,
    MIN + 4,
    -3037000500,
    -(10**15),
    -15,
    -2,
    -1,
    0,
    1,
    2,
    15,
    10**15,
    3037000499,
    3037000500,
    4611686018427387904,
    MAX - 4,
    MAX - 1,
    MAX,
    None,
]
"""Limits and their neighbours, the square roots of the limits, 2^62 (doubling it overflows)."""

DATES = [dt.date(2026, 11, 1), dt.date(1, 1, 1), dt.date(9999, 12, 31), None]


def _frame() -> pl.DataFrame:
    pairs = [(a, b) for a in VALUES for b in VALUES]
    return pl.DataFrame(
        {
            "id": [f"r{i:04d}" for i in range(len(pairs))],
            "a": [a for a, _ in pairs],
            "b": [b for _, b in pairs],
            "d": [DATES[i % len(DATES)] for i in range(len(pairs))],
        },
        schema={"id": pl.String, "a": pl.Int64, "b": pl.Int64, "d": pl.Date},
    )


FRAME = _frame()

# ---------------------------------------------------------------- Python's exact integers

Num = int | None


def _fit(v: Num) -> Num:
    return v if v is not None and MIN <= v <= MAX else None


def _add(x: Num, y: Num) -> Num:
    return None if x is None or y is None else _fit(x + y)


def _sub(x: Num, y: Num) -> Num:
    return None if x is None or y is None else _fit(x - y)


def _mul(x: Num, y: Num) -> Num:
    return None if x is None or y is None else _fit(x * y)


def _neg(x: Num) -> Num:
    return None if x is None else _fit(-x)


def _abs(x: Num) -> Num:
    return None if x is None else _fit(abs(x))


def _round(x: Num, digits: int) -> Num:
    """Half away from zero to a multiple of 10^-digits."""
    if x is None:
        return None
    step = 10**-digits
    magnitude = (abs(x) + step // 2) // step * step
    return _fit(magnitude if x >= 0 else -magnitude)


def _months(d: dt.date | None) -> Num:
    return None if d is None else d.year * 12 + d.month


K = 3  # the param's value in the card

Row = dict[str, Any]

CARD = """scorecard overflow { }
input {
  id : string key
  a  : int
  b  : int
  d  : date
}
param k : int = 3
let add_ab        = a + b
let sub_ab        = a - b
let mul_ab        = a * b
let neg_a         = -a
let abs_a         = abs(a)
let nested        = a * b + 1
let left_to_right = a + b - b
let through_let   = add_ab * 2
let tens          = round(a, -1)
let thousands     = round(b, -3)
let with_param    = a * k
let plus_min      = a + -9223372036854775808
let minus_min     = b - (-9223372036854775808)
let months        = year(d) * 12 + month(d)
let months_shift  = (year(d) * 12 + month(d)) * b
let via_if        = (if a > 0 then a else b) * 3
let via_coalesce  = coalesce(a, 0) * coalesce(b, 0)
let via_clip      = clip(a, -5, 5) * b
let spread        = max(a, b) - min(a, b)
let constant      = 9223372036854775807 + 1
let twice_negated = -(-9223372036854775808)
"""

EXPECTED: dict[str, Callable[[Row], Num]] = {
    "add_ab": lambda r: _add(r["a"], r["b"]),
    "sub_ab": lambda r: _sub(r["a"], r["b"]),
    "mul_ab": lambda r: _mul(r["a"], r["b"]),
    "neg_a": lambda r: _neg(r["a"]),
    "abs_a": lambda r: _abs(r["a"]),
    "nested": lambda r: _add(_mul(r["a"], r["b"]), 1),
    "left_to_right": lambda r: _sub(_add(r["a"], r["b"]), r["b"]),
    "through_let": lambda r: _mul(_add(r["a"], r["b"]), 2),
    "tens": lambda r: _round(r["a"], -1),
    "thousands": lambda r: _round(r["b"], -3),
    "with_param": lambda r: _mul(r["a"], K),
    "plus_min": lambda r: _add(r["a"], MIN),
    "minus_min": lambda r: _sub(r["b"], MIN),
    "months": lambda r: _months(r["d"]),
    "months_shift": lambda r: _mul(_months(r["d"]), r["b"]),
    "via_if": lambda r: _mul(
        r["a"] if r["a"] is not None and r["a"] > 0 else r["b"],
        3,
    ),
    "via_coalesce": lambda r: _mul(r["a"] or 0, r["b"] or 0),
    "via_clip": lambda r: _mul(None if r["a"] is None else min(max(r["a"], -5), 5), r["b"]),
    "spread": lambda r: (
        None if r["a"] is None or r["b"] is None else _sub(max(r["a"], r["b"]), min(r["a"], r["b"]))
    ),
    "constant": lambda r: None,
    "twice_negated": lambda r: None,
}

LETS = list(EXPECTED)


def _expected() -> list[Row]:
    return [{"id": r["id"], **{n: EXPECTED[n](r) for n in LETS}} for r in FRAME.to_dicts()]


@pytest.fixture(scope="module")
def program() -> Program:
    result = check_source(CARD)
    assert result.program is not None, [d.message for d in result.diagnostics]
    return bind_params(result.program)


def _inlined(program: Program, name: str) -> ir.Expr:
    """The let's expression with every let it reads replaced by that let's expression."""
    lets = {d.name: d.expr for d in program.definitions if d.kind == "let"}

    def sub(e: ir.Expr) -> ir.Expr:
        if isinstance(e, ir.Ref) and e.name in lets:
            return sub(lets[e.name])
        kids = ir.children(e)
        return ir.with_children(e, tuple(sub(k) for k in kids)) if kids else e

    return sub(lets[name])


def _compare(got: list[Row], context: str) -> None:
    want = {r["id"]: r for r in _expected()}
    assert len(got) == len(want), context
    failures = []
    for row in got:
        w = want[row["id"]]
        source = next(r for r in FRAME.to_dicts() if r["id"] == row["id"])
        for name in LETS:
            if row[name] != w[name]:
                failures.append(
                    f"{name}: a={source['a']} b={source['b']} d={source['d']}: "
                    f"got {row[name]!r}, want {w[name]!r}"
                )
    assert not failures, f"{context}: {len(failures)} wrong values\n" + "\n".join(failures[:20])


# ---------------------------------------------------------------- one expression per let


def _polars(program: Program) -> list[Row]:
    return FRAME.select("id", *[translate(_inlined(program, n)).alias(n) for n in LETS]).to_dicts()


def _select(program: Program, dialect: str, table: str = "t") -> str:
    """SELECT id, <each let> FROM table; helper columns the compiler hoists become subqueries."""
    d = get_dialect(dialect)
    counter = iter(range(10**6))
    comp = Compiler(d, lambda: f"h{next(counter)}")
    cols = [f"{comp.compile(_inlined(program, n))} AS {d.quote(n)}" for n in LETS]
    return f"SELECT {d.quote('id')}, {', '.join(cols)} FROM {with_helpers(comp, d, table)}"


def test_polars(program: Program) -> None:
    _compare(_polars(program), "polars")


def test_duckdb(program: Program) -> None:
    con = duckdb.connect()
    duckdb_table(con, "t", FRAME)
    _compare(run_duckdb(con, _select(program, "duckdb")), "duckdb")


@pytest.mark.parametrize("dialect", ["snowflake", "bigquery"])
def test_transpiled_to_duckdb(program: Program, dialect: str) -> None:
    con = duckdb.connect()
    bigquery_functions(con)
    duckdb_table(con, "t", FRAME)
    sql = sqlglot.transpile(_select(program, dialect), read=dialect, write="duckdb")[0]
    _compare(run_duckdb(con, sql), f"{dialect} via sqlglot")


@pytest.mark.postgres
def test_postgres(program: Program, pg: psycopg.Connection) -> None:
    pg_table(pg, "t", FRAME)
    _compare(run_pg(pg, _select(program, "postgres")), "postgres")


# ---------------------------------------------------------------- Spark (ANSI on and off)


@pytest.fixture
def ansi(spark: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The shared Spark session with ANSI mode as the test asks; restored afterwards."""
    before = spark.conf.get("spark.sql.ansi.enabled")
    spark.conf.set("spark.sql.ansi.enabled", request.param)
    yield spark
    spark.conf.set("spark.sql.ansi.enabled", before)


@pytest.mark.spark
@pytest.mark.parametrize("ansi", ["true", "false"], indirect=True)
def test_spark(program: Program, ansi: Any) -> None:
    ansi.createDataFrame(
        FRAME.rows(), schema="id STRING, a BIGINT, b BIGINT, d DATE"
    ).createOrReplaceTempView("t")
    rows = [r.asDict() for r in ansi.sql(_select(program, "spark")).collect()]
    mode = ansi.conf.get("spark.sql.ansi.enabled")
    _compare(rows, f"spark (ANSI {mode})")


# ---------------------------------------------------------------- the whole card


def _counting_card() -> str:
    """The card, with an expected column per let and a rule per let that fires when they agree."""
    text = CARD.replace(
        "  d  : date\n", "  d  : date\n" + "".join(f"  e_{n} : int\n" for n in LETS)
    )
    for n in LETS:
        text += f"rule ok_{n} when {n} = e_{n} or ({n} is missing and e_{n} is missing) then 1\n"
    return text


def _counting_frame() -> pl.DataFrame:
    expected = pl.DataFrame(
        [{f"e_{n}": r[n] for n in LETS} for r in _expected()],
        schema={f"e_{n}": pl.Int64 for n in LETS},
    )
    return pl.concat([FRAME, expected], how="horizontal")


@pytest.fixture(scope="module")
def counting(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pl.DataFrame]:
    folder = tmp_path_factory.mktemp("overflow")
    card = folder / "overflow.scorecard"
    card.write_text(_counting_card(), encoding="utf-8")
    return card, _counting_frame()


def _all_agree(rows: list[Row], context: str) -> None:
    wrong = [r["id"] for r in rows if r["score"] != len(LETS)]
    assert len(rows) == FRAME.height, context
    assert not wrong, f"{context}: rows where a let differs from Python's: {wrong[:10]}"


def test_apply_whole_card(counting: tuple[Path, pl.DataFrame]) -> None:
    card, frame = counting
    _all_agree(load(card).apply(frame).to_dicts(), "apply")


@pytest.mark.parametrize("dialect", ["duckdb", "snowflake", "bigquery"])
def test_compiled_card_on_duckdb(counting: tuple[Path, pl.DataFrame], dialect: str) -> None:
    card, frame = counting
    program = load(card).program
    sql = compile_program(program, dialect, "t")
    if dialect != "duckdb":
        sql = sqlglot.transpile(sql, read=dialect, write="duckdb")[0]
    con = duckdb.connect()
    bigquery_functions(con)
    duckdb_table(con, "t", frame)
    _all_agree(run_duckdb(con, sql), dialect)


@pytest.mark.postgres
def test_compiled_card_on_postgres(
    counting: tuple[Path, pl.DataFrame], pg: psycopg.Connection
) -> None:
    card, frame = counting
    pg_table(pg, "t", frame)
    _all_agree(run_pg(pg, compile_program(load(card).program, "postgres", "t")), "postgres")


@pytest.mark.spark
def test_compiled_card_on_spark(counting: tuple[Path, pl.DataFrame], spark: Any) -> None:
    card, frame = counting
    schema = ", ".join(
        f"{c} {'STRING' if c == 'id' else 'DATE' if c == 'd' else 'BIGINT'}" for c in frame.columns
    )
    spark.createDataFrame(frame.rows(), schema=schema).createOrReplaceTempView("t_card")
    sql = compile_program(load(card).program, "spark", "t_card").rstrip().rstrip(";")
    _all_agree([r.asDict() for r in spark.sql(sql).collect()], "spark")
