"""Lark parse tree -> typed AST (`engine.syntax.ast`), one method per grammar rule.

Literal values are decoded here (string escapes, dates); a bad one becomes a diagnostic
with its position, and the node still gets built so that checking can go on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lark import Token, Transformer, Tree, v_args
from lark.tree import Meta

from engine.diagnostics import Diagnostic, Span, error
from engine.syntax import ast

PUNCTUATION = frozenset({"LPAR", "RPAR", "LBRACKET", "RBRACKET"})
ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


def token_span(tok: Token) -> Span:
    line = tok.line or 1
    column = tok.column or 1
    end_line = tok.end_line or line
    end_column = tok.end_column or column + 1
    return Span(line, column, end_line, end_column)


def meta_span(meta: Meta) -> Span | None:
    if getattr(meta, "empty", True):
        return None
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _items(children: list[Any]) -> list[Any]:
    """Children without placeholders and kept punctuation tokens."""
    return [
        c
        for c in children
        if c is not None and not (isinstance(c, Token) and c.type in PUNCTUATION)
    ]


@v_args(meta=True)
class AstBuilder(Transformer[Token, ast.Card]):
    """Builds the AST; `diagnostics` collects literal errors (bad dates, bad escapes)."""

    def __init__(self) -> None:
        super().__init__(visit_tokens=False)
        self.diagnostics: list[Diagnostic] = []

    def __default__(self, data: Any, children: Any, meta: Any) -> Any:
        raise NotImplementedError(f"no AST rule for grammar rule {data!r}")

    # ------------------------------------------------------------ names and literals

    def name(self, meta: Meta, children: list[Token]) -> ast.Ident:
        tok = children[0]
        text = str(tok)
        if tok.type == "QUOTED_NAME":
            text = text[1:-1].replace("``", "`")
        return ast.Ident(name=text, span=token_span(tok))

    def string(self, meta: Meta, children: list[Token]) -> ast.StringLit:
        tok = children[0]
        return ast.StringLit(value=self._unescape(tok), span=token_span(tok))

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

    def int_lit(self, meta: Meta, children: list[Token]) -> ast.IntLit:
        tok = children[0]
        return ast.IntLit(value=int(str(tok)), span=token_span(tok))

    def float_lit(self, meta: Meta, children: list[Token]) -> ast.FloatLit:
        tok = children[0]
        return ast.FloatLit(value=float(str(tok)), text=str(tok), span=token_span(tok))

    def bool_lit(self, meta: Meta, children: list[Token]) -> ast.BoolLit:
        tok = children[0]
        return ast.BoolLit(value=str(tok) == "true", span=token_span(tok))

    def date_lit(self, meta: Meta, children: list[Token]) -> ast.DateLit:
        tok = children[0]
        try:
            value = dt.date.fromisoformat(str(tok))
        except ValueError:
            self.diagnostics.append(error("E106", f"`{tok}` is not a valid date", token_span(tok)))
            value = dt.date(1970, 1, 1)
        return ast.DateLit(value=value, span=token_span(tok))

    def datetime_lit(self, meta: Meta, children: list[Token]) -> ast.DateTimeLit:
        tok = children[0]
        try:
            value = dt.datetime.fromisoformat(str(tok))
        except ValueError:
            self.diagnostics.append(
                error("E106", f"`{tok}` is not a valid datetime", token_span(tok))
            )
            value = dt.datetime(1970, 1, 1)
        return ast.DateTimeLit(value=value, span=token_span(tok))

    def signed(self, meta: Meta, children: list[Any]) -> ast.IntLit | ast.FloatLit:
        sign, number = children
        span = token_span(sign).to(number.span)
        if str(sign) == "+":
            return number.model_copy(update={"span": span})  # type: ignore[no-any-return]
        if isinstance(number, ast.IntLit):
            return ast.IntLit(value=-number.value, span=span)
        text = None if number.text is None else "-" + number.text
        return ast.FloatLit(value=-number.value, text=text, span=span)

    def literal_list(self, meta: Meta, children: list[Any]) -> list[Any]:
        return _items(children)

    def missing_value(self, meta: Meta, children: list[Token]) -> ast.MissingLit:
        return ast.MissingLit(span=token_span(children[0]))

    # ------------------------------------------------------------ expressions

    def ref(self, meta: Meta, children: list[Any]) -> ast.Name:
        item = children[0]
        if isinstance(item, Token):  # `score`
            return ast.Name(name=str(item), span=token_span(item))
        return ast.Name(name=item.name, span=item.span)

    def call(self, meta: Meta, children: list[Any]) -> ast.Call:
        func, *rest = children
        return ast.Call(
            func=func.name, func_span=func.span, args=_items(rest), span=meta_span(meta)
        )

    def atom(self, meta: Meta, children: list[Any]) -> Any:
        """A parenthesised expression: the parentheses leave no node."""
        return _items(children)[0]

    def if_expr(self, meta: Meta, children: list[Any]) -> ast.IfExpr:
        cond, then, _else_tok, else_ = children
        return ast.IfExpr(cond=cond, then=then, else_=else_, span=meta_span(meta))

    def _chain(self, op: str, children: list[Any]) -> Any:
        node = children[0]
        for right in children[1:]:
            node = ast.Binary(op=op, left=node, right=right, span=_join(node.span, right.span))
        return node

    def or_chain(self, meta: Meta, children: list[Any]) -> Any:
        return self._chain("or", children)

    def and_chain(self, meta: Meta, children: list[Any]) -> Any:
        return self._chain("and", children)

    def not_op(self, meta: Meta, children: list[Any]) -> ast.Unary:
        return ast.Unary(op="not", operand=children[1], span=meta_span(meta))

    def compare(self, meta: Meta, children: list[Any]) -> ast.Binary:
        left, op, right = children
        return ast.Binary(op=str(op), left=left, right=right, span=meta_span(meta))

    def compare_eq(self, meta: Meta, children: list[Any]) -> ast.Binary:
        left, right = children
        return ast.Binary(op="=", left=left, right=right, span=meta_span(meta))

    def arith(self, meta: Meta, children: list[Any]) -> ast.Binary:
        left, op, right = children
        return ast.Binary(op=str(op), left=left, right=right, span=meta_span(meta))

    def unary_op(self, meta: Meta, children: list[Any]) -> ast.Unary:
        op, operand = children
        return ast.Unary(op=str(op), operand=operand, span=meta_span(meta))

    def in_list(self, meta: Meta, children: list[Any]) -> ast.InList:
        operand, _in, values = children
        return ast.InList(operand=operand, values=values, span=meta_span(meta))

    def not_in_list(self, meta: Meta, children: list[Any]) -> ast.InList:
        operand, _not, _in, values = children
        return ast.InList(operand=operand, values=values, negated=True, span=meta_span(meta))

    def is_missing(self, meta: Meta, children: list[Any]) -> ast.IsMissing:
        return ast.IsMissing(operand=children[0], span=meta_span(meta))

    def is_not_missing(self, meta: Meta, children: list[Any]) -> ast.IsMissing:
        return ast.IsMissing(operand=children[0], negated=True, span=meta_span(meta))

    # ------------------------------------------------------------ statements

    def start(self, meta: Meta, children: list[Any]) -> ast.Card:
        return ast.Card(statements=children, span=meta_span(meta))

    def header(self, meta: Meta, children: list[Any]) -> ast.Header:
        name, *meta_items = children
        return ast.Header(name=name, meta=meta_items, span=meta_span(meta))

    def meta_key(self, meta: Meta, children: list[Token]) -> Token:
        return children[0]

    def meta_item(self, meta: Meta, children: list[Any]) -> ast.MetaItem:
        key, value = children
        return ast.MetaItem(key=str(key), value=value.value, span=meta_span(meta))

    def type_name(self, meta: Meta, children: list[Token]) -> Token:
        return children[0]

    def modifier(self, meta: Meta, children: list[Token]) -> Token:
        return children[0]

    def input_block(self, meta: Meta, children: list[Any]) -> ast.InputBlock:
        return ast.InputBlock(columns=children, span=meta_span(meta))

    def column(self, meta: Meta, children: list[Any]) -> ast.Column:
        name, type_tok, *mods = children
        return ast.Column(
            name=name,
            type=str(type_tok),
            type_span=token_span(type_tok),
            modifiers=[str(m) for m in mods],
            modifier_spans=[token_span(m) for m in mods],
            span=meta_span(meta),
        )

    def param_stmt(self, meta: Meta, children: list[Any]) -> ast.ParamStmt:
        name, type_tok, value = children
        return ast.ParamStmt(name=name, type=str(type_tok), value=value, span=meta_span(meta))

    def let_stmt(self, meta: Meta, children: list[Any]) -> ast.LetStmt:
        name, expr = children
        return ast.LetStmt(name=name, expr=expr, span=meta_span(meta))

    def exclude_stmt(self, meta: Meta, children: list[Any]) -> ast.ExcludeStmt:
        label, cond = children
        return ast.ExcludeStmt(label=label, cond=cond, span=meta_span(meta))

    def rule_stmt(self, meta: Meta, children: list[Any]) -> ast.RuleStmt:
        if len(children) == 4:
            name, label, cond, points = children
        else:
            (name, cond, points), label = children, None
        return ast.RuleStmt(name=name, label=label, cond=cond, points=points, span=meta_span(meta))

    def bins_stmt(self, meta: Meta, children: list[Any]) -> ast.BinsStmt:
        name, on, *rest = children
        label = rest.pop(0) if rest and isinstance(rest[0], ast.StringLit) else None
        return ast.BinsStmt(
            name=name,
            on=ast.Name(name=on.name, span=on.span),
            label=label,
            entries=rest,
            span=meta_span(meta),
        )

    def bin_entry(self, meta: Meta, children: list[Any]) -> ast.BinEntry:
        match, points = children
        return ast.BinEntry(match=match, points=points, span=meta_span(meta))

    def bin_missing(self, meta: Meta, children: list[Any]) -> ast.BinMissing:
        return ast.BinMissing(span=meta_span(meta))

    def bin_else(self, meta: Meta, children: list[Any]) -> ast.BinElse:
        return ast.BinElse(span=meta_span(meta))

    def bin_compare(self, meta: Meta, children: list[Any]) -> ast.BinCompare:
        op, value = children
        return ast.BinCompare(op=str(op), value=value, span=meta_span(meta))

    def bin_equal(self, meta: Meta, children: list[Any]) -> ast.BinCompare:
        return ast.BinCompare(op="=", value=children[0], span=meta_span(meta))

    def interval_open(self, meta: Meta, children: list[Token]) -> bool:
        return str(children[0]) == "["

    def interval_close(self, meta: Meta, children: list[Token]) -> bool:
        return str(children[0]) == "]"

    def bin_interval(self, meta: Meta, children: list[Any]) -> ast.BinInterval:
        closed_low, low, high, closed_high = children
        return ast.BinInterval(
            low=low,
            high=high,
            closed_low=closed_low,
            closed_high=closed_high,
            span=meta_span(meta),
        )

    def bin_in(self, meta: Meta, children: list[Any]) -> ast.BinIn:
        return ast.BinIn(values=children[1], span=meta_span(meta))

    def model_stmt(self, meta: Meta, children: list[Any]) -> ast.ModelStmt:
        name, _kind, path, *items = children
        fields: dict[str, Any] = {}
        duplicates: list[Span] = []
        for key, value, span in items:
            if key in fields:
                duplicates.append(span)
                continue
            if key == "output":
                fields["output"], fields["output_class"] = value
                fields["output_span"] = span
            else:
                fields[key] = value
        return ast.ModelStmt(
            name=name, path=path, duplicate_items=duplicates, span=meta_span(meta), **fields
        )

    def model_features(self, meta: Meta, children: list[Any]) -> tuple[str, Any, Span | None]:
        names = [ast.Name(name=i.name, span=i.span) for i in _items(children)]
        return ("features", names, meta_span(meta))

    def model_probability(self, meta: Meta, children: list[Any]) -> tuple[str, Any, Span | None]:
        label = children[1] if len(children) > 1 else None
        return ("output", ("probability", label), meta_span(meta))

    def model_prediction(self, meta: Meta, children: list[Any]) -> tuple[str, Any, Span | None]:
        return ("output", ("prediction", None), meta_span(meta))

    def model_sha256(self, meta: Meta, children: list[Any]) -> tuple[str, Any, Span | None]:
        return ("sha256", children[0], meta_span(meta))

    def score_stmt(self, meta: Meta, children: list[Any]) -> ast.ScoreStmt:
        return ast.ScoreStmt(expr=children[1], span=meta_span(meta))

    def segment_when(self, meta: Meta, children: list[Any]) -> ast.SegmentStmt:
        name, cond = children
        return ast.SegmentStmt(name=name, cond=cond, span=meta_span(meta))

    def segment_otherwise(self, meta: Meta, children: list[Any]) -> ast.SegmentStmt:
        return ast.SegmentStmt(name=children[0], cond=None, span=meta_span(meta))

    def classes_stmt(self, meta: Meta, children: list[Token]) -> ast.ClassesStmt:
        return ast.ClassesStmt(count=int(str(children[0])), span=meta_span(meta))

    def direction(self, meta: Meta, children: list[Token]) -> str:
        return str(children[0])

    def reasons_stmt(self, meta: Meta, children: list[Any]) -> ast.ReasonsStmt:
        count = int(str(children[0]))
        direction = children[1] if len(children) > 1 else None
        return ast.ReasonsStmt(count=count, direction=direction, span=meta_span(meta))

    def example_given(self, meta: Meta, children: list[Any]) -> tuple[str, list[Any]]:
        return ("given", children)

    def example_expect(self, meta: Meta, children: list[Any]) -> tuple[str, list[Any]]:
        return ("expect", children)

    def example_stmt(self, meta: Meta, children: list[Any]) -> ast.ExampleStmt:
        name, *parts = children
        fields = {key: items for key, items in parts}
        return ast.ExampleStmt(name=name, span=meta_span(meta), **fields)

    def assignment(self, meta: Meta, children: list[Any]) -> ast.Assignment:
        target, value = children
        if isinstance(target, Token):  # `score`
            target = ast.Ident(name=str(target), span=token_span(target))
        return ast.Assignment(target=target, value=value, span=meta_span(meta))


def _join(a: Span | None, b: Span | None) -> Span | None:
    if a is None or b is None:
        return a or b
    return a.to(b)


def build_card(tree: Tree[Token]) -> tuple[ast.Card, list[Diagnostic]]:
    """The AST of a parse tree, and the diagnostics of its literals."""
    builder = AstBuilder()
    card = builder.transform(tree)
    return card, builder.diagnostics
