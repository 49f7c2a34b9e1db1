"""`scorecard check CARD...`: parse and type-check cards, print every problem found."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from engine.check import check_file
from engine.cli.app import app, stderr
from engine.cli.render import print_diagnostics, summary_line


@app.command()
def check(
    cards: Annotated[
        list[Path],
        typer.Argument(help="Scorecard files to check.", show_default=False, metavar="CARD..."),
    ],
) -> None:
    """Parse and type-check scorecard files; errors are printed as FILE:LINE:COL.

    Exit status 0 when every card is clean (warnings allowed), 1 when any has an error.

    Example: scorecard check scorecards/churn_risk.scorecard
    """
    failed = False
    for path in cards:
        result = check_file(path)
        print_diagnostics(result.diagnostics, result.source)
        errors = sum(1 for d in result.diagnostics if d.is_error)
        warnings = len(result.diagnostics) - errors
        if errors:
            failed = True
            stderr.print(f"{path}: {summary_line(errors, warnings)}")
        else:
            stderr.print(f"{path}: ok" + (f" ({summary_line(0, warnings)})" if warnings else ""))
    raise typer.Exit(1 if failed else 0)
