"""What differs between SQL dialects, as tables merged over a base: never `if dialect == ...`.

A `Dialect` is a name, a parent (whose tables it extends) and three tables:

- `types`: the SQL type that holds each language type;
- `sql`: expression templates (Python format strings; `{0}`, `{1}` are the compiled
  arguments, `{int}`, `{float}`, `{float32}`, ... the dialect's type names), and the styles of
  quoted identifiers and string literals (`identifier_style`, `string_style`: see
  `engine.backends.sql.sqltext`, the only place that turns card text into SQL);
- `flags`: facts about the engine that change how an expression is built
  (does `LEAST` skip nulls? is there a 32-bit float?).

The expression compiler (`engine.backends.sql.expressions`) reads only these tables, and the
statement templates (`templates/<dialect>/*.sql.j2`) override only what differs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from engine.backends.sql.sqltext import (
    IdentifierStyle,
    Sql,
    StringStyle,
    comment,
    fill,
    float_text,
    identifier,
    string_literal,
)
from engine.types import INT_MAX, ScalarType

EXP_MAX = 709.782712893384
"""The largest float64 x whose exp(x) is finite: above it `exp` gives null (as in Polars)."""
EXP_ZERO = -745.1332191019412
"""The largest float64 x whose exp(x) is 0.0 (PostgreSQL raises 'underflow' there instead)."""


@dataclass(frozen=True)
class Dialect:
    """One SQL dialect: its tables after merging its parent's."""

    name: str
    sqlglot: str
    """sqlglot's name for the dialect (parsing in tests, transpiling)."""
    types: Mapping[ScalarType, str]
    sql: Mapping[str, str]
    flags: Mapping[str, bool]
    parent: str | None = None

    def template(self, key: str) -> str:
        try:
            return self.sql[key]
        except KeyError:
            raise KeyError(f"dialect {self.name!r} has no SQL template {key!r}") from None

    def render(self, key: str, *args: Sql) -> Sql:
        """The template `key` with the compiled arguments and this dialect's type names."""
        return fill(self.template(key), args, self.type_names)

    @cached_property
    def type_names(self) -> dict[str, Sql]:
        names = {t.value: name for t, name in self.types.items()}
        names["float32"] = self.sql.get("float32_type", "")
        return {k: fill(v, (), {}) for k, v in names.items()}

    def type_sql(self, type_: ScalarType) -> Sql:
        """The SQL type that holds the language type `type_`."""
        return self.type_names[type_.value]

    def flag(self, key: str) -> bool:
        return self.flags[key]

    def local_settings(self) -> list[str]:
        """The `SET LOCAL` statements that go before the compiled statement in its transaction
        (`apply --db`, a dbt model's `pre_hook`): the settings it needs to run well here."""
        settings = self.template("local_settings").split(";")
        return [f"SET LOCAL {s.strip()}" for s in settings if s.strip()]

    # -- card text: the one way for each kind ---------------------------------------------

    def quote(self, name: str) -> Sql:
        """A quoted identifier: any text, including quotes, stays one name."""
        return identifier(name, self.identifier_style)

    def string(self, text: str) -> Sql:
        """A string literal whose content can never end the literal early."""
        return string_literal(text, self.string_style)

    def comment(self, text: str) -> Sql:
        """Text for a comment that can end neither the comment nor its line."""
        return comment(text)

    @property
    def identifier_style(self) -> IdentifierStyle:
        return _IDENTIFIER_STYLES[self.sql["identifier_style"]]

    @property
    def string_style(self) -> StringStyle:
        return _STRING_STYLES[self.sql["string_style"]]

    def float_literal(self, value: float) -> Sql:
        """A float64 literal (never DECIMAL: DuckDB types `0.5` as DECIMAL)."""
        if math.isnan(value):
            return self.render("float_special", self.string("NaN"))
        if math.isinf(value):
            infinity = "Infinity" if value > 0 else "-Infinity"
            return self.render("float_special", self.string(infinity))
        return self.render("float_literal", float_text(value))


_IDENTIFIER_STYLES: dict[str, IdentifierStyle] = {
    "double_quote": "double_quote",
    "upper_unquoted": "upper_unquoted",
    "backtick": "backtick",
    "backtick_escaped": "backtick_escaped",
}
_STRING_STYLES: dict[str, StringStyle] = {
    "duckdb": "duckdb",
    "postgres": "postgres",
    "backslash": "backslash",
}

INT_MIN_SQL = f"(-{INT_MAX} - 1)"
"""int64's minimum as a BIGINT expression (the literal -9223372036854775808 is a decimal in
some engines, whose negation then makes the whole expression decimal)."""

_IN_INT64 = f"BETWEEN {INT_MIN_SQL} AND {INT_MAX}"


def _exact_int(wide: str, narrow: str) -> dict[str, str]:
    """Templates for int `+ - *` and `round(x, -n)`: computed exactly in a wider type
    (`wide` casts an int to it: the product of two int64 values has 38 digits at most), then
    `narrow` brings the result back to int64, or null where it does not fit."""

    def cast(arg: int) -> str:
        return wide.replace("{0}", "{" + str(arg) + "}")

    def back(inner: str) -> str:
        return narrow.replace("{0}", inner)  # the inserted text is not scanned again

    return {
        "int_add": back(f"({cast(0)} + {cast(1)})"),
        "int_sub": back(f"({cast(0)} - {cast(1)})"),
        "int_mul": back(f"({cast(0)} * {cast(1)})"),
        "int_round": back(f"ROUND({cast(0)}, {{1}})"),
    }


_TRY_CAST_INT = "TRY_CAST({0} AS {int})"
_BETWEEN_INT = f"CAST(CASE WHEN {{0}} {_IN_INT64} THEN {{0}} END AS {{int}})"

_BASE_TYPES: dict[ScalarType, str] = {
    ScalarType.INT: "BIGINT",
    ScalarType.FLOAT: "DOUBLE",
    ScalarType.STRING: "VARCHAR",
    ScalarType.BOOL: "BOOLEAN",
    ScalarType.DATE: "DATE",
    ScalarType.DATETIME: "TIMESTAMP",
}

# Templates shared by every dialect unless it overrides them. Guards that need an argument
# twice (`CASE WHEN x > 0 THEN LN(x) END`) are built by the compiler from these pieces.
_BASE_SQL: dict[str, str] = {
    "identifier_style": "double_quote",
    "string_style": "duckdb",
    "float_literal": "{0}",
    "float_special": "CAST({0} AS {float})",
    "date_literal": "DATE {0}",
    "datetime_literal": "TIMESTAMP {0}",
    "cast": "CAST({0} AS {1})",
    "float32_type": "FLOAT",
    "float32": "CAST(CAST({0} AS {float32}) AS {float})",
    "nan_to_null": "NULLIF({0}, CAST('NaN' AS {float}))",
    "div": "({0} / NULLIF({1}, 0))",
    "round_half_away": "ROUND({0})",
    "floor": "FLOOR({0})",
    "ceil": "CEIL({0})",
    "ln": "LN({0})",
    "log10": "LOG10({0})",
    "exp": "EXP({0})",
    "sqrt": "SQRT({0})",
    "pow": "POWER({0}, {1})",
    "abs": "ABS({0})",
    "least": "LEAST({0})",
    "greatest": "GREATEST({0})",
    "int_mod": "({0} % {1})",
    "days_between_date": "DATE_DIFF('day', {0}, {1})",
    "days_between_datetime": "(DATE_DIFF('microsecond', {0}, {1}) // 86400000000)",
    "year": "CAST(EXTRACT(YEAR FROM {0}) AS {int})",
    "month": "CAST(EXTRACT(MONTH FROM {0}) AS {int})",
    "day": "CAST(EXTRACT(DAY FROM {0}) AS {int})",
    "lower": "LOWER({0})",
    "upper": "UPPER({0})",
    "length": "CAST(LENGTH({0}) AS {int})",
    "contains": "(POSITION({1} IN {0}) > 0)",
    "starts_with": "STARTS_WITH({0}, {1})",
    "ends_with": "ENDS_WITH({0}, {1})",
    "raise_error": "(ERROR({0}) IS NULL)",
    # Written before each step's SELECT: a planner that inlines the steps into one
    # projection would copy a step's expression into every later reference of its column.
    "step_fence": "",
    # The most columns one SELECT may list (every step lists the columns it passes on and
    # the ones it adds); empty: no limit the cards we write can reach.
    "max_select_columns": "",
    # Settings the compiled statement needs to run well on this engine, `;`-separated:
    # `apply --db` sets them for its transaction only (`SET LOCAL`), and a dbt model in its
    # `pre_hook`, which dbt runs inside the model's transaction.
    "local_settings": "",
    # Int overflow gives null (docs/language.md): engines raise or wrap around instead.
    "int_neg": f"(-NULLIF({{0}}, {INT_MIN_SQL}))",
    "int_abs": f"ABS(NULLIF({{0}}, {INT_MIN_SQL}))",
    **_exact_int("CAST({0} AS DECIMAL(38, 0))", _TRY_CAST_INT),
}

_BASE_FLAGS: dict[str, bool] = {
    "has_float32": True,
    "least_skips_nulls": True,
    # Keyed reasons named in the final SELECT, after classes' window, which then holds K
    # integers rather than K names: faster on one machine (DuckDB, 1M rows: 2.67 s against
    # 2.81 s), much slower where the rows after a window over the whole table are one task
    # (Spark: the last stage 8.1 s of CPU against 3.3 s, docs/performance.md).
    "reasons_named_after_classes": False,
}


@dataclass(frozen=True)
class _Spec:
    sqlglot: str
    parent: str | None = None
    types: Mapping[ScalarType, str] = field(default_factory=dict)
    sql: Mapping[str, str] = field(default_factory=dict)
    flags: Mapping[str, bool] = field(default_factory=dict)


_SPECS: dict[str, _Spec] = {
    "default": _Spec(sqlglot="", types=_BASE_TYPES, sql=_BASE_SQL, flags=_BASE_FLAGS),
    "duckdb": _Spec(
        sqlglot="duckdb",
        parent="default",
        # The n-th of a list of string literals, 1-based; NULL for a NULL position.
        sql={"string_at": "[{1}][{0}]"},
        flags={"reasons_named_after_classes": True},
    ),
    "postgres": _Spec(
        sqlglot="postgres",
        parent="default",
        types={ScalarType.FLOAT: "DOUBLE PRECISION", ScalarType.STRING: "TEXT"},
        sql={
            "string_style": "postgres",
            "float_literal": "{0}::float8",
            "float32_type": "REAL",
            # ROUND(double precision) rounds half to even in PostgreSQL.
            "round_half_away": (
                "(TRUNC({0}) + SIGN({0}) * CASE WHEN ABS({0} - TRUNC({0})) >= 0.5 THEN 1 ELSE 0 END)"
            ),
            # EXP raises 'underflow' where the result is 0.0.
            "exp": f"CASE WHEN {{0}} <= {EXP_ZERO!r}::float8 THEN 0::float8 ELSE EXP({{0}}) END",
            "days_between_date": "({1} - {0})",
            "days_between_datetime": (
                "CAST(TRUNC(EXTRACT(EPOCH FROM ({1} - {0})) / 86400) AS {int})"
            ),
            "ends_with": "(RIGHT({0}, LENGTH({1})) = {1})",
            # No error function in PostgreSQL: a failing cast carries the message.
            "raise_error": "(CAST({0} AS INTEGER) = 0)",
            # PostgreSQL pulls single-use CTEs up into their reader and substitutes each
            # column's expression at every reference (a model or a round of reasons copied
            # dozens of times, nested: planning ran out of memory). A subquery with a WITH
            # list of its own is never pulled up; unlike AS MATERIALIZED its rows are not
            # stored, and unlike OFFSET 0 it may run in parallel workers. The CTE is never
            # read (so never computed) and only the step's own text could name it.
            "step_fence": 'WITH "_sc_fence" AS (SELECT 1)',
            "string_at": "(ARRAY[{1}]::TEXT[])[{0}]",
            # "target lists can have at most 1664 entries" (MaxTupleAttributeNumber).
            "max_select_columns": "1664",
            # JIT: LLVM's inlining and optimisation of a card's large expressions cost more
            # than they save (the reference card on 100k rows: 183 s, 158 s of it in LLVM,
            # against 45 s without JIT). Plain code generation pays from about a million
            # rows (the reference card on 1M rows: 9.9 s against 12.5 s without JIT) and
            # loses on small tables (a 1,000-rule card on 100k rows: 5.6 s against 4.0 s), so
            # only above 5x the default cost; JIT itself stays as the server sets it.
            "local_settings": (
                "jit_above_cost = 500000; jit_inline_above_cost = -1; jit_optimize_above_cost = -1"
            ),
            **_exact_int("CAST({0} AS NUMERIC)", _BETWEEN_INT),
        },
    ),
    "spark": _Spec(
        sqlglot="spark",
        parent="default",
        types={ScalarType.STRING: "STRING", ScalarType.DATETIME: "TIMESTAMP_NTZ"},
        sql={
            "identifier_style": "backtick",
            "string_style": "backslash",
            "float_literal": "{0}D",
            "datetime_literal": "TIMESTAMP_NTZ {0}",
            # Spark's FLOOR and CEIL give a BIGINT, which overflows (an error under ANSI) for
            # |x| >= 2^63; a double of magnitude 2^52 or more is already whole.
            "floor": "CASE WHEN ABS({0}) < 4503599627370496D THEN CAST(FLOOR({0}) AS {float}) ELSE {0} END",
            "ceil": "CASE WHEN ABS({0}) < 4503599627370496D THEN CAST(CEIL({0}) AS {float}) ELSE {0} END",
            "days_between_date": "DATEDIFF({1}, {0})",
            "days_between_datetime": "(TIMESTAMPDIFF(MICROSECOND, {0}, {1}) DIV 86400000000)",
            "starts_with": "STARTSWITH({0}, {1})",
            "ends_with": "ENDSWITH({0}, {1})",
            "raise_error": "(RAISE_ERROR({0}) IS NULL)",
            # Null on overflow whether ANSI mode is on (it raises) or off (it wraps around).
            "int_add": "TRY_ADD({0}, {1})",
            "int_sub": "TRY_SUBTRACT({0}, {1})",
            "int_mul": "TRY_MULTIPLY({0}, {1})",
            # No `string_at`: Spark 4.3 gave ELEMENT_AT(ARRAY('r1'), p) = 'r1' where p, a CASE
            # that was NULL on that row, was NULL (tests/sql/test_card_text.py caught it).
        },
    ),
    "snowflake": _Spec(
        sqlglot="snowflake",
        parent="default",
        types={ScalarType.DATETIME: "TIMESTAMP_NTZ"},
        sql={
            "string_style": "backslash",
            "datetime_literal": "CAST({0} AS TIMESTAMP_NTZ)",
            "log10": "LOG(10, {0})",
            "days_between_date": "DATEDIFF(DAY, {0}, {1})",
            "days_between_datetime": "TRUNC(DATEDIFF(MICROSECOND, {0}, {1}) / 86400000000)",
            "starts_with": "STARTSWITH({0}, {1})",
            "ends_with": "ENDSWITH({0}, {1})",
            # No error function usable in a SELECT: a failing cast carries the message.
            "raise_error": "(CAST({0} AS INTEGER) = 0)",
            # Integers are NUMBER(38, 0): exact, but not limited to int64 by themselves.
            **_exact_int("CAST({0} AS NUMBER(38, 0))", _BETWEEN_INT),
        },
        # FLOAT is 64-bit in Snowflake: float32 comparisons use the midpoint rewrite.
        flags={"has_float32": False, "least_skips_nulls": False},
    ),
    "bigquery": _Spec(
        sqlglot="bigquery",
        parent="default",
        types={
            ScalarType.INT: "INT64",
            ScalarType.FLOAT: "FLOAT64",
            ScalarType.STRING: "STRING",
            ScalarType.BOOL: "BOOL",
            ScalarType.DATETIME: "DATETIME",
        },
        sql={
            "identifier_style": "backtick_escaped",
            "string_style": "backslash",
            "datetime_literal": "DATETIME {0}",
            "nan_to_null": "IF(IS_NAN({0}), NULL, {0})",
            "days_between_date": "DATE_DIFF({1}, {0}, DAY)",
            "days_between_datetime": "DIV(DATETIME_DIFF({1}, {0}, MICROSECOND), 86400000000)",
            "contains": "(STRPOS({0}, {1}) > 0)",
            "int_mod": "MOD({0}, {1})",
            **_exact_int("CAST({0} AS BIGNUMERIC)", "SAFE_CAST({0} AS INT64)"),
            "int_add": "SAFE_ADD({0}, {1})",
            "int_sub": "SAFE_SUBTRACT({0}, {1})",
            "int_mul": "SAFE_MULTIPLY({0}, {1})",
        },
        # BigQuery has no 32-bit float: float32 comparisons use the midpoint rewrite.
        flags={"has_float32": False, "least_skips_nulls": False},
    ),
}

_SPECS["snowflake_upper"] = _Spec(
    sqlglot="snowflake", parent="snowflake", sql={"identifier_style": "upper_unquoted"}
)
"""Snowflake with names upper-cased and unquoted where they can be (`compile --upper-case`):
for tables whose columns were created unquoted, and results read unquoted downstream."""

DIALECT_NAMES: tuple[str, ...] = ("duckdb", "postgres", "snowflake", "bigquery", "spark")
UPPER_CASE_VARIANTS: Mapping[str, str] = MappingProxyType({"snowflake": "snowflake_upper"})
"""The dialects `--upper-case` applies to, and the variant it selects (not in
`DIALECT_NAMES`: the same engine, named differently)."""


class UnknownDialectError(ValueError):
    """A dialect name that is not one of `DIALECT_NAMES`."""


def lineage(name: str) -> list[str]:
    """The dialect, its parent, ... down to `default`: the order templates are looked up in."""
    if name not in _SPECS:
        raise UnknownDialectError(
            f"unknown SQL dialect {name!r}; choose one of: {', '.join(DIALECT_NAMES)}"
        )
    chain = [name]
    while (parent := _SPECS[chain[-1]].parent) is not None:
        chain.append(parent)
    return chain


def get_dialect(name: str) -> Dialect:
    """The dialect `name` with its tables merged over its parents' (parents first)."""
    chain = lineage(name)
    types: dict[ScalarType, str] = {}
    sql: dict[str, str] = {}
    flags: dict[str, bool] = {}
    for spec_name in reversed(chain):
        spec = _SPECS[spec_name]
        types.update(spec.types)
        sql.update(spec.sql)
        flags.update(spec.flags)
    return Dialect(
        name=name,
        sqlglot=_SPECS[name].sqlglot,
        types=MappingProxyType(types),
        sql=MappingProxyType(sql),
        flags=MappingProxyType(flags),
        parent=_SPECS[name].parent,
    )
