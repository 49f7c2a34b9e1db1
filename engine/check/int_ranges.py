"""Bounds of int expressions, so that overflow guards are left out where they can never fire.

An int `+`, `-`, `*` or unary minus gives null where its exact result leaves int64 (docs/
language.md, "Whole numbers"); the backends compute it in a wider type to know. When the
operands' bounds prove the exact result always fits (`year(d) * 12 + month(d)`,
`days_between(a, b) * 24`, `3 + 4`), the checker marks the node `cannot_overflow` and the
backends use the plain 64-bit operation.

The bounds are sound, not tight: an input column or a param (which `--param` may change) can
hold any int64; a let has the bounds of its expression; a value that may have been nulled by a
guard keeps the bounds of the values that were not. Nulls need no bound (null in, null out).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from engine import ir
from engine.types import INT_MAX, INT_MIN, ScalarType

Bounds = tuple[int, int]
"""The smallest and largest value an int expression can have (when it is not null)."""

ANY_INT: Bounds = (INT_MIN, INT_MAX)

DAYS_BETWEEN: Bounds = (-(2**32), 2**32)
"""Dates and datetimes of every engine lie within 2^31 days of 1970 (Polars dates are 32-bit
day counts; PostgreSQL's widest dates span 2.1e9 days), so differences are within 2^32."""
YEAR: Bounds = (-(2**31), 2**31)
LENGTH: Bounds = (0, 2**32)
"""No engine holds a string of 4 GiB or more characters."""


def fits(bounds: Bounds) -> bool:
    low, high = bounds
    return low >= INT_MIN and high <= INT_MAX


def _clamped(bounds: Bounds) -> Bounds:
    """The values an overflow-guarded result can take: the exact ones that fit."""
    low, high = max(bounds[0], INT_MIN), min(bounds[1], INT_MAX)
    return (low, high) if low <= high else (0, 0)  # always null: any bounds will do


def _hull(items: Iterable[Bounds]) -> Bounds:
    spans = list(items)
    return (min(s[0] for s in spans), max(s[1] for s in spans))


def exact(op: str, a: Bounds, b: Bounds) -> Bounds:
    """The bounds of the exact result of `a op b` (`+`, `-` or `*`)."""
    if op == "+":
        return (a[0] + b[0], a[1] + b[1])
    if op == "-":
        return (a[0] - b[1], a[1] - b[0])
    corners = [x * y for x in a for y in b]
    return (min(corners), max(corners))


def negated(a: Bounds) -> Bounds:
    return (-a[1], -a[0])


def absolute(a: Bounds) -> Bounds:
    low, high = a
    if low >= 0:
        return a
    if high <= 0:
        return negated(a)
    return (0, max(-low, high))


class IntRanges:
    """Bounds of the int expressions of one card; `of_ref` gives a let's (None: any int)."""

    def __init__(self, of_ref: Callable[[str], Bounds | None] | None = None) -> None:
        self.of_ref = of_ref or (lambda name: None)
        self._known: dict[int, tuple[ir.Expr, Bounds]] = {}

    def of(self, e: ir.Expr) -> Bounds:
        """The bounds of `e`, an int expression (any other type gives ANY_INT)."""
        if e.type is not ScalarType.INT:
            return ANY_INT
        seen = self._known.get(id(e))
        if seen is not None and seen[0] is e:
            return seen[1]
        bounds = self._compute(e)
        self._known[id(e)] = (e, bounds)  # the node is kept alive, so its id stays its own
        return bounds

    def _compute(self, e: ir.Expr) -> Bounds:
        match e:
            case ir.Literal(value=v):
                return (v, v) if isinstance(v, int) and not isinstance(v, bool) else (0, 0)
            case ir.Ref(name=name):
                return self.of_ref(name) or ANY_INT
            case ir.Negate(operand=o):
                return _clamped(negated(self.of(o)))
            case ir.Arith(op=op, left=a, right=b) if op != "/":
                return _clamped(exact(op, self.of(a), self.of(b)))
            case ir.If(then=t, else_=f):
                return _hull([self.of(t), self.of(f)])
            case ir.Call():
                return self._call(e)
        return ANY_INT

    def _call(self, e: ir.Call) -> Bounds:
        args = [self.of(a) for a in e.args]
        match e.func:
            case "abs":
                return _clamped(absolute(args[0]))
            case "min":
                return (min(a[0] for a in args), min(a[1] for a in args))
            case "max":
                return (max(a[0] for a in args), max(a[1] for a in args))
            case "clip":
                x, low, high = args
                floor = (max(x[0], low[0]), max(x[1], low[1]))
                return (min(floor[0], high[0]), min(floor[1], high[1]))
            case "coalesce":
                return _hull(args)
            case "floor" | "ceil":
                return args[0]
            case "round":
                digits = e.args[1] if len(e.args) > 1 else None
                if (
                    isinstance(digits, ir.Literal)
                    and isinstance(digits.value, int)
                    and digits.value < 0
                ):  # to a multiple of step: at most one step further out
                    step = 10**-digits.value
                    return _clamped((args[0][0] - step, args[0][1] + step))
                return args[0]
            case "days_between":
                return DAYS_BETWEEN
            case "year":
                return YEAR
            case "month":
                return (1, 12)
            case "day":
                return (1, 31)
            case "length":
                return LENGTH
        return ANY_INT

    def arith_fits(self, op: str, left: ir.Expr, right: ir.Expr) -> bool:
        """Whether int `left op right` can never leave int64."""
        return fits(exact(op, self.of(left), self.of(right)))

    def negation_fits(self, operand: ir.Expr) -> bool:
        return fits(negated(self.of(operand)))
