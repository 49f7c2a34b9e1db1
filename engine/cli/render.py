"""Printing diagnostics for people: the headline, the source line and a caret."""

from __future__ import annotations

from collections.abc import Iterable

from rich.markup import escape

from engine.cli.app import stderr
from engine.diagnostics import Diagnostic, Severity

_quiet = [False]
"""`--quiet`: warnings are not printed (set once per command)."""


def set_quiet(quiet: bool) -> None:
    _quiet[0] = quiet


def is_quiet() -> bool:
    return _quiet[0]


def print_diagnostics(diagnostics: Iterable[Diagnostic], source: str | None) -> None:
    for d in diagnostics:
        if _quiet[0] and d.severity is not Severity.ERROR:
            continue
        colour = "red" if d.severity is Severity.ERROR else "yellow"
        text = d.render(source)
        head, _, rest = text.partition("\n")
        stderr.print(f"[{colour}]{escape(head)}[/{colour}]")
        if rest:
            stderr.print(escape(rest))


def summary_line(errors: int, warnings: int) -> str:
    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
