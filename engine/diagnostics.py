"""Diagnostics as values: a severity, a code, a message and a span, rendered only at the edge.

Every stage (parser, checker, data validation, model loading) reports problems by building
`Diagnostic` values; the CLI renders them as `FILE:LINE:COL: error[CODE]: message` followed by
the source line and a caret under the span.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

_OS_ERROR = re.compile(r"\(os error (\d+)\)")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file; lines and columns count from 1, `end_column` is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    @staticmethod
    def point(line: int, column: int) -> Span:
        return Span(line, column, line, column + 1)

    def to(self, other: Span) -> Span:
        """The span from the start of `self` to the end of `other`."""
        return Span(self.line, self.column, other.end_line, other.end_column)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a card, its data or its models."""

    severity: Severity
    code: str
    message: str
    span: Span | None = None
    file: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def with_file(self, file: str) -> Diagnostic:
        return Diagnostic(self.severity, self.code, self.message, self.span, file, self.notes)

    def headline(self) -> str:
        """`FILE:LINE:COL: error[CODE]: message`, the first line of the rendering."""
        # Without a file, a problem with a place is in a card given as text; one without a
        # place (a data file, an option) is the command's own.
        place = self.file or ("<card>" if self.span is not None else "scorecard")
        if self.span is not None:
            place = f"{place}:{self.span.line}:{self.span.column}"
        return f"{place}: {self.severity.value}[{self.code}]: {self.message}"

    def render(self, source: str | None = None) -> str:
        """The headline, then the source line with a caret under the span, then any notes."""
        lines = [self.headline()]
        if source is not None and self.span is not None:
            src_lines = source.split("\n")
            if 1 <= self.span.line <= len(src_lines):
                text = src_lines[self.span.line - 1].expandtabs(1)
                gutter = f"{self.span.line} | "
                lines.append(gutter + text)
                start = max(self.span.column - 1, 0)
                if self.span.end_line == self.span.line:
                    width = max(self.span.end_column - self.span.column, 1)
                else:
                    width = max(len(text) - start, 1)
                lines.append(" " * len(gutter) + " " * start + "^" * width)
        lines.extend(f"  = note: {n}" for n in self.notes)
        return "\n".join(lines)


def error(code: str, message: str, span: Span | None = None, *notes: str) -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, message, span, None, tuple(notes))


def warning(code: str, message: str, span: Span | None = None, *notes: str) -> Diagnostic:
    return Diagnostic(Severity.WARNING, code, message, span, None, tuple(notes))


def os_reason(exc: BaseException) -> str:
    """The operating system's words for an I/O failure ("No space left on device").

    Polars reports the system's error inside its own message, as "... (os error 28)"; the
    number is turned into the system's text so every message reads the same."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return os.strerror(exc.errno)
    found = _OS_ERROR.search(str(exc))
    if found:
        return os.strerror(int(found.group(1)))
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def is_os_error(exc: BaseException) -> bool:
    """An OSError, or a library error that carries one ("... (os error 28)")."""
    return isinstance(exc, OSError) or _OS_ERROR.search(str(exc)) is not None


class ScorecardError(Exception):
    """Raised by the Python API when a card, its data or a model has errors.

    It carries the diagnostics as values; the CLI renders them and exits with status 1.
    """

    def __init__(self, diagnostics: Iterable[Diagnostic], source: str | None = None) -> None:
        self.diagnostics = tuple(diagnostics)
        self.source = source
        super().__init__("\n".join(d.headline() for d in self.diagnostics))

    def render(self) -> str:
        return "\n".join(d.render(self.source) for d in self.diagnostics)
