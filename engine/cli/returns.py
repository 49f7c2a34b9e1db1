"""`scorecard returns CARD CAMPAIGN --treatment COL`: a campaign's returns by score class."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from engine.api import Scorecard
from engine.cli.app import app
from engine.cli.common import (
    NO_READ,
    EventOpt,
    HighScoreOpt,
    HtmlOpt,
    JsonOpt,
    ParamOpt,
    ReadArgs,
    TargetOpt,
    TrustOpt,
    shared_options,
)
from engine.cli.evaluate import ReportView, report_command
from engine.evaluate import report, tables
from engine.evaluate.run import outcome_of, returns_of
from engine.run.options import Progress


@app.command()
@shared_options(reads=True)
def returns(
    card: Annotated[Path, typer.Argument(help="The scorecard file.", show_default=False)],
    campaign: Annotated[
        Path,
        typer.Argument(
            help="The campaign table: customers, whether contacted, whether they responded.",
            show_default=False,
        ),
    ],
    treatment: Annotated[
        str,
        typer.Option(
            "--treatment",
            help="The column saying who was contacted (1/true) or held out (0/false).",
        ),
    ],
    target: TargetOpt = None,
    event: EventOpt = None,
    high_score: HighScoreOpt = None,
    classes: Annotated[
        int | None,
        typer.Option("--classes", min=1, help="Number of classes (default: the card's, or 10)."),
    ] = None,
    value: Annotated[
        float | None, typer.Option("--value", help="What one response is worth.")
    ] = None,
    cost: Annotated[float | None, typer.Option("--cost", help="What one contact costs.")] = None,
    param: ParamOpt = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    trust_models: TrustOpt = False,
    read: ReadArgs = NO_READ,
) -> None:
    """Response rates of contacted and control customers by class, uplift, incremental
    responses, revenue, cost and ROI, the Qini curve, and which classes were worth contacting.

    Example: scorecard returns scorecards/appetence.scorecard campaign.csv --treatment contacted
    --target bought --value 40 --cost 1.5
    """

    def measure(sc: Scorecard, params: dict[str, Any], bar: Progress | None) -> ReportView:
        outcome = outcome_of(sc, target, event, high_score.word if high_score else None)
        rt = returns_of(
            sc,
            read.source(campaign, card),
            treatment,
            outcome.column,
            params=params,
            classes=classes,
            value=value,
            cost=cost,
            event=outcome.event,
            high_score_means=outcome.high_score_means,
            progress=bar,
        )
        items = tables.returns_tables(rt)
        facts = [
            ("card", str(card)),
            ("campaign", str(campaign)),
            ("outcome", outcome.column),
            ("treatment", treatment),
        ]
        page = report.Report(
            f"Campaign returns of {sc.name}",
            facts,
            report.returns_charts(rt),
            [report.Section("Returns", items)],
        )
        payload = {"card": sc.name, "campaign": str(campaign), "returns": rt}
        return ReportView(payload, items, page)

    report_command(card, [campaign], trust_models, param, measure, as_json, html)
