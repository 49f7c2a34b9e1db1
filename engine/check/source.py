"""Checking a card's text or file: parse, then check, every problem a diagnostic."""

from __future__ import annotations

import gc
from pathlib import Path

from engine.check.checker import check_card
from engine.check.result import CheckResult
from engine.diagnostics import Span, error
from engine.syntax import parse_card
from engine.syntax.parser import ParseResult


def check_source(
    text: str, path: Path | None = None, parsed: ParseResult | None = None
) -> CheckResult:
    """Parse and check a card's text; `path` names it in messages and anchors model paths.

    `parsed` is the text's parse when the caller has it already (the language server parses
    only the statements an edit changed, `engine.syntax.incremental`)."""
    name = str(path) if path is not None else "<card>"
    # Parsing builds many small objects and no reference cycles: the cyclic garbage
    # collector's passes over them cost a quarter of the time of a large card.
    collecting = gc.isenabled()
    gc.disable()
    try:
        card, diagnostics = parse_card(text, parsed)
        program = None
        if card is not None:
            program, semantic = check_card(card, path)
            diagnostics.extend(semantic)
    finally:
        if collecting:
            gc.enable()
    diagnostics = sorted(
        (d.with_file(name) for d in diagnostics),
        key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0),
    )
    return CheckResult(program, diagnostics, text, path, card)


def check_file(path: Path | str) -> CheckResult:
    """Read and check a card file; an unreadable file is a diagnostic too."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return CheckResult(
            None, [error("E001", f"cannot read the card: {reason}").with_file(str(path))]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return CheckResult(
            None,
            [
                error("E002", "the card is not valid UTF-8 text", Span.point(line, col)).with_file(
                    str(path)
                )
            ],
        )
    return check_source(text, path)
