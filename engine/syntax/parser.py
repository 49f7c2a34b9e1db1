"""Text -> AST, collecting every syntax error of a file as a diagnostic.

The LALR parser calls the AST builder as it reduces each rule (Lark's inline transformer),
so no intermediate parse tree is built: on a 2,000-rule card that halves the time.

Recovery is panic mode at statement level: on an error the partial statement is dropped
from the parser's stacks, tokens are skipped up to the next statement keyword, and parsing
goes on, so one run reports the errors of every broken statement.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.parsers.lalr_analysis import Shift
from lark.parsers.lalr_interactive_parser import InteractiveParser

from engine.diagnostics import Diagnostic, Span, error
from engine.syntax import ast
from engine.syntax.builder import AstBuilder, kept_children, span_of, token_span
from engine.syntax.grammar import load_grammar
from engine.syntax.messages import char_error_message, token_error_message

STATEMENT_KEYWORDS = frozenset(
    {
        "_SCORECARD",
        "_INPUT",
        "_PARAM",
        "_LET",
        "_EXCLUDE",
        "_RULE",
        "_BINS",
        "_MODEL",
        "SCORE",
        "_SEGMENT",
        "_CLASSES",
        "_REASONS",
        "_OUTCOME",
        "_EXAMPLE",
    }
)


class _InlineBuilder:
    """Lark's inline transformer: each grammar rule calls the AstBuilder method of its name.

    The builder is swapped for a fresh one per parse (it collects that card's literal
    diagnostics); a lock keeps two threads from sharing it.
    """

    def __init__(self) -> None:
        self.builder = AstBuilder()

    def __getattr__(self, rule: str) -> Callable[[list[Any]], Any]:
        if rule.startswith("_"):
            raise AttributeError(rule)
        method = getattr(AstBuilder, rule)

        def reduce(children: list[Any]) -> Any:
            return method(self.builder, span_of(children), kept_children(children))

        setattr(self, rule, reduce)
        return reduce


_INLINE = _InlineBuilder()
_LOCK = threading.Lock()


@functools.cache
def ast_parser() -> Lark:
    """The parser that builds the AST directly."""
    return load_grammar(_INLINE)


@functools.cache
def expression_parser() -> Lark:
    """The parser of one expression (a condition given on the command line)."""
    return load_grammar(_INLINE, start="expr")


@dataclass
class ParseResult:
    card: ast.Card | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


class _Recovery:
    """The `on_error` callback: records a diagnostic, then resynchronises the parser."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.diagnostics: list[Diagnostic] = []
        self.panic_marker: tuple[int, int] | None = None
        self.char_error_line: int | None = None

    def __call__(self, e: UnexpectedInput) -> bool:
        if isinstance(e, UnexpectedCharacters):
            return self._bad_character(e)
        if isinstance(e, UnexpectedToken):
            return self._bad_token(e)
        return False

    def _bad_character(self, e: UnexpectedCharacters) -> bool:
        # One report per line: what follows a bad character on its line is noise.
        if self.char_error_line != e.line:
            self.char_error_line = e.line
            code, message = char_error_message(self.text, e.pos_in_stream or 0)
            self.diagnostics.append(error(code, message, Span.point(e.line, e.column)))
        return True

    def _bad_token(self, e: UnexpectedToken) -> bool:
        ip = e.interactive_parser
        state = ip.parser_state
        stack = state.state_stack
        marker = (len(stack), stack[-1])
        previous = self._previous(e, list(state.value_stack[-2:]))
        if self._finish_statement(ip):
            stack = state.state_stack
        states = state.parse_conf.parse_table.states
        depth = len(stack)
        while depth > 1 and not _shifts_statement(states[stack[depth - 1]]):
            depth -= 1
        quiet = self.panic_marker == marker or self.char_error_line == e.token.line
        if not quiet:
            partial = list(state.value_stack[depth - 1 :])
            code, message, blamed = token_error_message(self.text, e, partial, previous)
            self.diagnostics.append(error(code, message, token_span(blamed)))
        # Drop the broken statement, then skip to the next statement keyword.
        del stack[depth:]
        del state.value_stack[depth - 1 :]
        self.panic_marker = (len(stack), stack[-1])
        if e.token.type in STATEMENT_KEYWORDS and self._starts_line(e.token):
            ip.feed_token(e.token)
            self.panic_marker = None
        return True

    @staticmethod
    def _finish_statement(ip: InteractiveParser) -> bool:
        """When the tokens so far end a statement, reduce it so that it is kept.

        Lark raises before reducing when the next token is unexpected; a probe copy fed a
        statement keyword shows whether the statement is complete, and its stacks (without
        that keyword) replace the parser's.
        """
        probe: InteractiveParser = ip.copy()  # type: ignore[no-untyped-call]
        try:
            probe.feed_token(Token("_RULE", "rule"))
        except UnexpectedInput:
            return False
        done = probe.parser_state
        done.state_stack.pop()
        done.value_stack.pop()
        ip.parser_state.state_stack[:] = done.state_stack
        ip.parser_state.value_stack[:] = done.value_stack
        return True

    def _starts_line(self, tok: Token) -> bool:
        """Whether only blanks stand before the token on its line: a statement starts there."""
        start = tok.start_pos or 0
        line_start = self.text.rfind("\n", 0, start) + 1
        return not self.text[line_start:start].strip()

    @staticmethod
    def _previous(e: UnexpectedToken, partial: list[object]) -> Token | None:
        for value in reversed(partial):
            if isinstance(value, Token):
                return value
        return None


def _shifts_statement(actions: dict[str, tuple[object, object]]) -> bool:
    action = actions.get("_RULE")
    return action is not None and action[0] is Shift


def parse_text(text: str) -> ParseResult:
    """Parse a card's text; on syntax errors the card holds only the statements that parsed."""
    recovery = _Recovery(text)
    parser = ast_parser()
    with _LOCK:
        _INLINE.builder = AstBuilder()
        try:
            card = parser.parse(text, on_error=recovery)
        except UnexpectedInput as e:  # recovery gave up (it only does at the end of the file)
            if not recovery.diagnostics:
                span = Span.point(e.line, e.column) if e.line and e.line > 0 else None
                recovery.diagnostics.append(error("E100", "the card ends too early", span))
            card = None
        literal_diagnostics = _INLINE.builder.diagnostics
    if not isinstance(card, ast.Card):
        card = None
    return ParseResult(card, [*recovery.diagnostics, *literal_diagnostics])


def parse_expression(text: str) -> tuple[ast.Node | None, list[Diagnostic]]:
    """The AST of one expression, or the syntax error that stops it (no recovery: it is short)."""
    with _LOCK:
        _INLINE.builder = AstBuilder()
        try:
            node = expression_parser().parse(text)
        except UnexpectedCharacters as e:
            code, message = char_error_message(text, e.pos_in_stream or 0)
            return None, [error(code, message, Span.point(e.line, e.column))]
        except UnexpectedToken as e:
            if e.token.type == "$END":
                end = Span.point(text.count("\n") + 1, len(text) - text.rfind("\n"))
                return None, [error("E100", "the condition ends too early", end)]
            code, message, blamed = token_error_message(text, e, [], None)
            return None, [error(code, message, token_span(blamed))]
        except UnexpectedInput as e:
            span = Span.point(e.line, e.column) if e.line and e.line > 0 else None
            return None, [error("E100", "this is not a condition", span)]
        literal_diagnostics = list(_INLINE.builder.diagnostics)
    if not isinstance(node, ast.Node):
        return None, [error("E100", "this is not a condition", Span.point(1, 1))]
    return node, literal_diagnostics
