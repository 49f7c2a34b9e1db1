"""`reasons K below max`: adverse-action reasons, lowered to plain definitions.

Credit cards scaled with points-to-double-the-odds give every characteristic positive points,
so "the largest contributions" says nothing about why a customer scored low. The reasons a
lender gives are the characteristics where the customer is furthest below the best they could
have scored: for each rule and bins block, shortfall = (the most points it can give) − (its
contribution), and the K largest positive shortfalls are the reasons, ties in file order.

The checker lowers each shortfall to a hidden `let` (`NAME below max`) and points the existing
reasons ranking (`highest`) at those columns through `ReasonsDef.ranked`, so both backends
rank them with the machinery they already have.

The most points:
- a bins block: its largest entry's points, or 0 when a row can match no entry (no `else`);
- a rule with row-independent points (numbers, params): `max(points, 0)`, a rule that does not
  fire giving 0;
- a rule whose points read a model (how a model is named as a reason: give it a rule,
  `rule churn_model when true then 300 * churn`): the largest value the points can take with
  each probability output between 0 and 1, through `+ - * /` by numbers, unary minus,
  `if`, `min`, `max`, `clip`, `abs`, `round`, `floor`, `ceil`, `sigmoid` and lets built from
  them. Points whose range cannot be bounded that way are error E410.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass

from engine import ir
from engine.program import BinsDef, Definition, RuleDef
from engine.types import ScalarType

F = ScalarType.FLOAT
SUFFIX = " below max"

Bound = tuple[float, float]


@dataclass(frozen=True)
class Problem:
    """A rule whose most points cannot be known (reported as E410 on the rule)."""

    name: str
    message: str


def reads_rows(expr: ir.Expr) -> bool:
    """Whether the expression reads a column, a let, a model...: anything but constants."""
    if isinstance(expr, ir.Ref):
        return True
    for f in fields(expr):
        value = getattr(expr, f.name)
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if is_dataclass(item) and not isinstance(item, type) and reads_rows(item):  # type: ignore[arg-type]
                return True
    return False


UNKNOWN: Bound = (-math.inf, math.inf)


def _times(x: float, y: float) -> float:
    """x·y where 0 times an unbounded side is 0 (a factor of 0 kills any value)."""
    return 0.0 if x == 0 or y == 0 else x * y


def _whole(f: Callable[[float], int], x: float) -> float:
    return x if math.isinf(x) else float(f(x))


class Bounds:
    """Interval arithmetic over the IR: the smallest and largest value an expression can take,
    infinite where nothing is known (a column read as is)."""

    def __init__(self, definitions: Mapping[str, Definition], probabilities: set[str]) -> None:
        self.definitions = definitions
        self.probabilities = probabilities

    def of(self, expr: ir.Expr) -> Bound:
        method: Callable[[ir.Expr], Bound] | None = getattr(
            self, f"_{type(expr).__name__.lower()}", None
        )
        return UNKNOWN if method is None else method(expr)

    def _literal(self, e: ir.Expr) -> Bound:
        assert isinstance(e, ir.Literal)
        v = e.value
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            return UNKNOWN
        return float(v), float(v)

    def _cast(self, e: ir.Expr) -> Bound:
        assert isinstance(e, ir.Cast)
        return self.of(e.operand)

    def _negate(self, e: ir.Expr) -> Bound:
        assert isinstance(e, ir.Negate)
        lo, hi = self.of(e.operand)
        return -hi, -lo

    def _ref(self, e: ir.Expr) -> Bound:
        assert isinstance(e, ir.Ref)
        if e.name in self.probabilities:
            return 0.0, 1.0
        d = self.definitions.get(e.name)
        if d is None or d.kind != "let":
            return UNKNOWN
        return self.of(d.expr)

    def _if(self, e: ir.Expr) -> Bound:
        assert isinstance(e, ir.If)
        a, b = self.of(e.then), self.of(e.else_)
        return min(a[0], b[0]), max(a[1], b[1])

    def _arith(self, e: ir.Expr) -> Bound:
        assert isinstance(e, ir.Arith)
        a, b = self.of(e.left), self.of(e.right)
        if e.op == "+":
            return a[0] + b[0], a[1] + b[1]
        if e.op == "-":
            return a[0] - b[1], a[1] - b[0]
        if e.op == "/":
            if b[0] != b[1] or b[0] == 0:
                return UNKNOWN
            b = (1 / b[0], 1 / b[0])
        corners = [_times(x, y) for x in a for y in b]
        return min(corners), max(corners)

    def _sum(self, e: ir.Expr) -> Bound:
        assert isinstance(e, ir.Sum)
        bounds = [self.of(t) for t in e.terms]
        return sum(b[0] for b in bounds), sum(b[1] for b in bounds)

    def _call(self, e: ir.Expr) -> Bound:
        assert isinstance(e, ir.Call)
        b = [self.of(a) for a in e.args]
        match e.func:
            case "sigmoid":
                return 0.0, 1.0
            case "min":
                return min(x[0] for x in b), min(x[1] for x in b)
            case "max":
                return max(x[0] for x in b), max(x[1] for x in b)
            case "clip":
                return max(b[0][0], b[1][0]), min(b[0][1], b[2][1])
            case "abs":
                lo = 0.0 if b[0][0] <= 0 <= b[0][1] else min(abs(b[0][0]), abs(b[0][1]))
                return lo, max(abs(b[0][0]), abs(b[0][1]))
            case "floor":
                return _whole(math.floor, b[0][0]), _whole(math.floor, b[0][1])
            case "ceil":
                return _whole(math.ceil, b[0][0]), _whole(math.ceil, b[0][1])
            case "round" if len(b) == 1:
                return _whole(round, b[0][0]), _whole(round, b[0][1])
        return UNKNOWN


def _rule_max(rule: RuleDef, bounds: Bounds) -> ir.Expr | str:
    """The most points the rule can give, as an expression, or why it cannot be known."""
    if not reads_rows(rule.points):
        return ir.Call("max", (rule.points, ir.ZERO), F)
    b = bounds.of(rule.points)
    if not math.isfinite(b[1]):
        return (
            f"`reasons ... below max` needs the most points rule `{rule.name}` can give, and "
            "its points read values whose range is unknown"
        )
    return ir.Literal(max(b[1], 0.0), F)


def _bins_max(block: BinsDef) -> float:
    best = max(e.points for e in block.entries)
    return best if block.has_else else max(best, 0.0)


def _fresh(name: str, taken: set[str]) -> str:
    candidate, n = name + SUFFIX, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}{SUFFIX} {n}"
    taken.add(candidate)
    return candidate


def shortfalls(
    names: Sequence[str],
    rules: Mapping[str, RuleDef],
    bins: Mapping[str, BinsDef],
    definitions: Mapping[str, Definition],
    probabilities: set[str],
    taken: set[str],
) -> tuple[list[Definition], list[Problem]]:
    """One hidden let per contribution in `names` (file order): most points − contribution."""
    bounds = Bounds(definitions, probabilities)
    out: list[Definition] = []
    problems: list[Problem] = []
    for name in names:
        if name not in rules and name not in bins:
            continue  # it failed to lower: its error is reported already
        if name in rules:
            most = _rule_max(rules[name], bounds)
            span = rules[name].span
        else:
            most = ir.Literal(_bins_max(bins[name]), F)
            span = bins[name].span
        if isinstance(most, str):
            problems.append(Problem(name, most))
            continue
        expr = ir.Arith("-", most, ir.Ref(name, F))
        out.append(Definition(_fresh(name, taken), "let", expr, span))
    return out, problems
