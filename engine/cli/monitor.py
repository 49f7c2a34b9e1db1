"""`scorecard monitor CARD DATA... [--period COL]`: the card's life, period by period."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from engine.api import Scorecard
from engine.cli.app import app
from engine.cli.common import (
    NO_READ,
    BandsOpt,
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
from engine.evaluate import bands as score_bands
from engine.evaluate import report, tables
from engine.evaluate.run import PERIOD_PARAM, monitor_of
from engine.run.options import Progress


@app.command()
@shared_options(reads=True)
def monitor(
    card: Annotated[Path, typer.Argument(help="The scorecard file.", show_default=False)],
    data: Annotated[
        list[Path],
        typer.Argument(
            help="One table with a period column, or one table per period (in order).",
            metavar="DATA...",
            show_default=False,
        ),
    ],
    period: Annotated[
        str | None,
        typer.Option("--period", help="The column that names each row's period (e.g. month)."),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline", help="The period stability is measured against (default: the first)."
        ),
    ] = None,
    bins: Annotated[
        int | None,
        typer.Option(
            "--bins", min=1, help="Score bins for PSI (default: the card's classes, or 10)."
        ),
    ] = None,
    bands: BandsOpt = None,
    target: TargetOpt = None,
    event: EventOpt = None,
    high_score: HighScoreOpt = None,
    param: ParamOpt = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    trust_models: TrustOpt = False,
    read: ReadArgs = NO_READ,
) -> None:
    """Per period: rows, score distribution, PSI against the baseline period, each bins block's
    PSI, the rules' firing rates and, where the outcome is in the table, AUC, KS and event rate.

    `--param as_of=@period` gives the param each period's value (a snapshot date follows the
    month being scored).

    Example: scorecard monitor scorecards/churn_risk.scorecard history.parquet --period month
    --param as_of=@period --html monitoring.html
    """
    assignments = param or []
    period_params = [
        a.partition("=")[0].strip()
        for a in assignments
        if a.partition("=")[2].strip() == PERIOD_PARAM
    ]
    fixed = [a for a in assignments if a.partition("=")[2].strip() != PERIOD_PARAM]

    def measure(sc: Scorecard, params: dict[str, Any], bar: Progress | None) -> ReportView:
        mo = monitor_of(
            sc,
            [read.source(d, card) for d in data],
            period=period,
            params=params,
            period_params=period_params,
            target=target,
            event=event,
            high_score_means=high_score.word if high_score else None,
            bins=bins,
            baseline=baseline,
            score_bands=None if bands is None else score_bands.parse(bands),
            progress=bar,
        )
        items = tables.monitoring_tables(mo)
        facts = [("card", str(card)), ("data", ", ".join(str(d) for d in data))]
        if period:
            facts.append(("period", period))
        page = report.Report(
            f"Monitoring of {sc.name}",
            facts,
            report.monitoring_charts(mo),
            [report.Section("Monitoring", items)],
        )
        return ReportView({"card": sc.name, "monitoring": mo}, items, page)

    report_command(card, list(data), trust_models, fixed, measure, as_json, html)
