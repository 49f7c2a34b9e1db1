"""Type-check an AST expression and lower it into `engine.ir`, making conversions explicit.

A sub-expression with an error lowers to None; its parents then stay silent, so one mistake
gives one diagnostic, not a cascade.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine import ir
from engine.check.int_ranges import IntRanges
from engine.check.suggest import did_you_mean
from engine.diagnostics import Diagnostic, Span, error
from engine.functions import FUNCTIONS, Function, Typing
from engine.syntax import ast
from engine.types import INT_MAX, INT_MIN, ScalarType, common_type

F = ScalarType.FLOAT
I = ScalarType.INT  # noqa: E741
S = ScalarType.STRING
B = ScalarType.BOOL

Resolver = Callable[[ast.Name], ir.Expr | None]


def literal_of(node: ast.Node) -> ir.Literal:
    """The IR literal for an AST literal node."""
    match node:
        case ast.IntLit(value=v):
            return ir.Literal(v, I)
        case ast.FloatLit(value=v):
            return ir.Literal(v, F)
        case ast.StringLit(value=v):
            return ir.Literal(v, S)
        case ast.BoolLit(value=v):
            return ir.Literal(v, B)
        case ast.DateLit(value=v):
            return ir.Literal(v, ScalarType.DATE)
        case ast.DateTimeLit(value=v):
            return ir.Literal(v, ScalarType.DATETIME)
    raise TypeError(f"not a literal: {node!r}")


def convert(expr: ir.Expr, to: ScalarType) -> ir.Expr:
    """`expr` brought to type `to` (int -> float, date -> datetime); literals fold."""
    if expr.type == to:
        return expr
    if isinstance(expr, ir.Literal) and to == F and isinstance(expr.value, int):
        return ir.Literal(float(expr.value), F)
    if isinstance(expr, ir.Negate) and isinstance(expr.operand, ir.Literal):
        return ir.Negate(convert(expr.operand, to))
    return ir.Cast(expr, to)


def type_words(t: ScalarType) -> str:
    return {"int": "a whole number (int)", "float": "a number (float)"}.get(t.value, f"a {t.value}")


class ExprLowerer:
    """Lowers expressions of one card; names are looked up through `resolve`."""

    def __init__(
        self,
        resolve: Resolver,
        report: Callable[[Diagnostic], None],
        ranges: IntRanges | None = None,
    ) -> None:
        self.resolve = resolve
        self.report = report
        self.ranges = ranges or IntRanges()

    def _error(self, code: str, message: str, span: Span | None) -> None:
        self.report(error(code, message, span))

    # ------------------------------------------------------------------ entry points

    def lower(self, node: ast.Node) -> ir.Expr | None:
        match node:
            case ast.IntLit() | ast.FloatLit() | ast.StringLit() | ast.BoolLit():
                return literal_of(node)
            case ast.DateLit() | ast.DateTimeLit():
                return literal_of(node)
            case ast.Name():
                return self.resolve(node)
            case ast.Unary():
                return self._unary(node)
            case ast.Binary():
                return self._binary(node)
            case ast.InList():
                return self._in_list(node)
            case ast.IsMissing():
                operand = self.lower(node.operand)
                return None if operand is None else ir.IsMissing(operand, node.negated)
            case ast.IfExpr():
                return self._if(node)
            case ast.Call():
                return self._call(node)
        raise TypeError(f"not an expression: {node!r}")

    def condition(self, node: ast.Node, what: str) -> ir.Expr | None:
        """A boolean expression (a rule's, exclude's or segment's condition)."""
        expr = self.lower(node)
        if expr is not None and expr.type != B:
            self._error(
                "E303",
                f"{what} must be true or false, but this is {type_words(expr.type)}",
                node.span,
            )
            return None
        return expr

    def numeric(self, node: ast.Node, what: str) -> ir.Expr | None:
        """A number (a rule's points, the score), as float."""
        expr = self.lower(node)
        if expr is not None and not expr.type.is_numeric:
            self._error(
                "E304", f"{what} must be a number, but this is {type_words(expr.type)}", node.span
            )
            return None
        return None if expr is None else convert(expr, F)

    # ------------------------------------------------------------------ operators

    def _unary(self, node: ast.Unary) -> ir.Expr | None:
        operand = self.lower(node.operand)
        if operand is None:
            return None
        if node.op == "not":
            if operand.type != B:
                self._error(
                    "E300",
                    f"`not` needs true or false, but this is {type_words(operand.type)}",
                    node.operand.span,
                )
                return None
            return ir.Not(operand)
        if not operand.type.is_numeric:
            self._error(
                "E300",
                f"`{node.op}` needs a number, but this is {type_words(operand.type)}",
                node.operand.span,
            )
            return None
        if node.op == "+":
            return operand
        if isinstance(operand, ir.Literal) and isinstance(operand.value, int | float):
            value = -operand.value
            if not isinstance(value, int) or INT_MIN <= value <= INT_MAX:
                return ir.Literal(value, operand.type)
        if operand.type is I:
            return ir.Negate(operand, self.ranges.negation_fits(operand))
        return ir.Negate(operand)

    def _binary(self, node: ast.Binary) -> ir.Expr | None:
        left = self.lower(node.left)
        right = self.lower(node.right)
        if left is None or right is None:
            return None
        op = node.op
        if op in ("and", "or"):
            for side, expr in ((node.left, left), (node.right, right)):
                if expr.type != B:
                    self._error(
                        "E300",
                        f"`{op}` needs true or false on both sides, "
                        f"but this is {type_words(expr.type)}",
                        side.span,
                    )
                    return None
            return ir.Logic(op, left, right)
        if op in ("+", "-", "*", "/"):
            for side, expr in ((node.left, left), (node.right, right)):
                if not expr.type.is_numeric:
                    self._error(
                        "E300",
                        f"`{op}` needs numbers on both sides, but this is {type_words(expr.type)}",
                        side.span,
                    )
                    return None
            target = F if op == "/" else common_type(left.type, right.type)
            assert target is not None
            left, right = convert(left, target), convert(right, target)
            if target is I:
                return ir.Arith(op, left, right, self.ranges.arith_fits(op, left, right))
            return ir.Arith(op, left, right)
        return self._compare(node, op, left, right)

    def _compare(self, node: ast.Binary, op: str, left: ir.Expr, right: ir.Expr) -> ir.Expr | None:
        target = common_type(left.type, right.type)
        if target is None:
            self._error(
                "E300",
                f"cannot compare {type_words(left.type)} with {type_words(right.type)}",
                node.span,
            )
            return None
        if op not in ("=", "!=") and not target.is_ordered:
            self._error(
                "E301",
                f"{type_words(target)} can only be compared with `=`, `!=` or `in`: "
                "ordering depends on the warehouse's collation",
                node.span,
            )
            return None
        return ir.Compare(op, convert(left, target), convert(right, target))  # type: ignore[arg-type]

    def literal_list(
        self, values: Sequence[ast.Node], span: Span | None
    ) -> tuple[ScalarType, list[ir.Literal]] | None:
        """The common type and literals of an `in [...]` list; mixed types are an error."""
        lits = [literal_of(v) for v in values]
        if not lits:
            self._error("E302", "an `in` list needs at least one value", span)
            return None
        kind = lits[0].type
        for lit, node in zip(lits, values, strict=True):
            joined = common_type(kind, lit.type)
            if joined is None or (joined.is_temporal != kind.is_temporal):
                self._error(
                    "E302",
                    f"the values of an `in` list must all be of one type: "
                    f"{type_words(kind)} and {type_words(lit.type)} are mixed",
                    node.span,
                )
                return None
            kind = joined
        return kind, lits

    def _in_list(self, node: ast.InList) -> ir.Expr | None:
        operand = self.lower(node.operand)
        listed = self.literal_list(node.values, node.span)
        if operand is None or listed is None:
            return None
        kind, lits = listed
        return self.membership(operand, kind, lits, node.negated, node.span)

    def membership(
        self,
        operand: ir.Expr,
        kind: ScalarType,
        lits: list[ir.Literal],
        negated: bool,
        span: Span | None,
    ) -> ir.Expr | None:
        target = common_type(operand.type, kind)
        if target is None:
            self._error(
                "E300",
                f"cannot look for {type_words(operand.type)} in a list of {kind.value} values",
                span,
            )
            return None
        values = tuple(convert(v, target) for v in lits)
        return ir.InList(convert(operand, target), values, negated)  # type: ignore[arg-type]

    def _if(self, node: ast.IfExpr) -> ir.Expr | None:
        cond = self.condition(node.cond, "the condition of `if`")
        then = self.lower(node.then)
        else_ = self.lower(node.else_)
        if cond is None or then is None or else_ is None:
            return None
        target = common_type(then.type, else_.type)
        if target is None:
            self._error(
                "E300",
                f"the two branches of `if` must have one type: {type_words(then.type)} "
                f"and {type_words(else_.type)}",
                node.span,
            )
            return None
        return ir.If(cond, convert(then, target), convert(else_, target), target)

    # ------------------------------------------------------------------ functions

    def _call(self, node: ast.Call) -> ir.Expr | None:
        name = node.func
        function = FUNCTIONS.get(name)
        if function is None:
            self._error(
                "E205",
                f"unknown function `{name}`{did_you_mean(name, FUNCTIONS)}",
                node.func_span,
            )
            return None
        count = len(node.args)
        if not function.accepts(count):
            self._error(
                "E206",
                f"`{name}` takes {function.arity_words()}, not {count}: {function.signature}",
                node.span,
            )
            return None
        if name == "round" and count == 2:
            return self._round(node)
        args = [self.lower(a) for a in node.args]
        if any(a is None for a in args):
            return None
        return self._typed_call(node, function, [a for a in args if a is not None])

    def _round(self, node: ast.Call) -> ir.Expr | None:
        x = self.lower(node.args[0])
        digits_node = node.args[1]
        digits: int | None = None
        if isinstance(digits_node, ast.IntLit):
            digits = digits_node.value
        elif (
            isinstance(digits_node, ast.Unary)
            and digits_node.op in ("-", "+")
            and isinstance(digits_node.operand, ast.IntLit)
        ):
            digits = digits_node.operand.value * (-1 if digits_node.op == "-" else 1)
        if digits is None or not -15 <= digits <= 15:
            self._error(
                "E306",
                "the digits of `round(x, digits)` must be a whole number from -15 to 15 "
                "written in the card",
                digits_node.span,
            )
            return None
        if x is None:
            return None
        if not x.type.is_numeric:
            self._arg_error(node, 0, "a number", x)
            return None
        return ir.Call("round", (x, ir.Literal(digits, I)), x.type)

    def _arg_error(self, node: ast.Call, index: int, wanted: str, got: ir.Expr) -> None:
        self._error(
            "E300",
            f"`{node.func}` needs {wanted} here, but this is {type_words(got.type)}",
            node.args[index].span,
        )

    def _typed_call(
        self, node: ast.Call, function: Function, args: list[ir.Expr]
    ) -> ir.Expr | None:
        """Types a call by its registry entry's `typing` rule (`engine.functions`)."""
        name, typing = function.name, function.typing
        rule = _ARGUMENTS[typing]
        for i, a in enumerate(args):
            if not rule[0](a.type):
                self._arg_error(node, i, rule[1], a)
                return None
        if typing is Typing.SAME_NUMBER:
            return ir.Call(name, tuple(args), args[0].type)
        if typing is Typing.JOINED_NUMBER:
            joined = I if all(a.type == I for a in args) else F
            return ir.Call(name, tuple(convert(a, joined) for a in args), joined)
        if typing is Typing.FLOAT:
            return ir.Call(name, tuple(convert(a, F) for a in args), F)
        if typing is Typing.COMMON:
            return self._common_call(node, args)
        if typing is Typing.DAYS:
            both = common_type(args[0].type, args[1].type)
            assert both is not None
            return ir.Call(name, tuple(convert(a, both) for a in args), I)
        result = {Typing.DATE_PART: I, Typing.TEXT: S, Typing.TEXT_LENGTH: I, Typing.TEXT_TEST: B}
        return ir.Call(name, tuple(args), result[typing])

    def _common_call(self, node: ast.Call, args: list[ir.Expr]) -> ir.Expr | None:
        target: ScalarType | None = args[0].type
        for a in args[1:]:
            target = None if target is None else common_type(target, a.type)
        if target is None:
            self._error(
                "E300",
                f"the arguments of `{node.func}` must have one type: "
                + ", ".join(type_words(a.type) for a in args),
                node.span,
            )
            return None
        return ir.Call(node.func, tuple(convert(a, target) for a in args), target)


_ARGUMENTS: dict[Typing, tuple[Callable[[ScalarType], bool], str]] = {
    Typing.SAME_NUMBER: (lambda t: t.is_numeric, "a number"),
    Typing.JOINED_NUMBER: (lambda t: t.is_numeric, "a number"),
    Typing.FLOAT: (lambda t: t.is_numeric, "a number"),
    Typing.COMMON: (lambda t: True, "a value"),
    Typing.DAYS: (lambda t: t.is_temporal, "a date or datetime"),
    Typing.DATE_PART: (lambda t: t.is_temporal, "a date or datetime"),
    Typing.TEXT: (lambda t: t == S, "a string"),
    Typing.TEXT_LENGTH: (lambda t: t == S, "a string"),
    Typing.TEXT_TEST: (lambda t: t == S, "a string"),
}
"""What each typing rule accepts as an argument, and its words for the E300 message."""
