"""Every name of a card and where it stands: declarations, references and function calls.

Inputs, params, lets, rules, bins and models share one namespace (docs/language.md#names),
so a name is its declaration's: definition, references, rename and hover all read this
index. It is built from the AST (with the statements that parsed when the card has syntax
errors), never from a second reading of the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.diagnostics import Span
from engine.syntax import ast

Kind = Literal["input", "param", "let", "rule", "bins", "model"]
Role = Literal["declaration", "reference", "function"]


@dataclass(frozen=True, slots=True)
class Declaration:
    kind: Kind
    name: str
    span: Span | None
    """The declared name's own span (what definition jumps to, what rename rewrites)."""
    node: Any
    """The statement (or the input's `Column`) that declares it."""


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A name written in the card: a declaration, a reference to one, or a function name."""

    name: str
    span: Span
    role: Role


@dataclass
class NameIndex:
    declarations: dict[str, Declaration] = field(default_factory=dict)
    occurrences: list[Occurrence] = field(default_factory=list)

    def at(self, line: int, column: int) -> Occurrence | None:
        """The name under a place (a cursor just after a name is still on it)."""
        for occ in self.occurrences:
            s = occ.span
            if (s.line, s.column) <= (line, column) <= (s.end_line, s.end_column):
                return occ
        return None

    def of(self, name: str) -> list[Occurrence]:
        """Every occurrence of a declared name: its declaration and its references."""
        return [o for o in self.occurrences if o.name == name and o.role != "function"]

    def names(self, *kinds: Kind) -> list[Declaration]:
        return [d for d in self.declarations.values() if not kinds or d.kind in kinds]


def index_card(card: ast.Card | None) -> NameIndex:
    index = NameIndex()
    if card is None:
        return index
    for stmt in card.statements:
        for kind, ident, node in _declared(stmt):
            if ident.span is not None:
                index.occurrences.append(Occurrence(ident.name, ident.span, "declaration"))
            index.declarations.setdefault(
                ident.name, Declaration(kind, ident.name, ident.span, node)
            )
        index.occurrences.extend(_references(stmt))
    return index


def _declared(stmt: Any) -> Iterator[tuple[Kind, ast.Ident, Any]]:
    match stmt:
        case ast.InputBlock(columns=columns):
            for col in columns:
                yield "input", col.name, col
        case ast.ParamStmt(name=ident):
            yield "param", ident, stmt
        case ast.LetStmt(name=ident):
            yield "let", ident, stmt
        case ast.RuleStmt(name=ident):
            yield "rule", ident, stmt
        case ast.BinsStmt(name=ident):
            yield "bins", ident, stmt
        case ast.ModelStmt(name=ident):
            yield "model", ident, stmt


def _references(stmt: Any) -> Iterator[Occurrence]:
    match stmt:
        case ast.LetStmt(expr=e) | ast.ScoreStmt(expr=e):
            yield from expression_names(e)
        case ast.ExcludeStmt(cond=e):
            yield from expression_names(e)
        case ast.SegmentStmt(cond=e) if e is not None:
            yield from expression_names(e)
        case ast.RuleStmt(cond=c, points=p):
            yield from expression_names(c)
            yield from expression_names(p)
        case ast.BinsStmt(on=on):
            yield from expression_names(on)
        case ast.ModelStmt(features=features):
            for f in features or []:
                yield from expression_names(f)
        case ast.ExampleStmt(given=given, expect=expect):
            for a in [*given, *expect]:
                if a.target.span is not None:
                    yield Occurrence(a.target.name, a.target.span, "reference")


def expression_names(node: Any) -> Iterator[Occurrence]:
    """The names and function calls of an expression, in reading order."""
    match node:
        case ast.Name(name=n, span=span) if span is not None:
            yield Occurrence(n, span, "reference")
        case ast.Unary(operand=o) | ast.InList(operand=o) | ast.IsMissing(operand=o):
            yield from expression_names(o)
        case ast.Binary(left=left, right=right):
            yield from expression_names(left)
            yield from expression_names(right)
        case ast.IfExpr(cond=c, then=t, else_=e):
            for part in (c, t, e):
                yield from expression_names(part)
        case ast.Call(func=f, func_span=span, args=args):
            if span is not None:
                yield Occurrence(f, span, "function")
            for a in args:
                yield from expression_names(a)
