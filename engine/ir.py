"""The expression tree both backends read: Polars (`engine.backends.polars`) and SQL.

The checker lowers the card's syntax into these nodes, fully typed and with every implicit
conversion made explicit, so a backend translates each node on its own:

- arithmetic operands have the same type (an `int` meeting a `float` is wrapped in `Cast`);
- `/` always has `float` operands and gives `float`;
- comparisons, `if` branches, `coalesce`, `min`, `max` and `clip` arguments share one type;
- `Param` nodes are replaced by `Literal`s (`engine.program.bind_params`) before a backend runs.

Semantics every backend must give (the spec's "Missing values"):

- null in, null out, except `coalesce`, `IsMissing`, and `and`/`or` (three-valued logic);
- `If` with a null condition takes the `else` branch (as SQL's CASE and Polars' when/then);
- `/` by zero, `ln`/`log10` of x <= 0, `sqrt` of x < 0, `logit` outside (0, 1) give null;
- `round(x, n)` rounds half away from zero; `Float32(x)` rounds a float to the nearest float32
  (used by compiled tree models, which compare float32 features with float64 thresholds);
- ints are signed 64-bit: an int `+`, `-`, `*`, unary minus, `abs` or `round` whose exact
  result lies outside [INT_MIN, INT_MAX] gives null (so does everything computed from it).
  `cannot_overflow=True` on an `Arith` or `Negate` records that the checker proved the exact
  result always lies inside (`engine.check.int_ranges`): a backend may then use the plain
  64-bit operation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal as Lit
from typing import TypeAlias, TypeVar

from engine.types import ScalarType

Value: TypeAlias = int | float | str | bool | dt.date | dt.datetime | None

ArithOp: TypeAlias = Lit["+", "-", "*", "/"]
CompareOp: TypeAlias = Lit["=", "!=", "<", "<=", ">", ">="]
LogicOp: TypeAlias = Lit["and", "or"]


@dataclass(frozen=True, slots=True)
class Literal:
    """A constant. `value` None is a typed null."""

    value: Value
    type: ScalarType


@dataclass(frozen=True, slots=True)
class Ref:
    """A named value: an input column, or a let, rule, bins, model, `points` or `score`.

    Names are unique in a card; a backend maps each to the column it computed earlier.
    """

    name: str
    type: ScalarType


@dataclass(frozen=True, slots=True)
class Param:
    """A card parameter; replaced by a Literal before a backend sees the tree."""

    name: str
    type: ScalarType


@dataclass(frozen=True, slots=True)
class Cast:
    """A conversion the checker made explicit: int -> float, or date -> datetime."""

    operand: Expr
    type: ScalarType


@dataclass(frozen=True, slots=True)
class Float32:
    """`operand` (float) rounded to the nearest float32 and read back as float64."""

    operand: Expr

    @property
    def type(self) -> ScalarType:
        return ScalarType.FLOAT


@dataclass(frozen=True, slots=True)
class Negate:
    """Unary minus on a number (null for -INT_MIN unless `cannot_overflow`)."""

    operand: Expr
    cannot_overflow: bool = False

    @property
    def type(self) -> ScalarType:
        return self.operand.type


@dataclass(frozen=True, slots=True)
class Not:
    """Boolean negation; null stays null."""

    operand: Expr

    @property
    def type(self) -> ScalarType:
        return ScalarType.BOOL


@dataclass(frozen=True, slots=True)
class Arith:
    """`+ - * /` on operands of one numeric type (`/`: float operands, float result).

    On ints, null where the exact result leaves int64, unless `cannot_overflow`.
    """

    op: ArithOp
    left: Expr
    right: Expr
    cannot_overflow: bool = False

    @property
    def type(self) -> ScalarType:
        return self.left.type


@dataclass(frozen=True, slots=True)
class Sum:
    """The sum of many terms of one numeric type, added left to right.

    Kept n-ary so that 2,000 rules do not nest 2,000 deep; every backend groups the terms
    the same way, with `add_in_groups`.
    """

    terms: tuple[Expr, ...]
    type: ScalarType


SUM_GROUP = 50
"""Terms added in one flat run; longer sums nest in groups (SQL parsers limit the depth)."""
FLOAT_SUM_IN_ORDER = 256
"""A float sum of up to this many terms is one flat run, added left to right as scikit-learn
adds a model's trees; longer ones are grouped like integer sums (exact in any order)."""

_Part = TypeVar("_Part")


def add_in_groups(
    parts: Sequence[_Part], type_: ScalarType, add: Callable[[list[_Part]], _Part]
) -> _Part:
    """`add` (one flat left-to-right run) applied to `parts` in the groups every backend uses,
    so that float sums give the same bits in Polars and in SQL. `parts` is not empty."""
    run = list(parts)
    if type_ is not ScalarType.FLOAT or len(run) > FLOAT_SUM_IN_ORDER:
        while len(run) > SUM_GROUP:
            run = [add(run[i : i + SUM_GROUP]) for i in range(0, len(run), SUM_GROUP)]
    return run[0] if len(run) == 1 else add(run)


@dataclass(frozen=True, slots=True)
class Logic:
    """`and` / `or` with SQL's three-valued logic."""

    op: LogicOp
    left: Expr
    right: Expr

    @property
    def type(self) -> ScalarType:
        return ScalarType.BOOL


@dataclass(frozen=True, slots=True)
class Compare:
    """A comparison of two operands of one type; strings only with `=` and `!=`."""

    op: CompareOp
    left: Expr
    right: Expr

    @property
    def type(self) -> ScalarType:
        return ScalarType.BOOL


@dataclass(frozen=True, slots=True)
class InList:
    """`operand in [v, ...]` (or `not in`); the values are non-null literals of its type.

    Null operand gives null (so a null never matches, and `not in` is null too).
    """

    operand: Expr
    values: tuple[Literal, ...]
    negated: bool = False

    @property
    def type(self) -> ScalarType:
        return ScalarType.BOOL


@dataclass(frozen=True, slots=True)
class IsMissing:
    """`is missing` / `is not missing`: never null."""

    operand: Expr
    negated: bool = False

    @property
    def type(self) -> ScalarType:
        return ScalarType.BOOL


@dataclass(frozen=True, slots=True)
class If:
    """`if cond then a else b`; a null condition takes `else_`."""

    cond: Expr
    then: Expr
    else_: Expr
    type: ScalarType


@dataclass(frozen=True, slots=True)
class Call:
    """A built-in function of `engine.functions.FUNCTIONS`, arguments already brought to their types.

    `round`'s second argument, when present, is an int Literal.
    """

    func: str
    args: tuple[Expr, ...]
    type: ScalarType


@dataclass(frozen=True, slots=True)
class ModelBatch:
    """A model run by calling the estimator on batches (no expression form): Polars only.

    `model` names the entry in `Program.models`; `features` are the model's inputs in order.
    """

    model: str
    features: tuple[Expr, ...]
    type: ScalarType = ScalarType.FLOAT


Expr: TypeAlias = (
    Literal
    | Ref
    | Param
    | Cast
    | Float32
    | Negate
    | Not
    | Arith
    | Sum
    | Logic
    | Compare
    | InList
    | IsMissing
    | If
    | Call
    | ModelBatch
)


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of a node, in evaluation order."""
    match expr:
        case Literal() | Ref() | Param():
            return ()
        case Cast(operand=o) | Float32(operand=o) | Negate(operand=o) | Not(operand=o):
            return (o,)
        case IsMissing(operand=o) | InList(operand=o):
            return (o,)
        case Arith(left=a, right=b) | Logic(left=a, right=b) | Compare(left=a, right=b):
            return (a, b)
        case Sum(terms=ts):
            return ts
        case If(cond=c, then=t, else_=e):
            return (c, t, e)
        case Call(args=args):
            return args
        case ModelBatch(features=fs):
            return fs
    raise TypeError(f"not an IR node: {expr!r}")


def with_children(expr: Expr, kids: tuple[Expr, ...]) -> Expr:
    """`expr` with its direct sub-expressions replaced, in the order `children` gives them."""
    match expr:
        case Literal() | Ref() | Param():
            return expr
        case Cast():
            return Cast(kids[0], expr.type)
        case Float32():
            return Float32(kids[0])
        case Negate():
            return Negate(kids[0], expr.cannot_overflow)
        case Not():
            return Not(kids[0])
        case IsMissing():
            return IsMissing(kids[0], expr.negated)
        case InList():
            return InList(kids[0], expr.values, expr.negated)
        case Arith():
            return Arith(expr.op, kids[0], kids[1], expr.cannot_overflow)
        case Logic():
            return Logic(expr.op, kids[0], kids[1])
        case Compare():
            return Compare(expr.op, kids[0], kids[1])
        case Sum():
            return Sum(kids, expr.type)
        case If():
            return If(kids[0], kids[1], kids[2], expr.type)
        case Call():
            return Call(expr.func, kids, expr.type)
        case ModelBatch():
            return ModelBatch(expr.model, kids, expr.type)
    raise TypeError(f"not an IR node: {expr!r}")


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of the tree, parents before children (iterative: trees can be deep)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def refs(expr: Expr) -> set[str]:
    """The names a tree reads."""
    return {n.name for n in walk(expr) if isinstance(n, Ref)}


def lit(value: Value, type_: ScalarType) -> Literal:
    return Literal(value, type_)


TRUE = Literal(True, ScalarType.BOOL)
FALSE = Literal(False, ScalarType.BOOL)
ZERO = Literal(0.0, ScalarType.FLOAT)
