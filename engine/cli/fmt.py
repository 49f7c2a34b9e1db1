"""`scorecard fmt CARD... [--check]`: rewrite cards in the canonical layout, comments kept."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from engine.check.source import check_file
from engine.cli.app import app, stderr
from engine.cli.common import shared_options
from engine.cli.render import print_diagnostics
from engine.diagnostics import ScorecardError
from engine.io.outputs import write_text
from engine.syntax.printer import format_card


@app.command()
@shared_options(reads=False)
def fmt(
    cards: Annotated[
        list[Path],
        typer.Argument(
            readable=False, help="Scorecard files to format.", show_default=False, metavar="CARD..."
        ),
    ],
    check: Annotated[
        bool,
        typer.Option("--check", help="Change nothing; exit 1 if any card is not formatted."),
    ] = False,
) -> None:
    """Rewrite scorecard files in the canonical layout; comments are kept.

    Example: scorecard fmt --check scorecards/*.scorecard
    """
    status = 0
    for path in cards:
        result = check_file(path)
        if result.card is None:
            print_diagnostics(result.diagnostics, result.source)
            stderr.print(f"{path}: not formatted: fix the syntax errors first")
            status = 1
            continue
        formatted = format_card(result.card, result.source)
        if formatted == result.source:
            continue
        if check:
            stderr.print(f"{path}: would be reformatted")
            status = 1
        else:
            try:
                write_text(path, formatted)
            except ScorecardError as exc:
                print_diagnostics(exc.diagnostics, None)
                status = 1
                continue
            stderr.print(f"{path}: reformatted")
    raise typer.Exit(status)
