"""`scorecard explain CARD DATA --key VALUE`: every value that made one row's score."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from engine.cli.app import app, stdout
from engine.cli.common import (
    NO_READ,
    ParamOpt,
    ReadArgs,
    TrustOpt,
    guarded,
    load_cards,
    shared_options,
    split_params,
)


@app.command()
@shared_options(reads=True)
def explain(
    card: Annotated[
        Path, typer.Argument(readable=False, help="The scorecard file.", show_default=False)
    ],
    data: Annotated[
        Path, typer.Argument(readable=False, help="The data file.", show_default=False)
    ],
    key: Annotated[str, typer.Option("--key", help="The key value of the row to explain.")],
    param: ParamOpt = None,
    trust_models: TrustOpt = False,
    read: ReadArgs = NO_READ,
) -> None:
    """Print every let, rule (fired or not, points), bins (matched bin, points), model output,
    the points, score, segment, class, reasons and exclusion for one row.

    Example: scorecard explain scorecards/rules_only.scorecard scorecards/data/customers.csv --key C000003
    """

    def work() -> None:
        cards = load_cards([card], trust_models)
        params = split_params(cards, param or [])
        explanation = cards[0].explain(read.source(data, card), key, params=params[0])
        table = Table(title=f"{cards[0].name}: {key}", show_edge=False, header_style="bold")
        for column in ("kind", "name", "value", "detail"):
            table.add_column(column)
        for kind, name, value, detail in explanation.items:
            shown = "null" if value is None else str(value)
            table.add_row(kind, escape(name), escape(shown), escape(detail))
        stdout.print(table)

    guarded(work)
