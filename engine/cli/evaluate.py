"""`scorecard evaluate`, `stability` and `fairness`: is the score predictive, stable and fair?

Each command scores its table(s) with the card (rule and bins details included), hands the
arrays to `engine.evaluate`, and prints rich tables, or JSON with `--json`; `--html FILE`
also writes the self-contained report.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from engine import io
from engine.api import Scorecard, run
from engine.cli.app import app, stderr, stdout
from engine.cli.apply import guarded, load_cards, parse_top, split_params
from engine.diagnostics import ScorecardError, error
from engine.evaluate import fairness as fairness_mod
from engine.evaluate import metrics, report, source, tables
from engine.evaluate import stability as stability_mod
from engine.evaluate.rows import ReportError, ScoredRows

ParamOpt = Annotated[
    list[str] | None, typer.Option("--param", help="Override a param: NAME=VALUE.")
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print every figure as one JSON document instead of tables.")
]
HtmlOpt = Annotated[
    Path | None,
    typer.Option(
        "--html", help="Also write a self-contained HTML report with charts.", metavar="FILE"
    ),
]
TrustOpt = Annotated[
    bool,
    typer.Option("--trust-models", help="Allow loading pickled models (only files you trust)."),
]


def _report_error(exc: ReportError, code: str) -> ScorecardError:
    return ScorecardError([error(code, str(exc))])


def _columns_of(data: Path) -> list[str]:
    return io.scan(data).collect_schema().names()


def _score(card: Scorecard, data: Path, params: dict[str, Any], keep: Sequence[str]) -> ScoredRows:
    """Score `data` with rule and bins details, keeping `keep` columns for the report."""
    frame = run([card], data, params=[params], keep=keep, details=True).frame
    return source.rows_from_results(frame, card.program, keep)


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


def _emit(
    payload: dict[str, Any],
    items: Sequence[tables.Table],
    as_json: bool,
    html: Path | None,
    page: report.Report,
) -> None:
    if html is not None:
        try:
            report.write_html(html, page)
        except OSError as exc:
            raise ScorecardError([error("E1006", f"cannot write {str(html)!r}: {exc}")]) from None
    if as_json:
        stdout.out(json.dumps(report.jsonable(payload), indent=2), highlight=False)
    else:
        print_tables(items)
    if html is not None:
        stderr.print(f"report written to {escape(str(html))}")


@app.command()
def evaluate(
    card: Annotated[Path, typer.Argument(help="The scorecard file.", show_default=False)],
    data: Annotated[
        Path, typer.Argument(help="A table with the outcome column.", show_default=False)
    ],
    target: Annotated[
        str, typer.Option("--target", help="The outcome column: 1/true is an event.")
    ],
    classes: Annotated[
        int | None,
        typer.Option("--classes", min=1, help="Number of classes (default: the card's, or 10)."),
    ] = None,
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
) -> None:
    """AUC, Gini, KS, the table by class (lift, gains), rules and bins, and a campaign view.

    Example: scorecard evaluate scorecards/churn_risk.scorecard history.csv --target churned
    --value 40 --cost 2 --html churn_report.html
    """

    def work() -> None:
        (sc,) = load_cards([card], trust_models)
        params = split_params([sc], param or [])[0]
        if target not in _columns_of(data):
            raise ScorecardError(
                [error("E1001", f"--target {target!r}: {data} has no such column")]
            )
        rows = _score(sc, data, params, [target])
        try:
            event, known = metrics.to_events(target, rows.extra[target])
            ev = metrics.evaluate(rows, event, known, n_classes=classes, value=value, cost=cost)
        except ReportError as exc:
            raise _report_error(exc, "E1002") from None
        items = tables.evaluation_tables(ev)
        facts = [("card", str(card)), ("data", str(data)), ("target", target)]
        page = report.Report(
            f"Evaluation of {sc.name}",
            facts,
            report.evaluation_charts(ev),
            [report.Section("Evaluation", items)],
        )
        payload = {"card": sc.name, "data": str(data), "target": target, "evaluation": ev}
        _emit(payload, items, as_json, html, page)

    guarded(work)


@app.command()
def stability(
    card: Annotated[Path, typer.Argument(help="The scorecard file.", show_default=False)],
    baseline: Annotated[
        Path,
        typer.Argument(help="The reference table (e.g. the build sample).", show_default=False),
    ],
    current: Annotated[
        Path, typer.Argument(help="The table to compare with it.", show_default=False)
    ],
    bins: Annotated[
        int | None,
        typer.Option("--bins", min=1, help="Score bins (default: the card's classes, or 10)."),
    ] = None,
    param: ParamOpt = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    trust_models: TrustOpt = False,
) -> None:
    """Population stability index of the score, of each bins block, and rule firing shifts.

    PSI >= 0.1 is flagged as a shift, >= 0.25 as a major shift.

    Example: scorecard stability scorecards/churn_risk.scorecard jan.parquet jun.parquet
    """

    def work() -> None:
        (sc,) = load_cards([card], trust_models)
        params = split_params([sc], param or [])[0]
        base_rows = _score(sc, baseline, params, [])
        cur_rows = _score(sc, current, params, [])
        n = bins or sc.program.classes or 10
        try:
            st = stability_mod.stability(base_rows, cur_rows, n)
        except ReportError as exc:
            raise _report_error(exc, "E1004") from None
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
        _emit(payload, items, as_json, html, page)

    guarded(work)


@app.command()
def fairness(
    card: Annotated[Path, typer.Argument(help="The scorecard file.", show_default=False)],
    data: Annotated[Path, typer.Argument(help="The table to score.", show_default=False)],
    by: Annotated[
        str, typer.Option("--by", help="A column the card marks `sensitive`: the groups.")
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
) -> None:
    """Selection rate and mean score per group, and the disparate-impact ratio (flag < 0.8).

    Example: scorecard fairness scorecards/churn_risk.scorecard customers.csv --by gender --top 10%
    """
    parsed = parse_top(top)

    def work() -> None:
        (sc,) = load_cards([card], trust_models)
        params = split_params([sc], param or [])[0]
        column = next((c for c in sc.program.inputs if c.name == by), None)
        if column is None or not column.sensitive:
            what = "is not an input of the card" if column is None else "is not marked sensitive"
            raise ScorecardError(
                [
                    error(
                        "E1003",
                        f"--by {by!r} {what}",
                        None if column is None else column.span,
                        "fairness reads only columns declared `sensitive` in the input block",
                    ).with_file(str(card))
                ],
                sc.source,
            )
        rows = _score(sc, data, params, [by])
        k = None if parsed is None else fairness_mod.TopK(float(parsed[0]), parsed[1])
        try:
            fa = fairness_mod.fairness(rows, by, rows.extra[by], k)
        except ReportError as exc:
            raise _report_error(exc, "E1005") from None
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
        _emit(payload, items, as_json, html, page)

    guarded(work)
