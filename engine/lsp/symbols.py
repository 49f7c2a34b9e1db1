"""The outline of a card (document symbols): the header, the inputs, params, lets,
excludes, rules, bins with their entries, models, the score, segments, classes, reasons,
outcome and examples, in file order."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from engine.diagnostics import Span
from engine.lsp.document import Analysis
from engine.syntax import ast
from engine.syntax.printer import bin_match_text, expr_text, literal_text

K = types.SymbolKind


def document_symbols(doc: Analysis) -> list[types.DocumentSymbol]:
    card = doc.card
    if card is None:
        return []
    return [s for stmt in card.statements if (s := _symbol(doc, stmt)) is not None]


def _symbol(doc: Analysis, stmt: Any) -> types.DocumentSymbol | None:
    match stmt:
        case ast.Header():
            return _sym(doc, stmt.name.name, K.Module, stmt.span, stmt.name.span, "scorecard")
        case ast.InputBlock():
            children = [
                _sym(
                    doc, c.name.name, K.Field, c.span, c.name.span, " ".join([c.type, *c.modifiers])
                )
                for c in stmt.columns
            ]
            return _sym(
                doc, "input", K.Struct, stmt.span, None, f"{len(children)} columns", children
            )
        case ast.ParamStmt():
            return _sym(
                doc,
                stmt.name.name,
                K.Constant,
                stmt.span,
                stmt.name.span,
                f"param {stmt.type} = {literal_text(stmt.value)}",
            )
        case ast.LetStmt():
            return _sym(doc, stmt.name.name, K.Variable, stmt.span, stmt.name.span, "let")
        case ast.ExcludeStmt():
            return _sym(doc, stmt.label.value, K.Event, stmt.span, stmt.label.span, "exclude")
        case ast.RuleStmt():
            detail = f"rule → {expr_text(stmt.points)}"
            return _sym(doc, stmt.name.name, K.Function, stmt.span, stmt.name.span, detail)
        case ast.BinsStmt():
            children = [
                _sym(
                    doc,
                    bin_match_text(e.match),
                    K.EnumMember,
                    e.span,
                    None,
                    f"→ {literal_text(e.points)}",
                )
                for e in stmt.entries
            ]
            return _sym(
                doc,
                stmt.name.name,
                K.Enum,
                stmt.span,
                stmt.name.span,
                f"bins on {stmt.on.name}",
                children,
            )
        case ast.ModelStmt():
            return _sym(
                doc, stmt.name.name, K.Class, stmt.span, stmt.name.span, f"model {stmt.path.value}"
            )
        case ast.ScoreStmt():
            return _sym(doc, "score", K.Property, stmt.span, None, expr_text(stmt.expr))
        case ast.SegmentStmt():
            return _sym(doc, stmt.name.value, K.EnumMember, stmt.span, stmt.name.span, "segment")
        case ast.ExampleStmt():
            return _sym(doc, stmt.name.value, K.Method, stmt.span, stmt.name.span, "example")
        case ast.ClassesStmt() | ast.ReasonsStmt() | ast.OutcomeStmt():
            return _sym(doc, stmt.kind, K.Property, stmt.span, None, "")
    return None


def _sym(
    doc: Analysis,
    name: str,
    kind: types.SymbolKind,
    span: Span | None,
    name_span: Span | None,
    detail: str,
    children: list[types.DocumentSymbol] | None = None,
) -> types.DocumentSymbol:
    whole = doc.range(span)
    return types.DocumentSymbol(
        name=name or "(empty)",
        kind=kind,
        range=whole,
        selection_range=doc.range(name_span) if name_span is not None else whole,
        detail=detail,
        children=children,
    )
