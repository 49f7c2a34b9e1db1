"""`scorecard profile`: the portrait of a group of customers against the base.

It calls `engine.profile.run.profile_table` and prints the strongest traits in words, then a
table per column; `--json` prints every figure, `--html FILE` writes the page with one bar
chart of index per column.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from engine.cli.app import app, stderr, stdout
from engine.cli.common import (
    NO_READ,
    HtmlOpt,
    JsonOpt,
    ParamOpt,
    ReadArgs,
    TrustOpt,
    guarded,
    load_cards,
    shared_options,
    split_params,
)
from engine.cli.evaluate import print_tables
from engine.cli.progress_bar import run_progress
from engine.run.progress import step


def _names(items: list[str] | None) -> tuple[str, ...]:
    return tuple(c.strip() for item in items or [] for c in item.split(",") if c.strip())


@app.command()
@shared_options(reads=True)
def profile(
    data: Annotated[
        Path,
        typer.Argument(
            readable=False, help="The table the group is taken from.", show_default=False
        ),
    ],
    group: Annotated[
        str,
        typer.Option(
            "--group",
            help="The group: a condition in the card language over the table's columns "
            "(and, with --card, its results), e.g. 'churned = 1' or 'class <= 2'.",
            show_default=False,
        ),
    ],
    base: Annotated[
        Path | None,
        typer.Option(
            "--base",
            help="Compare with this table instead of the whole of DATA.",
            readable=False,
            show_default=False,
        ),
    ] = None,
    card: Annotated[
        Path | None,
        typer.Option(
            "--card",
            help="Score both tables with this card: its results can be used in --group and "
            "are profiled, its bins are the categories of the columns they read.",
            readable=False,
            show_default=False,
        ),
    ] = None,
    columns: Annotated[
        list[str] | None,
        typer.Option(
            "--columns",
            help="Profile only these columns: COL,COL (repeatable); the only way to profile a "
            "sensitive column.",
        ),
    ] = None,
    sensitive: Annotated[
        list[str] | None,
        typer.Option(
            "--sensitive",
            help="Columns to treat as sensitive (besides the card's and gender, sex, race, ...).",
        ),
    ] = None,
    min_count: Annotated[
        int,
        typer.Option("--min-count", help="Categories with fewer base rows are flagged small."),
    ] = 30,
    quantiles: Annotated[
        int,
        typer.Option("--quantiles", help="Numeric columns are cut at this many base quantiles."),
    ] = 10,
    param: ParamOpt = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    trust_models: TrustOpt = False,
    read: ReadArgs = NO_READ,
) -> None:
    """Who is in the group? Each column's categories: share in the group, in the base, index
    (x 100), z-test; columns ranked by Cramér's V; the strongest traits in words.

    Example: scorecard profile scorecards/data/customers.csv --group 'bought_insurance = 1'
    --html portrait.html
    """

    def work() -> None:
        from engine.api import input_files
        from engine.evaluate import report
        from engine.io.outputs import check_output
        from engine.profile import page, tables
        from engine.profile.run import ProfileOptions, profile_table

        cards = load_cards([card], trust_models) if card is not None else []
        if html is not None:
            check_output(html, input_files(cards, *[p for p in (data, base) if p is not None]))
        params = split_params(cards, param or [])[0] if cards else {}
        options = ProfileOptions(_names(columns), _names(sensitive), min_count, quantiles, params)
        with run_progress() as bar:
            found = profile_table(
                read.source(data, card),
                group,
                base=None if base is None else read.source(base, card),
                card=cards[0] if cards else None,
                options=options,
                progress=bar,
            )
            if html is not None:
                step(bar, "writing")
                report.write_html(html, page.profile_report(found))
        if as_json:
            stdout.out(json.dumps(report.jsonable(found), indent=2), highlight=False)
        else:
            _print(found)
            print_tables(tables.profile_tables(found))
        if html is not None:
            stderr.print(f"report written to {escape(str(html))}")

    guarded(work)


def _print(found: object) -> None:
    from engine.profile.run import Profile

    assert isinstance(found, Profile)
    stdout.print(
        f"[bold]Group[/bold] {escape(found.group)}: {found.group_rows:,} rows; "
        f"[bold]base[/bold] {escape(found.base)}: {found.base_rows:,} rows"
    )
    if found.traits:
        stdout.print("[bold]Strongest traits[/bold]")
        for t in found.traits:
            stdout.print(f"  - {escape(t.text)}")
    else:
        stdout.print("No category stands out (index >= 120 or <= 83, significant, not small).")
    stdout.print()
