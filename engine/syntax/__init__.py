"""Text -> parse tree -> typed AST."""

from __future__ import annotations

from engine.diagnostics import Diagnostic
from engine.syntax import ast
from engine.syntax.builder import build_card
from engine.syntax.parser import parse_text


def parse_card(text: str) -> tuple[ast.Card | None, list[Diagnostic]]:
    """The AST of a card's text and its syntax diagnostics; None when any is an error."""
    result = parse_text(text)
    diagnostics = list(result.diagnostics)
    if result.tree is None:
        return None, diagnostics
    card, literal_diags = build_card(result.tree)
    diagnostics.extend(literal_diags)
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    return card, diagnostics


__all__ = ["ast", "parse_card"]
