"""`scorecard quality CARD DATA`: is the table fit to be scored by the card?

Calls `engine.quality.run.quality_of` and prints rich tables, or JSON with `--json`;
`--html FILE` also writes the self-contained page (the evaluation report's layout).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from engine.api import Scorecard
from engine.cli.app import app
from engine.cli.common import NO_READ, HtmlOpt, JsonOpt, ReadArgs, shared_options
from engine.cli.evaluate import ReportView, report_command
from engine.evaluate import report
from engine.run.options import Progress


def split_columns(items: list[str] | None) -> list[str]:
    """`--match a,b --match c` -> [a, b, c], each named once, in order."""
    names = [c.strip() for item in items or [] for c in item.split(",") if c.strip()]
    return list(dict.fromkeys(names))


@app.command()
@shared_options(reads=True)
def quality(
    card: Annotated[
        Path, typer.Argument(readable=False, help="The scorecard file.", show_default=False)
    ],
    data: Annotated[
        Path, typer.Argument(readable=False, help="The table to check.", show_default=False)
    ],
    match: Annotated[
        list[str] | None,
        typer.Option(
            "--match",
            help="Find likely duplicate customers on these columns: COL,COL,... (needs the "
            "`quality` extra: splink on DuckDB).",
            show_default=False,
        ),
    ] = None,
    threshold: Annotated[
        float,
        typer.Option(
            "--match-threshold",
            min=0.0,
            max=1.0,
            help="With --match: the match probability from which two rows are reported.",
        ),
    ] = 0.9,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    read: ReadArgs = NO_READ,
) -> None:
    """Nulls, values of the wrong type, values no bin takes, unseen categories, constant
    columns and duplicate keys (as read and normalised), per declared column of the card.

    Example: scorecard quality scorecards/bins_points.scorecard customers.csv
    --match last_name,first_name,zip,birth_date --html quality.html
    """
    columns = split_columns(match)

    def measure(sc: Scorecard, params: dict[str, Any], bar: Progress | None) -> ReportView:
        from engine.quality.page import quality_page
        from engine.quality.run import quality_of
        from engine.quality.tables import quality_tables

        q = quality_of(sc, read.source(data, card), columns, threshold, progress=bar)
        items = quality_tables(q)
        return ReportView(report.jsonable(q), items, quality_page(q, str(card)))

    report_command(card, [data], False, None, measure, as_json, html)
