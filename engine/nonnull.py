"""Which values of a checked program can never be null, and the null tests that this removes.

Why: a compiled tree model tests `x is missing` at every node whose missing values go left
(`engine.models.irutil.split`), a model that refuses missing values tests every feature
first, and the SQL reasons rounds and `min`/`max`/`clip` test their arguments. On the
benchmark's reference card every tree feature is a `required` input or a `coalesce` with a
constant, so these tests are always false (67 in its 100 trees). This module proves, once for
both backends, which values can never be null, and `simplify` folds the tests away in the
IR before a backend sees it (the model cache keeps the unlinked expression: the folding
happens after linking). The SQL backend also reads `never_null_names` for the reasons rounds
and `min`/`max`/`clip`.

The analysis holds only for rows that passed validation: the key and every `required`
column are non-null after their cast (`engine.backends.polars.validate`, E811-E813, and the
SQL statement's `validated` step, which raises on a null key or required value; a float
NaN is read as null and refused there too). A run that skips validation (a card's examples,
whose inputs not given are null) must not use it: `never_null_names(validated=False)`
knows only what holds without the data.

The rules are conservative, "may be null" when unsure:

- a literal that is not null; `is missing`; a validated required input or the key;
- a definition (let, rule, bins, model, points, score) whose expression is never null;
- `coalesce` with any argument never null;
- `if`: its two branches (a null condition takes the else branch);
- casts, `Float32`, `not`, comparisons, `in`, `and`/`or` of never-null operands;
- float `+ - *` and negation of never-null operands (a float overflow is infinity in Polars
  and an error in the SQL engines, never null); int ones only where the checker proved
  they cannot overflow (`cannot_overflow`: an overflowing int is null);
- `/` only by a non-zero constant (by zero it is null: NULLIF in SQL);
- a float sum of never-null terms (int sums are left out);
- a function per `_CALLS`: null-free where every argument is, except `abs` and `round` of
  ints (overflow gives null), `ln`, `log10`, `sqrt`, `exp`, `pow` and `logit` (null outside
  their domain or on overflow), which are never claimed.

Params (unbound in a dbt model, whose vars may be null) and batch models are "may be null".
`tests/test_nonnull.py` checks every claim against evaluation on data with nulls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Final

from engine import ir
from engine.program import Program
from engine.types import ScalarType

_Rule = Callable[[ir.Call, list[bool]], bool]


def _all(call: ir.Call, args: list[bool]) -> bool:
    return all(args)


def _float_only(call: ir.Call, args: list[bool]) -> bool:
    return call.type is ScalarType.FLOAT and all(args)


def _round(call: ir.Call, args: list[bool]) -> bool:
    """A float rounds to a float; an int with negative digits may leave int64 (null)."""
    if call.type is ScalarType.FLOAT:
        return args[0]
    digits = call.args[1] if len(call.args) > 1 else None
    whole = digits is None or (
        isinstance(digits, ir.Literal) and isinstance(digits.value, int) and digits.value >= 0
    )
    return whole and args[0]


def _never(call: ir.Call, args: list[bool]) -> bool:
    return False


_CALLS: Final[Mapping[str, _Rule]] = {
    "abs": _float_only,
    "min": _all,
    "max": _all,
    "clip": _all,
    "round": _round,
    "floor": _all,
    "ceil": _all,
    "ln": _never,
    "log10": _never,
    "sqrt": _never,
    "exp": _never,
    "pow": _never,
    "coalesce": lambda call, args: any(args),
    "days_between": _all,
    "year": _all,
    "month": _all,
    "day": _all,
    "lower": _all,
    "upper": _all,
    "length": _all,
    "contains": _all,
    "starts_with": _all,
    "ends_with": _all,
    "logit": _never,
    "sigmoid": _all,
}
"""Per function of `engine.functions.FUNCTIONS`: whether the call is never null, given which
of its arguments are (tests/test_nonnull.py checks every function has its entry)."""


def _nonzero_constant(e: ir.Expr) -> bool:
    """A literal other than 0 and null, maybe cast or negated (a divisor that is never 0)."""
    while isinstance(e, ir.Cast | ir.Negate):
        e = e.operand
    return isinstance(e, ir.Literal) and e.value is not None and e.value != 0


def _node(e: ir.Expr, kids: list[bool], known: frozenset[str] | set[str]) -> bool:
    """Whether `e` is never null, given whether each of its children is (`kids`)."""
    match e:
        case ir.Literal(value=v):
            return v is not None
        case ir.Ref(name=name):
            return name in known
        case ir.Param() | ir.ModelBatch():
            return False
        case ir.IsMissing():
            return True
        case ir.If():
            return kids[1] and kids[2]
        case ir.Negate(cannot_overflow=safe):
            return kids[0] and (e.type is ScalarType.FLOAT or safe)
        case ir.Arith(op="/", right=right):
            return kids[0] and kids[1] and _nonzero_constant(right)
        case ir.Arith(cannot_overflow=safe):
            return kids[0] and kids[1] and (e.type is ScalarType.FLOAT or safe)
        case ir.Sum():
            return e.type is ScalarType.FLOAT and all(kids)
        case ir.Call():
            rule = _CALLS.get(e.func, _never)
            return rule(e, kids)
        case ir.Cast() | ir.Float32() | ir.Not() | ir.Logic() | ir.Compare() | ir.InList():
            return all(kids)
    return False


def _post_order(root: ir.Expr) -> list[ir.Expr]:
    """Every distinct node of `root` (by identity), children before parents; iterative, since
    bins chains and trees nest deeply, and shared subtrees are visited once."""
    out: list[ir.Expr] = []
    seen: set[int] = set()
    stack: list[tuple[ir.Expr, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            out.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((k, False) for k in reversed(ir.children(node)) if id(k) not in seen)
    return out


def _facts(root: ir.Expr, known: frozenset[str] | set[str]) -> dict[int, bool]:
    """Node id -> never null, for every node of `root`."""
    facts: dict[int, bool] = {}
    for node in _post_order(root):
        facts[id(node)] = _node(node, [facts[id(k)] for k in ir.children(node)], known)
    return facts


def is_never_null(expr: ir.Expr, known: frozenset[str] | set[str]) -> bool:
    """Whether `expr` is never null when the names in `known` never are."""
    return _facts(expr, known)[id(expr)]


def never_null_names(program: Program, *, validated: bool) -> frozenset[str]:
    """The inputs and definitions of `program` that are never null on any row it scores.

    `validated`: the rows passed the data's checks (key and required columns non-null)."""
    known: set[str] = set()
    if validated:
        known |= {c.name for c in program.inputs if c.key or c.required}
    for d in program.definitions:
        if is_never_null(d.expr, known):
            known.add(d.name)
    return frozenset(known)


def _folded(e: ir.Expr, operand_never_null: bool) -> ir.Expr:
    """`e` (whose children are already folded) with a null test of a never-null value made
    constant, and the constant conditions that gives folded away. `operand_never_null`: the
    first child of `e` as it was before folding is never null."""
    match e:
        case ir.IsMissing(negated=negated) if operand_never_null:
            return ir.Literal(negated, ScalarType.BOOL)
        case ir.Not(operand=ir.Literal(value=bool() as v)):
            return ir.Literal(not v, ScalarType.BOOL)
        case ir.Logic(op=op, left=a, right=b):
            return _logic(op, a, b, e)
        case ir.If(cond=ir.Literal(value=v), then=then, else_=else_):
            return then if v is True else else_  # a null condition takes the else branch
    return e


def _logic(op: ir.LogicOp, a: ir.Expr, b: ir.Expr, e: ir.Expr) -> ir.Expr:
    """`false or x` is x, `true or x` is true; `true and x` is x, `false and x` is false
    (three-valued logic agrees: `true or null` is true, `false and null` is false)."""
    neutral, absorbing = (False, True) if op == "or" else (True, False)
    for side, other in ((a, b), (b, a)):
        if isinstance(side, ir.Literal) and side.value is neutral:
            return other
        if isinstance(side, ir.Literal) and side.value is absorbing:
            return side
    return e


def simplify_expr(expr: ir.Expr, known: frozenset[str] | set[str]) -> ir.Expr:
    """`expr` with its null tests of never-null values folded (see `_folded`); shared
    subtrees stay shared, and an expression with nothing to fold is returned as it is."""
    return _simplified(expr, known)[0]


def _simplified(expr: ir.Expr, known: frozenset[str] | set[str]) -> tuple[ir.Expr, bool]:
    """`simplify_expr`, and whether the result is never null: one pass over the nodes
    (a 100-tree model has about 3,000), each folded once its children are. A fact is
    taken on the folded children, which equal the originals on every validated row."""
    new: dict[int, ir.Expr] = {}
    facts: dict[int, bool] = {}
    for node in _post_order(expr):
        kids = ir.children(node)
        folded_kids = tuple(new[id(k)] for k in kids)
        rebuilt = (
            node
            if all(f is k for f, k in zip(folded_kids, kids, strict=True))
            else ir.with_children(node, folded_kids)
        )
        folded = _folded(rebuilt, bool(kids) and facts[id(folded_kids[0])])
        if id(folded) not in facts:
            facts[id(folded)] = _node(folded, [facts[id(k)] for k in ir.children(folded)], known)
        new[id(node)] = folded
    root = new[id(expr)]
    return root, facts[id(root)]


def simplify(program: Program, *, validated: bool) -> Program:
    """`program` with every definition's null tests of never-null values folded away.

    Conditions of rules, bins, excludes and segments are kept as the checker wrote them:
    only definitions (lets, contributions, models, points, score) are rewritten."""
    known: set[str] = set()
    if validated:
        known |= {c.name for c in program.inputs if c.key or c.required}
    definitions = []
    for d in program.definitions:
        expr, never_null = _simplified(d.expr, known)
        if never_null:
            known.add(d.name)
        definitions.append(d if expr is d.expr else replace(d, expr=expr))
    return replace(program, definitions=tuple(definitions))
