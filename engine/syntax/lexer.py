"""The card lexer: one regular expression for every token, keywords chosen by parser state.

Lark's own contextual lexer tries each terminal in turn; a card of 2,000 rules has some
35,000 tokens, and one combined pattern reads them several times faster. A word is a
keyword only where the parser accepts that keyword, so `date`, `key` or `version` stay
usable as column names (soft keywords), and `letter` is never read as `let` + `ter`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lark import Token
from lark.common import LexerConf
from lark.exceptions import UnexpectedCharacters
from lark.lexer import Lexer, LexerState, PatternStr

# Strings and quoted names are written as "unrolled loops" (a run of plain characters, then
# any number of escape + run): a repeated alternation would keep one backtracking entry per
# character, hundreds of bytes each, so a 50 MB label took gigabytes to read.
_TOKEN = re.compile(
    r"""
    (?P<skip>(?:[ \t\r\n\f\ufeff]+|\#[^\n]*)+)
  | (?P<DATETIME>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)
  | (?P<DATE>\d{4}-\d{2}-\d{2})
  | (?P<FLOAT>(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)
  | (?P<INT>\d+)
  | (?P<STRING>"[^"\\\n]*(?:\\.[^"\\\n]*)*")
  | (?P<QUOTED_NAME>`(?:[^`\n]|``)[^`\n]*(?:``[^`\n]*)*`)
  | (?P<word>[^\W\d]\w*)
  | (?P<punct>->|!=|<=|>=|[<>=+\-*/\[\](){}:,])
    """,
    re.VERBOSE,
)

_PUNCTUATION = {
    "->": "_ARROW",
    "!=": "COMPARE_OP",
    "<=": "COMPARE_OP",
    ">=": "COMPARE_OP",
    "<": "COMPARE_OP",
    ">": "COMPARE_OP",
    "=": "_EQ",
    "+": "ADD_OP",
    "-": "ADD_OP",
    "*": "MUL_OP",
    "/": "MUL_OP",
    "[": "LBRACKET",
    "]": "RBRACKET",
    "(": "LPAR",
    ")": "RPAR",
    "{": "_LBRACE",
    "}": "_RBRACE",
    ":": "_COLON",
    ",": "_COMMA",
}


class CardLexer(Lexer):
    """A Lark lexer for the card grammar (`lexer=CardLexer`)."""

    __future_interface__ = 2  # lex(lexer_state, parser_state), as Lark's own lexers

    def __init__(self, lexer_conf: LexerConf) -> None:
        # Keyword text -> terminal names that spell it (`else` is one terminal; kept general).
        self.keywords: dict[str, list[str]] = {}
        for term in lexer_conf.terminals:
            pattern = term.pattern
            if isinstance(pattern, PatternStr) and re.fullmatch(r"[^\W\d]\w*", pattern.value):
                self.keywords.setdefault(pattern.value, []).append(term.name)
        self.terminals_by_name = {t.name: t for t in lexer_conf.terminals}

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        source: Any = lexer_state.text
        text: str = getattr(source, "text", source)
        end = len(text)
        line_ctr = lexer_state.line_ctr
        states = parser_state.parse_conf.parse_table.states if parser_state is not None else None
        match = _TOKEN.match
        keywords = self.keywords
        while line_ctr.char_pos < end:
            pos = line_ctr.char_pos
            m = match(text, pos)
            if m is None:
                allowed = set(states[parser_state.position]) if states is not None else set()
                raise UnexpectedCharacters(  # type: ignore[no-untyped-call]
                    text,
                    pos,
                    line_ctr.line,
                    line_ctr.column,
                    allowed=allowed,
                    state=parser_state,
                    token_history=[lexer_state.last_token] if lexer_state.last_token else None,
                    terminals_by_name=self.terminals_by_name,
                )
            kind = m.lastgroup
            value = m.group()
            if kind == "skip":
                line_ctr.feed(value)
                continue
            if kind == "word":
                kind = "NAME"
                candidates = keywords.get(value)
                if candidates and states is not None:
                    accepted = states[parser_state.position]
                    for name in candidates:
                        if name in accepted:
                            kind = name
                            break
            elif kind == "punct":
                kind = _PUNCTUATION[value]
            assert kind is not None
            token = Token(kind, value, pos, line_ctr.line, line_ctr.column)
            line_ctr.feed(value, kind in ("STRING", "QUOTED_NAME"))
            token.end_line = line_ctr.line
            token.end_column = line_ctr.column
            token.end_pos = line_ctr.char_pos
            lexer_state.last_token = token
            yield token
