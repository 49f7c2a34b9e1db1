"""`scorecard check CARD...`: parse and type-check cards, print every problem found."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from engine.check.source import check_file
from engine.cli.app import app, stderr
from engine.cli.common import shared_options
from engine.cli.render import print_diagnostics, summary_line


@app.command()
@shared_options(reads=False)
def check(
    cards: Annotated[
        list[Path],
        typer.Argument(
            readable=False, help="Scorecard files to check.", show_default=False, metavar="CARD..."
        ),
    ],
    trust_models: Annotated[
        bool,
        typer.Option(
            "--trust-models",
            help="Load pickled models (.joblib, .pkl) that the card does not pin by sha256.",
        ),
    ] = False,
) -> None:
    """Parse and type-check scorecard files; errors are printed as FILE:LINE:COL.

    Models are loaded (safely) to check their features and output, and whether they can be
    exported to SQL. Exit status 0 when every card is clean (warnings allowed), 1 when any
    has an error.

    Example: scorecard check scorecards/churn_risk.scorecard
    """
    failed = False
    for path in cards:
        result = check_file(path)
        diagnostics = list(result.diagnostics)
        if result.program is not None and result.program.models:
            # Loading the models shows what `apply` and `compile` would refuse; a model
            # already compiled for these features (the cache) was checked then.
            from engine.models.cache import cached_warnings

            cached = cached_warnings(result.program, path.parent, trust_models)
            if cached is not None:
                found = list(cached)
            else:
                from engine.models import check_models

                found = check_models(result.program, path.parent, trust_models)
            diagnostics.extend(d.with_file(str(path)) for d in found)
        print_diagnostics(diagnostics, result.source)
        errors = sum(1 for d in diagnostics if d.is_error)
        warnings = len(diagnostics) - errors
        if errors:
            failed = True
            stderr.print(f"{path}: {summary_line(errors, warnings)}")
        else:
            stderr.print(f"{path}: ok" + (f" ({summary_line(0, warnings)})" if warnings else ""))
    raise typer.Exit(1 if failed else 0)
