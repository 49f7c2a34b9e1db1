"""`scorecard test CARD...`: run each card's `example` blocks and report every mismatch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from engine.api import load
from engine.cli.app import app, stderr, stdout
from engine.cli.common import TrustOpt, shared_options
from engine.cli.render import print_diagnostics
from engine.diagnostics import ScorecardError


@app.command("test")
@shared_options(reads=False)
def test_cards(
    cards: Annotated[
        list[Path],
        typer.Argument(
            readable=False,
            help="Scorecard files whose examples to run.",
            metavar="CARD...",
            show_default=False,
        ),
    ],
    trust_models: TrustOpt = False,
) -> None:
    """Run the cards' examples; print expected and actual values of each failure.

    Exit status 0 when every example passes, 1 otherwise.

    Example: scorecard test scorecards/rules_only.scorecard
    """
    failed = 0
    passed = 0
    for path in cards:
        try:
            card = load(path, trust_models=trust_models)
            outcomes = card.test()
        except ScorecardError as exc:
            print_diagnostics(exc.diagnostics, exc.source)
            failed += 1
            continue
        if not outcomes:
            stdout.print(f"{escape(str(path))}: no examples")
        for outcome in outcomes:
            name = escape(f"{path}: example {outcome.name!r}")
            if outcome.passed:
                passed += 1
                stdout.print(f"[green]PASS[/green] {name}")
                continue
            failed += 1
            stdout.print(f"[red]FAIL[/red] {name}")
            if outcome.error:
                stdout.print(escape(outcome.error))
            for target, expected, actual in outcome.mismatches:
                stdout.print(
                    f"  {escape(target)}: expected {escape(repr(expected))}, got {escape(repr(actual))}"
                )
    stderr.print(f"{passed} passed, {failed} failed")
    raise typer.Exit(1 if failed else 0)
