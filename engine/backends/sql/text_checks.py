"""Card text that no SQL dialect can hold, found when the quoting refused it, with its place.

The quoting functions (`engine.backends.sql.sqltext`) refuse U+0000 (NUL) in a name or a string
in every dialect: PostgreSQL text cannot hold it, the other engines cut the statement there or
refuse it. This module names the statement that holds one (E907), so the message points into the
card rather than into the SQL. Comments (the title) escape it instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from engine import ir
from engine.diagnostics import Diagnostic, Span, error
from engine.program import Program

NUL = "\x00"


def _strings(expr: ir.Expr | None) -> Iterator[str]:
    if expr is None:
        return
    for node in ir.walk(expr):
        if isinstance(node, ir.Literal) and isinstance(node.value, str):
            yield node.value


def _texts(program: Program) -> Iterator[tuple[str, str, str, Span | None]]:
    """(what, the statement, the text, its span) for every name and string that reaches SQL."""
    for c in program.inputs:
        yield "name", f"input `{c.name}`", c.name, c.span
    for d in program.definitions:
        yield "name", f"{d.kind} `{d.name}`", d.name, d.span
        for text in _strings(d.expr):
            yield "string", f"{d.kind} `{d.name}`", text, d.span
    for x in program.excludes:
        yield "label", "exclude", x.label, x.span
        for text in _strings(x.cond):
            yield "string", "exclude", text, x.span
    for s in program.segments:
        yield "name", "segment", s.name, s.span
        for text in _strings(s.cond):
            yield "string", "segment", text, s.span


def nul_diagnostics(program: Program) -> list[Diagnostic]:
    """E907 for each name, label or string of the program that holds U+0000."""
    out: list[Diagnostic] = []
    for what, statement, text, span in _texts(program):
        if NUL in text:
            out.append(
                error(
                    "E907",
                    f"{statement}: the {what} {text!r} holds the character U+0000 (NUL), which "
                    "SQL cannot hold",
                    span,
                    "remove the character, or score the card with `scorecard apply`",
                )
            )
    return out
