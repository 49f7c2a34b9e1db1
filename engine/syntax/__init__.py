"""Text -> parse tree -> typed AST."""

from __future__ import annotations

from engine.diagnostics import Diagnostic
from engine.syntax import ast
from engine.syntax.parser import ParseResult, parse_text


def parse_card(
    text: str, parsed: ParseResult | None = None
) -> tuple[ast.Card | None, list[Diagnostic]]:
    """The AST of a card's text and its syntax diagnostics; None when any is an error.
    `parsed` is the text's parse when the caller has it already."""
    result = parsed if parsed is not None else parse_text(text)
    if result.card is None or any(d.is_error for d in result.diagnostics):
        return None, result.diagnostics
    return result.card, result.diagnostics


__all__ = ["ast", "parse_card"]
