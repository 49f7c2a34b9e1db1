"""One open card as the server sees it: its text, the checker's result, and the index of its
names, with the conversions between the card's spans and the editor's positions.

Spans count lines and columns from 1 in characters (code points); an editor counts from 0 in
the units the session agreed on (UTF-16 by default). `PositionCodec` (pygls) converts.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.uris import to_fs_path
from pygls.workspace import PositionCodec

from engine.check.result import CheckResult
from engine.check.source import check_source
from engine.diagnostics import Span
from engine.lsp.index import NameIndex, index_card
from engine.syntax import ast
from engine.syntax.incremental import IncrementalParser
from engine.syntax.parser import parse_text


@dataclass(frozen=True, slots=True)
class Place:
    """A place in the card: line and column from 1, in characters (as spans count)."""

    line: int
    column: int


class Analysis:
    """A card's text checked once; the index of its names is built on first use."""

    def __init__(
        self,
        uri: str,
        text: str,
        codec: PositionCodec | None = None,
        parser: IncrementalParser | None = None,
    ) -> None:
        self.uri = uri
        self.text = text
        self.codec = codec or PositionCodec()
        self.lines = text.splitlines(keepends=True) or [""]
        self.path = card_path(uri)
        # The same parse and checks as `scorecard check`; with the document's incremental
        # parser only the statements an edit changed are read again.
        parsed = parser.parse(text) if parser is not None else None
        self.result: CheckResult = check_source(text, self.path, parsed)

    @functools.cached_property
    def card(self) -> ast.Card | None:
        """The card's AST; on syntax errors, the statements that parsed (the parser recovers),
        so names and the outline stay available while the user types."""
        if self.result.card is not None:
            return self.result.card
        return parse_text(self.text).card

    @functools.cached_property
    def index(self) -> NameIndex:
        return index_card(self.card)

    def range(self, span: Span | None) -> types.Range:
        """The editor's range of a span (the card's first character for a span-less one)."""
        if span is None:
            return types.Range(types.Position(0, 0), types.Position(0, 0))
        server = types.Range(
            types.Position(span.line - 1, span.column - 1),
            types.Position(span.end_line - 1, span.end_column - 1),
        )
        return self.codec.range_to_client_units(self.lines, server)

    def place(self, position: types.Position) -> Place:
        """The card's place of an editor position."""
        server = self.codec.position_from_client_units(self.lines, position)
        return Place(server.line + 1, server.character + 1)

    def offset(self, place: Place) -> int:
        """The index in `text` of a place."""
        before = sum(len(line) for line in self.lines[: place.line - 1])
        return min(before + place.column - 1, len(self.text))

    def whole_range(self) -> types.Range:
        """From the first character to past the last: the range a whole-text edit replaces."""
        last = self.lines[-1]
        if last.endswith(("\n", "\r")):
            end = types.Position(len(self.lines), 0)
        else:
            end = self.codec.position_to_client_units(
                self.lines, types.Position(len(self.lines) - 1, len(last))
            )
        return types.Range(types.Position(0, 0), end)


def card_path(uri: str) -> Path | None:
    """The file of a `file:` URI (model paths are relative to it); None for an unsaved card."""
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return Path(path) if path else None
