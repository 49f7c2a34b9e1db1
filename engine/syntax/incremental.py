"""Parsing a card again after an edit, re-reading only the statements that changed.

An editor sends the whole card after each keystroke; parsing 2,000 rules takes most of a
second, so the language server keeps the statements it parsed, keyed by their text and first
line, and parses only the ones an edit touched. The card is cut where the parser itself
resynchronises: a line whose first word is a statement keyword, outside any `{ }` block.

The result is the parse of the whole text: a statement that parses alone parses the same way
in the card (statements are delimited by their keywords, and the keyword that starts a chunk
is read as a keyword after a complete statement). When any chunk has a syntax error, the
whole text is parsed again, so syntax diagnostics are exactly those of `parse_text`.
"""

from __future__ import annotations

import re

from engine.diagnostics import Span
from engine.syntax import ast
from engine.syntax.grammar import keyword_terminals
from engine.syntax.parser import STATEMENT_KEYWORDS, ParseResult, parse_text

_BRACES = re.compile(r'"(?:[^"\\\n]|\\.)*"|`(?:[^`\n]|``)+`|#[^\n]*|[{}]')


def _starters() -> frozenset[str]:
    words = keyword_terminals()
    return frozenset(words[t] for t in STATEMENT_KEYWORDS if t in words)


def statement_chunks(text: str) -> list[tuple[int, str]]:
    """The card cut before each statement keyword that starts a line outside a block, as
    (first line, text) pairs whose texts add up to `text`."""
    starters = _starters()
    chunks: list[tuple[int, str]] = []
    depth = 0
    start_line, start_pos, pos = 1, 0, 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        first = re.match(r"[ \t]*([^\W\d]\w*)", line)
        if depth == 0 and first and first.group(1) in starters and pos > start_pos:
            chunks.append((start_line, text[start_pos:pos]))
            start_line, start_pos = number, pos
        for m in _BRACES.finditer(line):
            if m.group() == "{":
                depth += 1
            elif m.group() == "}":
                depth = max(depth - 1, 0)
        pos += len(line)
    chunks.append((start_line, text[start_pos:]))
    return chunks


class IncrementalParser:
    """Keeps the last parse of each statement; `parse` re-reads only what changed."""

    def __init__(self) -> None:
        self._chunks: dict[tuple[int, str], ParseResult] = {}
        self.reparsed = 0
        """How many chunks the last `parse` read again (for tests and benchmarks)."""

    def parse(self, text: str) -> ParseResult:
        kept: dict[tuple[int, str], ParseResult] = {}
        self.reparsed = 0
        for key in statement_chunks(text):
            found = self._chunks.get(key)
            if found is None:
                # Blank lines before the chunk put its tokens on their lines in the card.
                found = parse_text("\n" * (key[0] - 1) + key[1])
                self.reparsed += 1
            kept[key] = found
        self._chunks = kept
        parts = list(kept.values())
        if any(p.card is None or any(d.is_error for d in p.diagnostics) for p in parts):
            return parse_text(text)
        statements = [s for p in parts if p.card is not None for s in p.card.statements]
        diagnostics = [d for p in parts for d in p.diagnostics]
        return ParseResult(_card(statements), diagnostics)


def _card(statements: list[ast.Statement]) -> ast.Card:
    spans = [s.span for s in statements if s.span is not None]
    span = spans[0].to(spans[-1]) if spans else Span.point(1, 1)
    return ast.Card.model_construct(statements=statements, comments=[], span=span)
