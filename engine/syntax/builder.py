"""The typed AST (`engine.syntax.ast`), built while parsing: one method per grammar rule.

No parse tree is built first: Lark's inline transformer (`engine.syntax.parser`) calls the
method of a rule as the LALR parser reduces it, with the rule's children (tokens and the nodes
already built for its sub-rules).

Literal values are decoded here (string escapes, dates); a bad one becomes a diagnostic
with its position, and the node still gets built so that checking can go on.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from typing import Any, TypeVar, cast

from lark import Token

from engine.diagnostics import Diagnostic, Span, error
from engine.syntax import ast
from engine.types import INT_MAX, INT_MIN

NodeT = TypeVar("NodeT", bound=ast.Node)

PUNCTUATION = frozenset({"LPAR", "RPAR", "LBRACKET", "RBRACKET"})
ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


def token_span(tok: Token) -> Span:
    """A token's span; a token of no width (the end of the file) still covers one column."""
    line = tok.line or 1
    column = tok.column or 1
    end_line = tok.end_line or line
    end_column = tok.end_column or column + 1
    if end_line == line and end_column <= column:
        end_column = column + 1
    return Span(line, column, end_line, end_column)


class Listed(list[Any]):
    """A bracketed list's items, with the span of the brackets."""

    span: Span | None = None


def _start(value: Any) -> tuple[int, int] | None:
    if type(value) is Token:
        return (value.line, value.column)  # type: ignore[return-value]
    span = getattr(value, "span", None)
    if span is not None:
        return (span.line, span.column)
    if isinstance(value, list | tuple):
        for item in value:
            found = _start(item)
            if found is not None:
                return found
    return None


def _end(value: Any) -> tuple[int, int] | None:
    if type(value) is Token:
        return (value.end_line, value.end_column)  # type: ignore[return-value]
    span = getattr(value, "span", None)
    if span is not None:
        return (span.end_line, span.end_column)
    if isinstance(value, list | tuple):
        for item in reversed(value):
            found = _end(item)
            if found is not None:
                return found
    return None


def span_of(children: list[Any]) -> Span | None:
    """The span from the first to the last positioned child (tokens included).

    Called on every reduction of the parser, so it looks at as few children as it can.
    """
    start = end = None
    for child in children:
        if child is not None:
            start = _start(child)
            if start is not None:
                break
    if start is None:
        return None
    for child in reversed(children):
        if child is not None:
            end = _end(child)
            if end is not None:
                break
    if end is None:
        return None
    return Span(start[0], start[1], end[0], end[1])


def _items(children: list[Any]) -> list[Any]:
    """Children without placeholders and kept punctuation tokens."""
    return [
        c
        for c in children
        if c is not None and not (isinstance(c, Token) and c.type in PUNCTUATION)
    ]


def kept_children(children: list[Any]) -> list[Any]:
    """Children without the tokens the grammar marks as syntax only (`_` terminals)."""
    return [c for c in children if not (isinstance(c, Token) and c.type[0] == "_")]


class AstBuilder:
    """Builds the AST bottom-up; `diagnostics` collects literal errors (dates, escapes).

    The parser keeps every token, so a node's span runs from its first token (the
    statement's keyword) to its last (a closing brace); tokens whose terminal name starts
    with `_` are then dropped before the rule's method sees its children.
    """

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self._int_min_digits: dict[Span, Diagnostic] = {}
        """Literals 9223372036854775808, out of range unless a minus makes them INT_MIN."""

    # ------------------------------------------------------------ names and literals

    def name(self, span: Span | None, children: list[Token]) -> ast.Ident:
        tok = children[0]
        text = str(tok)
        if tok.type == "QUOTED_NAME":
            text = text[1:-1].replace("``", "`")
        return _new(ast.Ident, name=text, span=token_span(tok))

    def string(self, span: Span | None, children: list[Token]) -> ast.StringLit:
        tok = children[0]
        return _new(ast.StringLit, value=self._unescape(tok), span=token_span(tok))

    def _unescape(self, tok: Token) -> str:
        raw = str(tok)[1:-1]
        out: list[str] = []
        i = 0
        while i < len(raw):
            ch = raw[i]
            if ch == "\\" and i + 1 < len(raw):
                nxt = raw[i + 1]
                if nxt in ESCAPES:
                    out.append(ESCAPES[nxt])
                else:
                    span = token_span(tok)
                    col = span.column + 1 + i
                    self.diagnostics.append(
                        error(
                            "E105",
                            f'unknown escape `\\{nxt}` in a string: use `\\"`, `\\\\`, `\\n` or `\\t`',
                            Span(span.line, col, span.line, col + 2),
                        )
                    )
                    out.append(nxt)
                i += 2
                continue
            out.append(ch)
            i += 1
        return "".join(out)

    def int_lit(self, span: Span | None, children: list[Token]) -> ast.IntLit:
        tok = children[0]
        value, where = int(str(tok)), token_span(tok)
        if value > INT_MAX:
            diagnostic = error(
                "E110",
                f"the whole number {tok} is outside the range of `int` ({INT_MIN} to {INT_MAX})",
                where,
                f"write it as a float (`{tok}.0`) if an approximate value is enough",
            )
            self.diagnostics.append(diagnostic)
            if value == -INT_MIN:
                self._int_min_digits[where] = diagnostic
        return _new(ast.IntLit, value=value, span=where)

    def _negated(self, number: ast.Node) -> None:
        """A minus before `number`: the digits of INT_MIN are then in range after all."""
        if isinstance(number, ast.IntLit) and number.span is not None:
            diagnostic = self._int_min_digits.pop(number.span, None)
            if diagnostic is not None:
                self.diagnostics.remove(diagnostic)

    def float_lit(self, span: Span | None, children: list[Token]) -> ast.FloatLit:
        tok = children[0]
        value, where = float(str(tok)), token_span(tok)
        if math.isinf(value):
            self.diagnostics.append(
                error(
                    "E109",
                    f"the number {tok} is too large for a float "
                    f"(the largest is {sys.float_info.max!r})",
                    where,
                )
            )
        return _new(ast.FloatLit, value=value, text=str(tok), span=where)

    def bool_lit(self, span: Span | None, children: list[Token]) -> ast.BoolLit:
        tok = children[0]
        return _new(ast.BoolLit, value=str(tok) == "true", span=token_span(tok))

    def date_lit(self, span: Span | None, children: list[Token]) -> ast.DateLit:
        tok = children[0]
        try:
            value = dt.date.fromisoformat(str(tok))
        except ValueError:
            self.diagnostics.append(error("E106", f"`{tok}` is not a valid date", token_span(tok)))
            value = dt.date(1970, 1, 1)
        return _new(ast.DateLit, value=value, span=token_span(tok))

    def datetime_lit(self, span: Span | None, children: list[Token]) -> ast.DateTimeLit:
        tok = children[0]
        try:
            value = dt.datetime.fromisoformat(str(tok))
        except ValueError:
            self.diagnostics.append(
                error("E106", f"`{tok}` is not a valid datetime", token_span(tok))
            )
            value = dt.datetime(1970, 1, 1)
        return _new(ast.DateTimeLit, value=value, span=token_span(tok))

    def signed(self, span: Span | None, children: list[Any]) -> ast.IntLit | ast.FloatLit:
        sign, number = children
        span = token_span(sign).to(number.span)
        if str(sign) == "+":
            return number.model_copy(update={"span": span})  # type: ignore[no-any-return]
        self._negated(number)
        if isinstance(number, ast.IntLit):
            return _new(ast.IntLit, value=-number.value, span=span)
        text = None if number.text is None else "-" + number.text
        return _new(ast.FloatLit, value=-number.value, text=text, span=span)

    def literal_list(self, span: Span | None, children: list[Any]) -> Listed:
        items = Listed(_items(children))
        items.span = span
        return items

    def missing_value(self, span: Span | None, children: list[Token]) -> ast.MissingLit:
        return _new(ast.MissingLit, span=token_span(children[0]))

    # ------------------------------------------------------------ expressions

    def ref(self, span: Span | None, children: list[Any]) -> ast.Name:
        item = children[0]
        if isinstance(item, Token):  # `score`
            return _new(ast.Name, name=str(item), span=token_span(item))
        return _new(ast.Name, name=item.name, span=item.span)

    def call(self, span: Span | None, children: list[Any]) -> ast.Call:
        func, *rest = children
        return _new(ast.Call, func=func.name, func_span=func.span, args=_items(rest), span=span)

    def atom(self, span: Span | None, children: list[Any]) -> Any:
        """A parenthesised expression: the parentheses leave no node."""
        return _items(children)[0]

    def if_expr(self, span: Span | None, children: list[Any]) -> ast.IfExpr:
        cond, then, _else_tok, else_ = children
        return _new(ast.IfExpr, cond=cond, then=then, else_=else_, span=span)

    def _chain(self, op: str, children: list[Any]) -> Any:
        node = children[0]
        for right in children[1:]:
            node = _new(
                ast.Binary, op=op, left=node, right=right, span=_join(node.span, right.span)
            )
        return node

    def or_chain(self, span: Span | None, children: list[Any]) -> Any:
        return self._chain("or", children)

    def and_chain(self, span: Span | None, children: list[Any]) -> Any:
        return self._chain("and", children)

    def not_op(self, span: Span | None, children: list[Any]) -> ast.Unary:
        return _new(ast.Unary, op="not", operand=children[1], span=span)

    def compare(self, span: Span | None, children: list[Any]) -> ast.Binary:
        left, op, right = children
        return _new(ast.Binary, op=str(op), left=left, right=right, span=span)

    def compare_eq(self, span: Span | None, children: list[Any]) -> ast.Binary:
        left, right = children
        return _new(ast.Binary, op="=", left=left, right=right, span=span)

    def arith(self, span: Span | None, children: list[Any]) -> ast.Binary:
        left, op, right = children
        return _new(ast.Binary, op=str(op), left=left, right=right, span=span)

    def unary_op(self, span: Span | None, children: list[Any]) -> ast.Unary:
        op, operand = children
        if str(op) == "-":
            self._negated(operand)
        return _new(ast.Unary, op=str(op), operand=operand, span=span)

    def in_list(self, span: Span | None, children: list[Any]) -> ast.InList:
        operand, _in, values = children
        return _new(ast.InList, operand=operand, values=values, span=span)

    def not_in_list(self, span: Span | None, children: list[Any]) -> ast.InList:
        operand, _not, _in, values = children
        return _new(ast.InList, operand=operand, values=values, negated=True, span=span)

    def is_missing(self, span: Span | None, children: list[Any]) -> ast.IsMissing:
        return _new(ast.IsMissing, operand=children[0], span=span)

    def is_not_missing(self, span: Span | None, children: list[Any]) -> ast.IsMissing:
        return _new(ast.IsMissing, operand=children[0], negated=True, span=span)

    # ------------------------------------------------------------ statements

    def start(self, span: Span | None, children: list[Any]) -> ast.Card:
        return _new(ast.Card, statements=children, span=span)

    def header(self, span: Span | None, children: list[Any]) -> ast.Header:
        name, *meta_items = children
        return _new(ast.Header, name=name, meta=meta_items, span=span)

    def meta_key(self, span: Span | None, children: list[Token]) -> Token:
        return children[0]

    def meta_item(self, span: Span | None, children: list[Any]) -> ast.MetaItem:
        key, value = children
        return _new(ast.MetaItem, key=str(key), value=value.value, span=span)

    def type_name(self, span: Span | None, children: list[Token]) -> Token:
        return children[0]

    def modifier(self, span: Span | None, children: list[Token]) -> Token:
        return children[0]

    def input_block(self, span: Span | None, children: list[Any]) -> ast.InputBlock:
        return _new(ast.InputBlock, columns=children, span=span)

    def column(self, span: Span | None, children: list[Any]) -> ast.Column:
        name, type_tok, *mods = children
        return _new(
            ast.Column,
            name=name,
            type=str(type_tok),
            type_span=token_span(type_tok),
            modifiers=[str(m) for m in mods],
            modifier_spans=[token_span(m) for m in mods],
            span=span,
        )

    def param_stmt(self, span: Span | None, children: list[Any]) -> ast.ParamStmt:
        name, type_tok, value = children
        return _new(ast.ParamStmt, name=name, type=str(type_tok), value=value, span=span)

    def let_stmt(self, span: Span | None, children: list[Any]) -> ast.LetStmt:
        name, expr = children
        return _new(ast.LetStmt, name=name, expr=expr, span=span)

    def exclude_stmt(self, span: Span | None, children: list[Any]) -> ast.ExcludeStmt:
        label, cond = children
        return _new(ast.ExcludeStmt, label=label, cond=cond, span=span)

    def rule_stmt(self, span: Span | None, children: list[Any]) -> ast.RuleStmt:
        if len(children) == 4:
            name, label, cond, points = children
        else:
            (name, cond, points), label = children, None
        return _new(ast.RuleStmt, name=name, label=label, cond=cond, points=points, span=span)

    def bins_stmt(self, span: Span | None, children: list[Any]) -> ast.BinsStmt:
        name, on, *rest = children
        label = rest.pop(0) if rest and isinstance(rest[0], ast.StringLit) else None
        return _new(
            ast.BinsStmt,
            name=name,
            on=_new(ast.Name, name=on.name, span=on.span),
            label=label,
            entries=rest,
            span=span,
        )

    def bin_entry(self, span: Span | None, children: list[Any]) -> ast.BinEntry:
        match, points = children
        return _new(ast.BinEntry, match=match, points=points, span=span)

    def bin_missing(self, span: Span | None, children: list[Any]) -> ast.BinMissing:
        return _new(ast.BinMissing, span=span)

    def bin_else(self, span: Span | None, children: list[Any]) -> ast.BinElse:
        return _new(ast.BinElse, span=span)

    def bin_compare(self, span: Span | None, children: list[Any]) -> ast.BinCompare:
        op, value = children
        return _new(ast.BinCompare, op=str(op), value=value, span=span)

    def bin_equal(self, span: Span | None, children: list[Any]) -> ast.BinCompare:
        return _new(ast.BinCompare, op="=", value=children[0], span=span)

    def interval_open(self, span: Span | None, children: list[Token]) -> Token:
        return children[0]

    def interval_close(self, span: Span | None, children: list[Token]) -> Token:
        return children[0]

    def infinity(self, span: Span | None, children: list[Token]) -> float:
        sign = str(children[0]) if len(children) > 1 else "+"
        return float("-inf") if sign == "-" else float("inf")

    def bin_interval(
        self, span: Span | None, children: list[Any]
    ) -> ast.BinInterval | ast.BinCompare:
        """`[a, b)` as written; `(-inf, b)` is `< b` and `[a, +inf)` is `>= a` (optbinning's
        and SAS's way of writing the first and last bins), which is how `fmt` prints them."""
        opening, low, high, closing = children
        low_inf, high_inf = isinstance(low, float), isinstance(high, float)
        if low_inf or high_inf:
            if (low_inf and low > 0) or (high_inf and high < 0) or (low_inf and high_inf):
                self.diagnostics.append(
                    error(
                        "E108",
                        "an interval may start at `-inf` or end at `+inf`, not both (use `else`), "
                        "and `+inf` cannot start it nor `-inf` end it",
                        span,
                    )
                )
                return _new(ast.BinCompare, op=">=", value=_zero(), span=span)
            if low_inf:
                op = "<=" if str(closing) == "]" else "<"
                return _new(ast.BinCompare, op=op, value=high, span=span)
            op = ">=" if str(opening) == "[" else ">"
            return _new(ast.BinCompare, op=op, value=low, span=span)
        return _new(
            ast.BinInterval,
            low=low,
            high=high,
            closed_low=str(opening) == "[",
            closed_high=str(closing) == "]",
            span=span,
        )

    def bin_in(self, span: Span | None, children: list[Any]) -> ast.BinIn:
        return _new(ast.BinIn, values=children[1], span=span)

    def model_stmt(self, span: Span | None, children: list[Any]) -> ast.ModelStmt:
        name, _kind, path, *items = children
        fields: dict[str, Any] = {}
        duplicates: list[Span] = []
        for key, value, item_span in items:
            if key in fields:
                duplicates.append(item_span)
                continue
            if key == "output":
                fields["output"], fields["output_class"] = value
                fields["output_span"] = item_span
            else:
                fields[key] = value
        return _new(
            ast.ModelStmt, name=name, path=path, duplicate_items=duplicates, span=span, **fields
        )

    def model_features(
        self, span: Span | None, children: list[Any]
    ) -> tuple[str, Any, Span | None]:
        names = [_new(ast.Name, name=i.name, span=i.span) for i in _items(children)]
        return ("features", names, span)

    def model_probability(
        self, span: Span | None, children: list[Any]
    ) -> tuple[str, Any, Span | None]:
        label = children[1] if len(children) > 1 else None
        return ("output", ("probability", label), span)

    def model_prediction(
        self, span: Span | None, children: list[Any]
    ) -> tuple[str, Any, Span | None]:
        return ("output", ("prediction", None), span)

    def model_sha256(self, span: Span | None, children: list[Any]) -> tuple[str, Any, Span | None]:
        return ("sha256", children[0], span)

    def score_stmt(self, span: Span | None, children: list[Any]) -> ast.ScoreStmt:
        return _new(ast.ScoreStmt, expr=children[1], span=span)

    def segment_when(self, span: Span | None, children: list[Any]) -> ast.SegmentStmt:
        name, cond = children
        return _new(ast.SegmentStmt, name=name, cond=cond, span=span)

    def segment_otherwise(self, span: Span | None, children: list[Any]) -> ast.SegmentStmt:
        return _new(ast.SegmentStmt, name=children[0], cond=None, span=span)

    def classes_stmt(self, span: Span | None, children: list[Token]) -> ast.ClassesStmt:
        return _new(ast.ClassesStmt, count=int(str(children[0])), span=span)

    def direction(self, span: Span | None, children: list[Token]) -> str:
        word = str(children[0])
        return "below max" if word == "below" else word

    def reasons_stmt(self, span: Span | None, children: list[Any]) -> ast.ReasonsStmt:
        count = int(str(children[0]))
        direction = children[1] if len(children) > 1 else None
        return _new(ast.ReasonsStmt, count=count, direction=direction, span=span)

    def outcome_event(self, span: Span | None, children: list[Any]) -> Any:
        return children[0]

    def outcome_direction(self, span: Span | None, children: list[Token]) -> str:
        return str(children[-1])

    def outcome_stmt(self, span: Span | None, children: list[Any]) -> ast.OutcomeStmt:
        column, rest = children[0], [c for c in children[1:] if c is not None]
        direction = next((c for c in rest if isinstance(c, str)), None)
        event = next((c for c in rest if not isinstance(c, str)), None)
        return _new(ast.OutcomeStmt, column=column, event=event, direction=direction, span=span)

    def example_given(self, span: Span | None, children: list[Any]) -> tuple[str, list[Any]]:
        return ("given", children)

    def example_expect(self, span: Span | None, children: list[Any]) -> tuple[str, list[Any]]:
        return ("expect", children)

    def example_stmt(self, span: Span | None, children: list[Any]) -> ast.ExampleStmt:
        name, *parts = children
        fields = {key: items for key, items in parts}
        return _new(ast.ExampleStmt, name=name, span=span, **fields)

    def assignment(self, span: Span | None, children: list[Any]) -> ast.Assignment:
        target, value = children
        if isinstance(target, Token):  # `score`
            target = _new(ast.Ident, name=str(target), span=token_span(target))
        return _new(ast.Assignment, target=target, value=value, span=span)


def _new(cls: type[NodeT], **fields: Any) -> NodeT:
    """A node built without validation: the grammar already guarantees the shapes.

    Validating every node costs more than parsing a large card; the tree is the same.
    """
    return cast(NodeT, cls.model_construct(**fields))


def _join(a: Span | None, b: Span | None) -> Span | None:
    if a is None or b is None:
        return a or b
    return a.to(b)


def _zero() -> ast.IntLit:
    """A stand-in bound after a reported error (the card does not check on)."""
    return _new(ast.IntLit, value=0, span=None)
