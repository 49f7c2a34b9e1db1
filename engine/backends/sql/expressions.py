"""Compile `engine.ir` expression trees to SQL text for one dialect, one rule per node.

Every node gets the semantics the `engine.ir` docstring states, whatever the engine's own
defaults: null in, null out; `/` by zero, `ln`/`log10` of x <= 0, `sqrt` of x < 0 and `logit`
outside (0, 1) give null; `exp` and `pow` give null where the result is not finite (as the Polars
backend does); `min`/`max`/`clip` give null when any argument is null; `round` rounds half away
from zero; int `+ - *`, unary minus, `abs` and `round` give null where the exact result leaves
int64 (unless the checker proved it cannot: `cannot_overflow`). The dialect's tables
(`engine.backends.sql.dialects`) say how; this module never asks which dialect it compiles for.

Guards read an argument more than once (`CASE WHEN x > 0 THEN LN(x) END`). When that argument
is large (a model's sum of trees), the compiler hoists it into a helper column computed in an
earlier CTE instead of copying it (`Compiler.hoisted`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from engine import ir
from engine.backends.sql.dialects import EXP_MAX, Dialect
from engine.backends.sql.sqltext import Sql, join, sql
from engine.nonnull import is_never_null
from engine.types import INT_MAX, INT_MIN, ScalarType

LONG_SUM = 160
"""A sum whose terms are longer than this (together) puts each term on its own line: the
trees of a model, so a retrained model is a diff of the trees that changed."""
HOIST_CHARS = 400
"""An argument read more than once is hoisted into a helper column when its SQL is longer."""


def _plus(parts: list[Sql]) -> Sql:
    """`(a + b + ...)`; a long sum (a model's trees) puts each term on its own line, so a
    retrained model is a diff of the trees that changed."""
    if sum(len(p) for p in parts) > LONG_SUM:
        return sql("({})", join("\n      + ", parts))
    return sql("({})", join(" + ", parts))


class SqlCompileError(ValueError):
    """A construct that cannot be written in SQL for this dialect (a model run on batches)."""


@dataclass
class Hoisted:
    """A helper column: `sql` computed as `name` in a CTE of its `level` (1 = first)."""

    name: str
    sql: Sql
    level: int


@dataclass
class Compiler:
    """Compiles IR trees for one dialect; `hoisted` collects the helper columns they need."""

    dialect: Dialect
    fresh_name: Callable[[], str]
    never_null: frozenset[str] = frozenset()
    """Columns never null on the rows the statement scores (`engine.nonnull`): an argument
    of `min`/`max`/`clip` computed from them needs no null test."""
    hoisted: list[Hoisted] = field(default_factory=list)
    computed: dict[Sql, Sql] = field(default_factory=dict)
    """Helper columns by the text they hold, for expressions computed once per statement
    however often they are read (a feature rounded to 32 bits, read by every tree node)."""

    # -- entry point ---------------------------------------------------------------------

    def compile(self, e: ir.Expr) -> Sql:
        """The SQL expression for `e`; helper columns it needs are appended to `hoisted`."""
        return self.expr(e)

    def take_hoisted(self) -> list[Hoisted]:
        out, self.hoisted = self.hoisted, []
        return out

    # -- nodes ---------------------------------------------------------------------------

    def expr(self, e: ir.Expr) -> Sql:
        d = self.dialect
        match e:
            case ir.Literal(value=v, type=t):
                return self.literal(v, t)
            case ir.Ref(name=name):
                return d.quote(name)
            case ir.Param(name=name):
                raise SqlCompileError(f"parameter {name!r} is unbound: call bind_params first")
            case ir.Cast(operand=o, type=t):
                return d.render("cast", self.expr(o), d.type_sql(t))
            case ir.Float32(operand=o):
                if not d.flag("has_float32"):
                    raise SqlCompileError(
                        f"{d.name} has no 32-bit float: float32 values can only be compared "
                        "with a constant threshold there"
                    )
                return self.once(d.render("float32", self.expr(o)))
            case ir.Negate(operand=o, cannot_overflow=safe):
                if o.type is ScalarType.INT and not safe:
                    return self.render_shared("int_neg", self.expr(o))
                return sql("(-{})", self.expr(o))
            case ir.Not(operand=o):
                return sql("(NOT {})", self.expr(o))
            case ir.Arith(op=op, left=a, right=b, cannot_overflow=safe):
                if op == "/":
                    return d.render("div", self.expr(a), self.expr(b))
                if e.type is ScalarType.INT and not safe:
                    return self.render_shared(_INT_OPS[op], self.expr(a), self.expr(b))
                return sql("({} {} {})", self.expr(a), _ARITH[op], self.expr(b))
            case ir.Sum(terms=terms, type=t):
                return self.sum([self.expr(x) for x in terms], t)
            case ir.Logic(op=op, left=a, right=b):
                return sql("({} {} {})", self.expr(a), _LOGIC[op], self.expr(b))
            case ir.Compare():
                return self.compare(e)
            case ir.InList(operand=o, values=values, negated=negated):
                listed = join(", ", (self.literal(v.value, v.type) for v in values))
                if negated:
                    return sql("({} NOT IN ({}))", self.expr(o), listed)
                return sql("({} IN ({}))", self.expr(o), listed)
            case ir.IsMissing(operand=o, negated=negated):
                # Casts (int -> float, date -> datetime) are total: null only where their
                # operand is, and the column is cheaper to test than a conversion (a tree
                # model may test its features at every node: the reference card took 0.94x
                # the time in PostgreSQL, before never-null features lost their tests).
                while isinstance(o, ir.Cast):
                    o = o.operand
                if negated:
                    return sql("({} IS NOT NULL)", self.expr(o))
                return sql("({} IS NULL)", self.expr(o))
            case ir.If():
                return self.if_chain(e)
            case ir.Call():
                return self.call(e)
            case ir.ModelBatch(model=model):
                raise SqlCompileError(
                    f"model {model!r} can only run on batches in Python: it has no SQL form"
                )
        raise SqlCompileError(f"no SQL translation rule for {type(e).__name__}: {e!r}")

    def literal(self, value: ir.Value, type_: ScalarType) -> Sql:
        d = self.dialect
        if value is None:
            return sql("CAST(NULL AS {})", d.type_sql(type_))
        match type_:
            case ScalarType.BOOL:
                return sql("TRUE") if value else sql("FALSE")
            case ScalarType.INT:
                assert isinstance(value, int) and not isinstance(value, bool)
                if value == INT_MIN:
                    # The literal -9223372036854775808 is a decimal in some engines.
                    return sql("(-{} - 1)", INT_MAX)
                return sql("{}", value) if value >= 0 else sql("({})", value)
            case ScalarType.FLOAT:
                assert isinstance(value, int | float)
                text = d.float_literal(float(value))
                return sql("({})", text) if text.startswith("-") else text
            case ScalarType.STRING:
                assert isinstance(value, str)
                return d.string(value)
            case ScalarType.DATETIME:
                assert isinstance(value, dt.datetime)
                return d.render("datetime_literal", d.string(value.isoformat(sep=" ")))
            case ScalarType.DATE:
                assert isinstance(value, dt.date)
                return d.render("date_literal", d.string(value.isoformat()))
        raise SqlCompileError(f"no SQL literal for type {type_}")

    def sum(self, parts: list[Sql], type_: ScalarType) -> Sql:
        if not parts:
            return self.literal(0 if type_ is ScalarType.INT else 0.0, type_)
        # `a + b + c` is ((a + b) + c) in SQL: left to right, in Polars' groups.
        return ir.add_in_groups(parts, type_, _plus)

    def compare(self, e: ir.Compare) -> Sql:
        left, right, op = e.left, e.right, e.op
        if not self.dialect.flag("has_float32"):
            if isinstance(right, ir.Float32) and isinstance(left, ir.Literal):
                left, right = right, left
                op = _FLIPPED[op]
            if (
                isinstance(left, ir.Float32)
                and isinstance(right, ir.Literal)
                and isinstance(right.value, int | float)
            ):
                return self.float32_compare(op, left.operand, float(right.value))
        return sql("({} {} {})", self.expr(left), _COMPARE[op], self.expr(right))

    def float32_compare(self, op: ir.CompareOp, x: ir.Expr, t: float) -> Sql:
        """`float32(x) OP t` on the float64 x alone (see `engine.backends.sql.float32`, which
        numpy's float32 arithmetic makes slow to import: only dialects without float32 need it)."""
        from engine.backends.sql import float32

        negate = op == "!="
        tests = float32.equal(t) if op in ("=", "!=") else float32.rewrite(op, t)
        x_sql = self.shared(self.expr(x)) if isinstance(tests, list) and len(tests) > 1 else None
        if x_sql is None:
            x_sql = self.expr(x)
        if isinstance(tests, bool):
            value = sql("TRUE") if tests != negate else sql("FALSE")
            return sql("CASE WHEN {} IS NOT NULL THEN {} END", x_sql, value)
        joined = join(
            " AND ",
            (
                sql("{} {} {}", x_sql, _COMPARE[o], self.literal(b, ScalarType.FLOAT))
                for o, b in tests
            ),
        )
        return sql("(NOT ({}))", joined) if negate else sql("({})", joined)

    def if_chain(self, e: ir.If) -> Sql:
        """Nested ifs (bins, trees' else branches) become one flat CASE."""
        node: ir.Expr = e
        whens: list[Sql] = []
        while isinstance(node, ir.If):
            whens.append(sql("WHEN {} THEN {}", self.expr(node.cond), self.expr(node.then)))
            node = node.else_
        return sql("CASE {} ELSE {} END", join(" ", whens), self.expr(node))

    # -- helpers for arguments read more than once --------------------------------------

    def shared(self, text: Sql) -> Sql:
        """`text`, or a helper column holding it when it is too large to copy."""
        if len(text) <= HOIST_CHARS:
            return text
        return self._column(text)

    def _column(self, text: Sql) -> Sql:
        """A new helper column holding `text`, in the CTE after those of the helpers it
        reads; its quoted name."""
        level = 1 + max(
            (h.level for h in self.hoisted if self.dialect.quote(h.name) in text), default=0
        )
        name = self.fresh_name()
        self.hoisted.append(Hoisted(name, text, level))
        return self.dialect.quote(name)

    def once(self, text: Sql) -> Sql:
        """A helper column holding `text`, the same column wherever `text` is read again.

        A tree model compares each feature rounded to 32 bits (as scikit-learn reads it) at
        every node: 100 trees of depth 3 read it hundreds of times, and engines do not share
        the casts across the branches of a CASE (DuckDB ran the trees in twice the time;
        Spark's generated code grew past the JVM's 64 KB method limit). Helper columns stay
        in every later step of the statement (each step selects `*`), so one column serves
        every step after the one that first needed it.
        """
        name = self.computed.get(text)
        if name is None:
            name = self.computed[text] = self._column(text)
        return name

    def render_shared(self, key: str, *args: Sql) -> Sql:
        """The template `key`; an argument it reads more than once is `shared` first."""
        template = self.dialect.template(key)
        kept = [self.shared(a) if template.count(f"{{{i}}}") > 1 else a for i, a in enumerate(args)]
        return self.dialect.render(key, *kept)

    def guarded(self, test: Sql, value: Sql) -> Sql:
        return sql("CASE WHEN {} THEN {} END", test, value)

    def as_float(self, arg: ir.Expr) -> Sql:
        text = self.expr(arg)
        if arg.type is ScalarType.INT:
            return self.dialect.render("cast", text, self.dialect.type_sql(ScalarType.FLOAT))
        return text

    def call(self, e: ir.Call) -> Sql:
        rule = _CALLS.get(e.func)
        if rule is None:
            raise SqlCompileError(f"no SQL translation rule for function {e.func!r}")
        return rule(self, e)

    # -- functions -----------------------------------------------------------------------

    def min_max(self, func: str, args: list[tuple[Sql, bool]]) -> Sql:
        """min/max/clip: null when any argument is (`args`: sql, whether it can be null).

        LEAST/GREATEST skip nulls in some engines: there the arguments are tested first.
        """
        d = self.dialect
        skips = d.flag("least_skips_nulls")
        if skips:
            args = [(self.shared(a) if nullable else a, nullable) for a, nullable in args]
        sqls = [a for a, _ in args]
        if func == "clip":
            inner = d.render("greatest", join(", ", sqls[:2]))
            value = d.render("least", join(", ", [inner, sqls[2]]))
        else:
            value = d.render("least" if func == "min" else "greatest", join(", ", sqls))
        tests = [sql("{} IS NULL", a) for a, nullable in args if nullable]
        if not skips or not tests:
            return value
        return sql("CASE WHEN {} THEN NULL ELSE {} END", join(" OR ", tests), value)

    def round(self, e: ir.Call) -> Sql:
        d = self.dialect
        x_ir = e.args[0]
        digits = 0
        if len(e.args) > 1:
            arg = e.args[1]
            if not isinstance(arg, ir.Literal) or not isinstance(arg.value, int):
                raise SqlCompileError("round's second argument must be an int literal")
            digits = arg.value
        x = self.expr(x_ir)
        if x_ir.type is ScalarType.INT:
            if digits >= 0:
                return x
            # The exact rounding, half away from zero, of a decimal; null outside int64.
            return self.render_shared("int_round", x, self.literal(digits, ScalarType.INT))
        if digits == 0:
            return d.render("round_half_away", self.shared(x))
        scale = self.literal(10.0 ** abs(digits), ScalarType.FLOAT)
        if digits > 0:
            scaled = self.shared(sql("({} * {})", x, scale))
            return sql("({} / {})", d.render("round_half_away", scaled), scale)
        scaled = self.shared(sql("({} / {})", x, scale))
        return sql("({} * {})", d.render("round_half_away", scaled), scale)


_ARITH: dict[str, Sql] = {"+": sql("+"), "-": sql("-"), "*": sql("*")}
_LOGIC: dict[str, Sql] = {"and": sql("AND"), "or": sql("OR")}
_COMPARE: dict[str, Sql] = {
    "=": sql("="),
    "!=": sql("<>"),
    "<": sql("<"),
    "<=": sql("<="),
    ">": sql(">"),
    ">=": sql(">="),
}
_INT_OPS = {"+": "int_add", "-": "int_sub", "*": "int_mul"}

_FLIPPED: dict[ir.CompareOp, ir.CompareOp] = {
    "=": "=",
    "!=": "!=",
    "<": ">",
    "<=": ">=",
    ">": "<",
    ">=": "<=",
}


def _zero(c: Compiler) -> Sql:
    return c.literal(0.0, ScalarType.FLOAT)


def _one(c: Compiler) -> Sql:
    return c.literal(1.0, ScalarType.FLOAT)


def _unary(template: str) -> Callable[[Compiler, ir.Call], Sql]:
    return lambda c, e: c.dialect.render(template, c.expr(e.args[0]))


def _float_unary(template: str, test: str | None) -> Callable[[Compiler, ir.Call], Sql]:
    """A float function that is null outside its domain (`test` on x, or None)."""

    def rule(c: Compiler, e: ir.Call) -> Sql:
        x = c.as_float(e.args[0])
        if test is None:
            return c.dialect.render(template, x)
        x = c.shared(x)
        return c.guarded(
            sql("{} {} {}", x, _COMPARE[test], _zero(c)), c.dialect.render(template, x)
        )

    return rule


def _integral(template: str) -> Callable[[Compiler, ir.Call], Sql]:
    """floor/ceil: int stays int, float stays float."""

    def rule(c: Compiler, e: ir.Call) -> Sql:
        x = c.expr(e.args[0])
        return x if e.args[0].type is ScalarType.INT else c.dialect.render(template, x)

    return rule


def _exp(c: Compiler, e: ir.Call) -> Sql:
    x = c.shared(c.as_float(e.args[0]))
    limit = c.literal(EXP_MAX, ScalarType.FLOAT)
    return sql("CASE WHEN {} > {} THEN NULL ELSE {} END", x, limit, c.dialect.render("exp", x))


def _pow(c: Compiler, e: ir.Call) -> Sql:
    """Null where the result is not finite: a negative base with a fractional exponent, 0^-n,
    and overflow (PostgreSQL raises an error on overflow instead: see docs/sql.md)."""
    d = c.dialect
    a = c.shared(c.as_float(e.args[0]))
    b = c.shared(c.as_float(e.args[1]))
    zero = _zero(c)
    value = c.shared(d.render("pow", a, b))
    inf = d.float_literal(float("inf"))
    # {0} base, {1} exponent, {2} zero, {3} floor(exponent), {4} the power, {5} infinity
    return sql(
        "CASE WHEN {0} < {2} AND {1} <> {3} THEN NULL "
        "WHEN {0} = {2} AND {1} < {2} THEN NULL "
        "WHEN ABS({4}) < {5} THEN {4} END",
        a,
        b,
        zero,
        d.render("floor", b),
        value,
        inf,
    )


def _arg(c: Compiler, e: ir.Expr) -> tuple[Sql, bool]:
    """An argument's SQL and whether it can be null (`engine.nonnull`)."""
    return c.expr(e), not is_never_null(e, c.never_null)


def _min_max(c: Compiler, e: ir.Call) -> Sql:
    return c.min_max(e.func, [_arg(c, a) for a in e.args])


def _clip(c: Compiler, e: ir.Call) -> Sql:
    return c.min_max("clip", [_arg(c, a) for a in e.args])


def _coalesce(c: Compiler, e: ir.Call) -> Sql:
    return sql("COALESCE({})", join(", ", (c.expr(a) for a in e.args)))


def _days_between(c: Compiler, e: ir.Call) -> Sql:
    a, b = e.args
    key = (
        "days_between_datetime" if ScalarType.DATETIME in (a.type, b.type) else "days_between_date"
    )
    return c.dialect.render(key, c.expr(a), c.expr(b))


def _binary(template: str) -> Callable[[Compiler, ir.Call], Sql]:
    return lambda c, e: c.dialect.render(template, c.expr(e.args[0]), c.expr(e.args[1]))


def _logit(c: Compiler, e: ir.Call) -> Sql:
    p = c.shared(c.as_float(e.args[0]))
    zero, one = _zero(c), _one(c)
    ln = c.dialect.render("ln", sql("({0} / ({1} - {0}))", p, one))
    return c.guarded(sql("{0} > {1} AND {0} < {2}", p, zero, one), ln)


def _sigmoid(c: Compiler, e: ir.Call) -> Sql:
    """1 / (1 + exp(-x)); where exp(-x) overflows the result is 0.0, as in float arithmetic."""
    x = c.shared(c.as_float(e.args[0]))
    one = _one(c)
    limit = c.literal(-EXP_MAX, ScalarType.FLOAT)
    exp = c.dialect.render("exp", sql("(-{})", x))
    return sql(
        "CASE WHEN {0} < {1} THEN {2} ELSE ({3} / ({3} + {4})) END", x, limit, _zero(c), one, exp
    )


def _abs(c: Compiler, e: ir.Call) -> Sql:
    key = "int_abs" if e.type is ScalarType.INT else "abs"
    return c.render_shared(key, c.expr(e.args[0]))


_CALLS: dict[str, Callable[[Compiler, ir.Call], Sql]] = {
    "abs": _abs,
    "min": _min_max,
    "max": _min_max,
    "clip": _clip,
    "round": lambda c, e: c.round(e),
    "floor": _integral("floor"),
    "ceil": _integral("ceil"),
    "ln": _float_unary("ln", ">"),
    "log10": _float_unary("log10", ">"),
    "sqrt": _float_unary("sqrt", ">="),
    "exp": _exp,
    "pow": _pow,
    "coalesce": _coalesce,
    "days_between": _days_between,
    "year": _unary("year"),
    "month": _unary("month"),
    "day": _unary("day"),
    "lower": _unary("lower"),
    "upper": _unary("upper"),
    "length": _unary("length"),
    "contains": _binary("contains"),
    "starts_with": _binary("starts_with"),
    "ends_with": _binary("ends_with"),
    "logit": _logit,
    "sigmoid": _sigmoid,
}
