"""`scorecard lookalike CUSTOMERS POPULATION -o CARD`: a card ranking the population by how
much each row resembles the customers (docs/lookalike.md)."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from engine.cli.app import app, stderr, stdout
from engine.cli.common import (
    NO_READ,
    HtmlOpt,
    JsonOpt,
    ReadArgs,
    guarded,
    shared_options,
)
from engine.cli.evaluate import print_tables
from engine.cli.profile import _names
from engine.cli.progress_bar import run_progress
from engine.run.progress import step


@app.command()
@shared_options(reads=True)
def lookalike(
    customers: Annotated[
        Path,
        typer.Argument(readable=False, help="The customers to resemble.", show_default=False),
    ],
    population: Annotated[
        Path,
        typer.Argument(
            readable=False, help="The table to rank (prospects, or the base).", show_default=False
        ),
    ],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="The card to write (.scorecard).", readable=False),
    ],
    key: Annotated[
        str | None,
        typer.Option("--key", help="The key column of both tables (default: the id-like one)."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="Columns not to use: COL,COL (repeatable)."),
    ] = None,
    sensitive: Annotated[
        list[str] | None,
        typer.Option(
            "--sensitive",
            help="Columns declared sensitive: never used by the card, kept for fairness.",
        ),
    ] = None,
    hidden: Annotated[
        float,
        typer.Option("--hidden", help="Share of customers hidden in the population to measure."),
    ] = 0.2,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the hidden customers' draw.")] = 42,
    name: Annotated[
        str | None, typer.Option("--name", help="The card's name (default: from -o).")
    ] = None,
    from_card: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Keep this card's bins as written; refit only the points.",
            metavar="CARD",
            readable=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    read: ReadArgs = NO_READ,
) -> None:
    """Fit a card whose score (0 to 1000, classes 10) says how much a row looks like the
    customers; report the recall of hidden customers at the top 1/5/10/20% and the profile of
    the top class.

    Example: scorecard lookalike buyers.csv prospects.csv -o lookalike.scorecard
    """

    def work() -> None:
        from engine.evaluate import report
        from engine.io.outputs import check_output, write_text
        from engine.profile import page, tables
        from engine.profile.lookalike import LookalikeOptions
        from engine.profile.lookalike import lookalike as fit_lookalike

        inputs = [("data file", customers), ("data file", population)]
        if from_card is not None:
            inputs.append(("card", from_card))
        check_output(output, inputs)
        if html is not None:
            check_output(html, [*inputs, ("card", output)])
        options = LookalikeOptions(
            key,
            _names(exclude),
            _names(sensitive),
            hidden,
            seed,
            name,
            None if from_card is None else str(from_card),
        )
        command = shlex.join(["scorecard", "lookalike", *sys.argv[2:]])
        with run_progress() as bar:
            found = fit_lookalike(
                read.source(customers, from_card),
                read.source(population, from_card),
                options,
                output=str(output),
                command=command,
                progress=bar,
            )
            step(bar, "writing")
            write_text(output, found.card)
            if html is not None:
                lookalike_page = page.lookalike_report(found, str(customers), str(population))
                report.write_html(html, lookalike_page)
        if as_json:
            stdout.out(json.dumps(report.jsonable(found), indent=2), highlight=False)
        else:
            print_tables([page.recall_table(found)])
            stdout.print("[bold]Top class against the population[/bold]")
            for t in found.top_class.traits:
                stdout.print(f"  - {escape(t.text)}")
            stdout.print()
            print_tables(tables.profile_tables(found.top_class)[:1])
        stderr.print(f"wrote {escape(str(output))}")
        if html is not None:
            stderr.print(f"report written to {escape(str(html))}")

    guarded(work)
