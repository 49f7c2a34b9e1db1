"""`scorecard report CARD DATA... --html FILE`: one page with every answer the data allows."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from engine.api import input_files
from engine.cli.app import app, stderr, stdout
from engine.cli.common import (
    NO_READ,
    BandsOpt,
    EventOpt,
    HighScoreOpt,
    ParamOpt,
    ReadArgs,
    TargetOpt,
    TrustOpt,
    guarded,
    load_cards,
    parse_top,
    shared_options,
    split_params,
)
from engine.cli.evaluate import print_tables
from engine.cli.progress_bar import run_progress
from engine.evaluate import bands as score_bands
from engine.evaluate import report as page
from engine.evaluate.overview import ReportOptions, overview
from engine.evaluate.run import PERIOD_PARAM
from engine.io.outputs import check_output
from engine.run.progress import step


@app.command()
@shared_options(reads=True)
def report(
    card: Annotated[Path, typer.Argument(help="The scorecard file.", show_default=False)],
    data: Annotated[
        list[Path],
        typer.Argument(
            help="The customer tables (read as one; one period each for stability).",
            metavar="DATA...",
            show_default=False,
        ),
    ],
    html: Annotated[
        Path,
        typer.Option(
            "--html", help="The page to write.", metavar="FILE", readable=False, show_default=False
        ),
    ],
    target: TargetOpt = None,
    event: EventOpt = None,
    high_score: HighScoreOpt = None,
    treatment: Annotated[
        str | None,
        typer.Option("--treatment", help="Campaign part: the column saying who was contacted."),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option("--period", help="Stability part: the column naming each row's period."),
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by", help="Fairness part: a column to group by (repeatable; default: sensitive)."
        ),
    ] = None,
    top: Annotated[
        str | None,
        typer.Option(
            "--top", help="Fairness part: selected = K rows or P% (default: top segment)."
        ),
    ] = None,
    classes: Annotated[
        int | None, typer.Option("--classes", min=1, help="Classes (default: the card's, or 10).")
    ] = None,
    bands: BandsOpt = None,
    value: Annotated[float | None, typer.Option("--value", help="What one event is worth.")] = None,
    cost: Annotated[float | None, typer.Option("--cost", help="What one contact costs.")] = None,
    param: ParamOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Also print every figure as one JSON document.")
    ] = False,
    trust_models: TrustOpt = False,
    read: ReadArgs = NO_READ,
) -> None:
    """One self-contained HTML page: who scores high, does it rank, is it stable, is it fair,
    did the campaign pay. Parts whose data is missing are skipped with a line saying why.

    Example: scorecard report scorecards/churn_risk.scorecard scorecards/data/customers.csv
    --html churn_report.html
    """
    parsed_top = parse_top(top)
    assignments = param or []
    period_params = [
        a.partition("=")[0].strip()
        for a in assignments
        if a.partition("=")[2].strip() == PERIOD_PARAM
    ]
    fixed = [a for a in assignments if a.partition("=")[2].strip() != PERIOD_PARAM]

    def work() -> None:
        cuts = None if bands is None else score_bands.parse(bands)
        (sc,) = load_cards([card], trust_models)
        check_output(html, input_files([sc], *data))
        params = split_params([sc], fixed)[0]
        options = ReportOptions(
            params=params,
            target=target,
            event=event,
            high_score_means=high_score.word if high_score else None,
            treatment=treatment,
            period=period,
            period_params=period_params,
            by=by or (),
            top=parsed_top,
            classes=classes,
            bands=cuts,
            value=value,
            cost=cost,
        )
        with run_progress() as bar:
            ov = overview(sc, [read.source(d, card) for d in data], replace(options, progress=bar))
            facts = [
                ("card", str(card)),
                ("data", ", ".join(str(d) for d in data)),
                ("latest period", ov.current),
            ]
            step(bar, "writing")
            page.write_html(html, ov.page(facts))
        if as_json:
            doc = {"card": sc.name, "skipped": ov.skipped, **ov.payload}
            stdout.out(json.dumps(page.jsonable(doc), indent=2), highlight=False)
        else:
            for section in ov.sections:
                stdout.print(f"[bold]{escape(section.title)}[/bold]")
                for note in section.notes:
                    stdout.print(f"  {escape(note)}")
                print_tables(section.tables)
        stderr.print(f"report written to {escape(str(html))}")

    guarded(work)
