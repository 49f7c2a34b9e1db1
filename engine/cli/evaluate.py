"""`scorecard evaluate`, `stability` and `fairness`: is the score predictive, stable and fair?

Each command calls `engine.evaluate.run` (score the table(s) with the card, then measure)
and prints rich tables, or JSON with `--json`; `--html FILE`
also writes the self-contained report.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeAlias

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from engine.api import Scorecard, input_files
from engine.cli.app import app, stderr, stdout
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
    guarded,
    load_cards,
    parse_top,
    shared_options,
    split_params,
)
from engine.cli.progress_bar import run_progress
from engine.evaluate import bands as score_bands
from engine.evaluate import report, tables
from engine.evaluate.run import evaluate_card, fairness_of, outcome_of, stability_of
from engine.io.outputs import check_output
from engine.run.options import Progress
from engine.run.progress import step


def print_tables(items: Sequence[tables.Table]) -> None:
    for t in items:
        rich = RichTable(title=escape(t.title), title_justify="left", header_style="bold")
        for i, name in enumerate(t.columns):
            rich.add_column(escape(name), justify="left" if i == 0 else "right")
        for i, row in enumerate(t.rows):
            style = "bold yellow" if t.highlight and t.highlight[i] else None
            rich.add_row(*(escape(c) for c in row), style=style)
        stdout.print(rich)
        for note in t.notes:
            stdout.print(f"  {escape(note)}")
        stdout.print()


def report_command(
    card: Path,
    data_files: Sequence[Path],
    trust_models: bool,
    param: list[str] | None,
    measure: Measure,
    as_json: bool,
    html: Path | None,
) -> None:
    """Load the card, check that the HTML page would replace none of the files read (before
    any table is scored), measure, then print tables or JSON and write the page if asked."""

    def work() -> None:
        (sc,) = load_cards([card], trust_models)
        if html is not None:
            check_output(html, input_files([sc], *data_files))
        params = split_params([sc], param or [])[0]
        with run_progress() as bar:
            view = measure(sc, params, bar)
            if html is not None:
                step(bar, "writing")
                report.write_html(html, view.page)
        if as_json:
            stdout.out(json.dumps(report.jsonable(view.payload), indent=2), highlight=False)
        else:
            print_tables(view.tables)
        if html is not None:
            stderr.print(f"report written to {escape(str(html))}")

    guarded(work)


Measure: TypeAlias = "Callable[[Scorecard, dict[str, Any], Progress | None], ReportView]"
"""What a report command measures, told of its steps by the bar (None: no bar)."""


@dataclass(frozen=True)
class ReportView:
    """What one command measured, three ways: JSON payload, rich tables, HTML page."""

    payload: dict[str, Any]
    tables: Sequence[tables.Table]
    page: report.Report


@app.command()
@shared_options(reads=True)
def evaluate(
    card: Annotated[
        Path, typer.Argument(readable=False, help="The scorecard file.", show_default=False)
    ],
    data: Annotated[
        Path,
        typer.Argument(readable=False, help="A table with the outcome column.", show_default=False),
    ],
    target: TargetOpt = None,
    event: EventOpt = None,
    high_score: HighScoreOpt = None,
    classes: Annotated[
        int | None,
        typer.Option("--classes", min=1, help="Number of classes (default: the card's, or 10)."),
    ] = None,
    bands: BandsOpt = None,
    value: Annotated[
        float | None, typer.Option("--value", help="Campaign view: what one event is worth.")
    ] = None,
    cost: Annotated[
        float | None, typer.Option("--cost", help="Campaign view: what one contact costs.")
    ] = None,
    param: ParamOpt = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    trust_models: TrustOpt = False,
    read: ReadArgs = NO_READ,
) -> None:
    """AUC, Gini, KS, the table by class (lift, gains), rules and bins, and a campaign view.

    Example: scorecard evaluate scorecards/churn_risk.scorecard history.csv --target churned
    --value 40 --cost 2 --html churn_report.html
    """

    def measure(sc: Scorecard, params: dict[str, Any], bar: Progress | None) -> ReportView:
        cuts = None if bands is None else score_bands.parse(bands)
        outcome = outcome_of(sc, target, event, high_score.word if high_score else None)
        ev = evaluate_card(
            sc,
            read.source(data, card),
            outcome.column,
            params=params,
            classes=classes,
            value=value,
            cost=cost,
            event=outcome.event,
            high_score_means=outcome.high_score_means,
            score_bands=cuts,
            progress=bar,
        )
        items = tables.evaluation_tables(ev)
        facts = [
            ("card", str(card)),
            ("data", str(data)),
            ("target", outcome.column),
            ("event", "1/true/yes" if outcome.event is None else str(outcome.event)),
            ("a high score means", f"{outcome.high_score_means} events"),
        ]
        page = report.Report(
            f"Evaluation of {sc.name}",
            facts,
            report.evaluation_charts(ev),
            [report.Section("Evaluation", items)],
        )
        payload = {
            "card": sc.name,
            "data": str(data),
            "target": outcome.column,
            "event": outcome.event,
            "evaluation": ev,
        }
        return ReportView(payload, items, page)

    report_command(card, [data], trust_models, param, measure, as_json, html)


@app.command()
@shared_options(reads=True)
def stability(
    card: Annotated[
        Path, typer.Argument(readable=False, help="The scorecard file.", show_default=False)
    ],
    baseline: Annotated[
        Path,
        typer.Argument(
            readable=False, help="The reference table (e.g. the build sample).", show_default=False
        ),
    ],
    current: Annotated[
        Path,
        typer.Argument(readable=False, help="The table to compare with it.", show_default=False),
    ],
    bins: Annotated[
        int | None,
        typer.Option("--bins", min=1, help="Score bins (default: the card's classes, or 10)."),
    ] = None,
    bands: BandsOpt = None,
    param: ParamOpt = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    trust_models: TrustOpt = False,
    read: ReadArgs = NO_READ,
) -> None:
    """Population stability index of the score, of each bins block, and rule firing shifts.

    PSI >= 0.1 is flagged as a shift, >= 0.25 as a major shift.

    Example: scorecard stability scorecards/churn_risk.scorecard jan.parquet jun.parquet
    """

    def measure(sc: Scorecard, params: dict[str, Any], bar: Progress | None) -> ReportView:
        cuts = None if bands is None else score_bands.parse(bands)
        st = stability_of(
            sc,
            read.source(baseline, card),
            read.source(current, card),
            params=params,
            bins=bins,
            score_bands=cuts,
            progress=bar,
        )
        items = tables.stability_tables(st)
        facts = [("card", str(card)), ("baseline", str(baseline)), ("current", str(current))]
        page = report.Report(
            f"Stability of {sc.name}",
            facts,
            report.stability_charts(st),
            [report.Section("Stability", items)],
        )
        payload = {
            "card": sc.name,
            "baseline": str(baseline),
            "current": str(current),
            "stability": st,
        }
        return ReportView(payload, items, page)

    report_command(card, [baseline, current], trust_models, param, measure, as_json, html)


@app.command()
@shared_options(reads=True)
def fairness(
    card: Annotated[
        Path, typer.Argument(readable=False, help="The scorecard file.", show_default=False)
    ],
    data: Annotated[
        Path, typer.Argument(readable=False, help="The table to score.", show_default=False)
    ],
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="The groups: any column (a `sensitive` one, region, age...); numeric columns "
            "with many values are banded into quintiles.",
        ),
    ],
    top: Annotated[
        str | None,
        typer.Option(
            "--top",
            help="Selected = the K best scores (500) or P percent (10%); default: "
            "the card's top segment.",
        ),
    ] = None,
    param: ParamOpt = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    trust_models: TrustOpt = False,
    read: ReadArgs = NO_READ,
) -> None:
    """Selection rate and mean score per group, and the disparate-impact ratio (flag < 0.8).

    Example: scorecard fairness scorecards/churn_risk.scorecard customers.csv --by gender --top 10%
    """
    parsed = parse_top(top)

    def measure(sc: Scorecard, params: dict[str, Any], bar: Progress | None) -> ReportView:
        fa = fairness_of(sc, read.source(data, card), by, params=params, top=parsed, progress=bar)
        items = tables.fairness_tables(fa)
        facts = [
            ("card", str(card)),
            ("data", str(data)),
            ("groups", by),
            ("selected", fa.selection),
        ]
        page = report.Report(
            f"Fairness of {sc.name}",
            facts,
            report.fairness_charts(fa),
            [report.Section("Fairness", items)],
        )
        payload = {"card": sc.name, "data": str(data), "fairness": fa}
        return ReportView(payload, items, page)

    report_command(card, [data], trust_models, param, measure, as_json, html)
