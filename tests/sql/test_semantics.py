"""Node-by-node checks of the SQL compiler on DuckDB and PostgreSQL against values worked out by
hand (or with Python's own float arithmetic): the traps where engines' defaults differ from the
language (null-skipping LEAST, half-even ROUND, integer division, EXP errors, collation...)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import duckdb
import numpy as np
import polars as pl
import psycopg
import pytest

from engine import ir
from engine.backends.sql.dialects import get_dialect
from engine.backends.sql.expressions import Compiler
from engine.types import ScalarType as T
from tests.sql.helpers import duckdb_table, pg_table, run_duckdb, run_pg, with_helpers

F, I, S, B, D, DT = T.FLOAT, T.INT, T.STRING, T.BOOL, T.DATE, T.DATETIME  # noqa: E741


def ref(name: str, t: T) -> ir.Ref:
    return ir.Ref(name, t)


def lit(v: ir.Value, t: T) -> ir.Literal:
    return ir.Literal(v, t)


def call(f: str, t: T, *args: ir.Expr) -> ir.Call:
    return ir.Call(f, tuple(args), t)


X = ref("x", F)
N = ref("n", I)

ROWS = pl.DataFrame(
    {
        "x": [2.5, -2.5, 0.5, -0.5, 2.675, 0.0, None, 1e30, 0.49999999999999994, 1.5],
        "y": [0.0, 2.0, None, -1.0, 0.5, 0.0, 1.0, 1.0, 2.0, 3.0],
        "n": [7, -7, 15, -15, 0, None, 3, 25, -25, 149],
        "s": ["abc", "ABC", "é😀x", "", None, "a'b", "x\\y", "; DROP", "Zoë", "straße"],
        "d1": [dt.date(2026, 1, 1)] * 5 + [None] + [dt.date(2020, 2, 29)] * 4,
        "d2": [dt.date(2026, 11, 1)] * 5 + [dt.date(2026, 1, 1), None] + [dt.date(2019, 3, 1)] * 3,
        "t1": [dt.datetime(2026, 1, 1, 12, 0)] * 10,
        "t2": [
            dt.datetime(2026, 1, 2, 11, 59, 59),
            dt.datetime(2025, 12, 31, 12, 0, 1),
            dt.datetime(2025, 12, 30, 11, 0),
            dt.datetime(2026, 1, 3, 12, 0),
            None,
            dt.datetime(2026, 1, 1, 12, 0),
            dt.datetime(2026, 1, 1, 11, 0),
            dt.datetime(2026, 1, 2, 12, 0),
            dt.datetime(2024, 1, 1),
            dt.datetime(2028, 1, 1),
        ],
        "b": [True, False, None, True, False, None, True, False, True, None],
    },
    schema_overrides={"n": pl.Int64},
)


def _half_away(v: float) -> float:
    t = math.trunc(v)
    return t + (math.copysign(1.0, v) if abs(v - t) >= 0.5 else 0.0)


def _py_round(x: float | None, n: int) -> float | None:
    return None if x is None else _half_away(x * 10.0**n) / 10.0**n


def _each(col: str, f: Callable[[Any], Any]) -> list[Any]:
    return [None if v is None else f(v) for v in ROWS[col].to_list()]


def _pairs(a: str, b: str, f: Callable[[Any, Any], Any]) -> list[Any]:
    return [
        None if u is None or v is None else f(u, v)
        for u, v in zip(ROWS[a].to_list(), ROWS[b].to_list(), strict=True)
    ]


def _exp(v: float) -> float | None:
    try:
        return math.exp(v)
    except OverflowError:
        return None


def _days(a: dt.datetime, b: dt.datetime) -> int:
    seconds = (b - a).total_seconds()
    return int(seconds / 86400)  # int() truncates toward zero


CASES: list[tuple[str, ir.Expr, list[Any]]] = [
    ("round0", call("round", F, X), _each("x", lambda v: _py_round(v, 0))),
    ("round2", call("round", F, X, lit(2, I)), _each("x", lambda v: _py_round(v, 2))),
    (
        "round_int_tens",
        call("round", I, N, lit(-1, I)),
        _each("n", lambda v: int(math.copysign((abs(v) + 5) // 10 * 10, v))),
    ),
    (
        "floor",
        call("floor", F, X),
        _each("x", lambda v: float(math.floor(v)) if abs(v) < 1e300 else v),
    ),
    (
        "div_by_zero",
        ir.Arith("/", X, ref("y", F)),
        _pairs("x", "y", lambda a, b: a / b if b else None),
    ),
    (
        "min_null",
        call("min", F, X, ref("y", F)),
        _pairs("x", "y", min),
    ),
    (
        "clip",
        call("clip", F, X, lit(0.0, F), ref("y", F)),
        _pairs("x", "y", lambda a, b: min(max(a, 0.0), b)),
    ),
    ("ln", call("ln", F, X), _each("x", lambda v: math.log(v) if v > 0 else None)),
    ("sqrt", call("sqrt", F, ref("y", F)), _each("y", lambda v: math.sqrt(v) if v >= 0 else None)),
    ("exp", call("exp", F, ir.Arith("*", X, lit(300.0, F))), _each("x", lambda v: _exp(v * 300))),
    (
        "sigmoid",
        call("sigmoid", F, ir.Arith("*", X, lit(-400.0, F))),
        _each("x", lambda v: 0.0 if -400 * v < -709.78 else 1 / (1 + math.exp(400 * v))),
    ),
    (
        "pow",
        call("pow", F, ref("y", F), lit(-0.5, F)),
        _each("y", lambda v: v**-0.5 if v > 0 else None),
    ),
    (
        "logit",
        call("logit", F, ref("y", F)),
        _each("y", lambda v: math.log(v / (1 - v)) if 0 < v < 1 else None),
    ),
    ("length", call("length", I, ref("s", S)), _each("s", len)),
    ("lower_ascii", call("lower", S, lit("AbC;'\\", S)), ["abc;'\\"] * 10),
    (
        "contains",
        call("contains", B, ref("s", S), lit("'", S)),
        _each("s", lambda v: "'" in v),
    ),
    (
        "ends_with",
        call("ends_with", B, ref("s", S), lit("y", S)),
        _each("s", lambda v: v.endswith("y")),
    ),
    (
        "starts_with",
        call("starts_with", B, ref("s", S), lit("", S)),
        _each("s", lambda v: True),
    ),
    (
        "days_between_dates",
        call("days_between", I, ref("d1", D), ref("d2", D)),
        _pairs("d1", "d2", lambda a, b: (b - a).days),
    ),
    (
        "days_between_datetimes",
        call("days_between", I, ref("t1", DT), ref("t2", DT)),
        _pairs("t1", "t2", _days),
    ),
    ("year", call("year", I, ref("d1", D)), _each("d1", lambda v: v.year)),
    ("int_div_float", ir.Arith("/", ir.Cast(N, F), lit(2.0, F)), _each("n", lambda v: v / 2)),
    (
        "three_valued_or",
        ir.Logic("or", ref("b", B), ir.Compare(">", X, lit(0.0, F))),
        [
            True
            if (b is True or (x is not None and x > 0))
            else (None if b is None or x is None else False)
            for b, x in zip(ROWS["b"].to_list(), ROWS["x"].to_list(), strict=True)
        ],
    ),
    (
        "not_in",
        ir.InList(ref("s", S), (lit("abc", S), lit("a'b", S)), negated=True),
        _each("s", lambda v: v not in ("abc", "a'b")),
    ),
    (
        "string_literal_escapes",
        ir.Compare(
            "=", lit("it's; \\ 'quoted' \" 日本\n", S), lit("it's; \\ 'quoted' \" 日本\n", S)
        ),
        [True] * 10,
    ),
    (
        "float32",
        ir.Compare("<=", ir.Float32(X), lit(0.5000000099999999, F)),
        _each("x", lambda v: float(np.float32(v)) <= 0.5000000099999999),
    ),
    (
        "if_null_cond",
        ir.If(ref("b", B), lit(1, I), lit(2, I), I),
        [1 if b is True else 2 for b in ROWS["b"].to_list()],
    ),
]


def _select(dialect: str) -> str:
    d = get_dialect(dialect)
    counter = iter(range(10**6))
    comp = Compiler(d, lambda: f"h{next(counter)}")
    cols = [f"{comp.compile(expr)} AS {d.quote(name)}" for name, expr, _ in CASES]
    # Helper columns (a feature rounded to 32 bits, computed once) become subqueries.
    source = with_helpers(comp, d, "t")
    return f"SELECT {', '.join(cols)} FROM {source} ORDER BY {d.quote('i')}"


def _check(rows: list[dict[str, Any]]) -> None:
    for name, _, want in CASES:
        got = [r[name] for r in rows]
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            if isinstance(w, float) and g is not None:
                assert math.isclose(g, w, rel_tol=1e-12), f"{name} row {i}: {g!r} != {w!r}"
            else:
                assert g == w, f"{name} row {i}: {g!r} != {w!r}"


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    return ROWS.with_row_index("i")


def test_duckdb(table: pl.DataFrame) -> None:
    con = duckdb.connect()
    duckdb_table(con, "t", table)
    _check(run_duckdb(con, _select("duckdb")))


@pytest.mark.postgres
def test_postgres(pg: psycopg.Connection, table: pl.DataFrame) -> None:
    pg_table(pg, "t", table.with_columns(pl.col("i").cast(pl.Int64)))
    _check(run_pg(pg, _select("postgres")))
