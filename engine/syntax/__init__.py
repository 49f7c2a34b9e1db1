"""Text -> parse tree -> typed AST."""

from __future__ import annotations

from engine.diagnostics import Diagnostic
from engine.syntax import ast
from engine.syntax.parser import parse_text


def parse_card(text: str) -> tuple[ast.Card | None, list[Diagnostic]]:
    """The AST of a card's text and its syntax diagnostics; None when any is an error."""
    result = parse_text(text)
    if result.card is None or any(d.is_error for d in result.diagnostics):
        return None, result.diagnostics
    return result.card, result.diagnostics


__all__ = ["ast", "parse_card"]
