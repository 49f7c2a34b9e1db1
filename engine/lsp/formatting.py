"""Formatting: the layout `scorecard fmt` writes (the same printer), as one edit of the whole
text; a card with syntax errors is left as it is (fmt refuses it too)."""

from __future__ import annotations

from lsprotocol import types

from engine.lsp.document import Analysis
from engine.syntax.printer import format_card


def formatting(doc: Analysis) -> list[types.TextEdit]:
    if doc.result.card is None:
        return []
    formatted = format_card(doc.result.card, doc.text)
    if formatted == doc.text:
        return []
    return [types.TextEdit(range=doc.whole_range(), new_text=formatted)]
