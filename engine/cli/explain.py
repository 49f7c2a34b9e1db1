"""`scorecard explain CARD DATA --key VALUE...`: every value that made some rows' scores."""

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
from engine.cli.progress_bar import run_progress
from engine.diagnostics import ScorecardError, error, os_reason


def read_keys(path: Path, key_column: str) -> list[str]:
    """One key a line; blank lines skipped, and a first line that is the key column's name
    (a one-column CSV export) taken as a header."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ScorecardError(
            [error("E849", f"--keys {str(path)!r}: cannot read the keys: {os_reason(exc)}")]
        ) from None
    keys = [line.strip() for line in lines if line.strip()]
    if keys and keys[0] == key_column:
        keys = keys[1:]
    if not keys:
        raise ScorecardError([error("E849", f"--keys {str(path)!r}: the file holds no key")])
    return keys


@app.command()
@shared_options(reads=True)
def explain(
    card: Annotated[
        Path, typer.Argument(readable=False, help="The scorecard file.", show_default=False)
    ],
    data: Annotated[
        Path, typer.Argument(readable=False, help="The data file.", show_default=False)
    ],
    key: Annotated[
        list[str] | None,
        typer.Option("--key", help="The key value of a row to explain (repeatable)."),
    ] = None,
    keys: Annotated[
        Path | None,
        typer.Option(
            "--keys", help="A file of keys to explain, one a line.", metavar="FILE", readable=False
        ),
    ] = None,
    param: ParamOpt = None,
    trust_models: TrustOpt = False,
    read: ReadArgs = NO_READ,
) -> None:
    """Print every let, rule (fired or not, points), bins (matched bin, points), model output,
    the points, score, segment, class, reasons and exclusion for some rows, with the raw
    input values each contribution read. Only the rows with these keys are read.

    Example: scorecard explain scorecards/rules_only.scorecard scorecards/data/customers.csv --key C000003 --key C000007
    """
    if not key and keys is None:
        raise typer.BadParameter("give --key VALUE (repeatable) or --keys FILE", param_hint="--key")

    def work() -> None:
        cards = load_cards([card], trust_models)
        params = split_params(cards, param or [])
        wanted = list(key or [])
        if keys is not None:
            wanted += read_keys(keys, cards[0].program.key.name)
        source = read.source(data, card)
        with run_progress() as bar:
            found = cards[0].explain_keys(source, wanted, params=params[0], progress=bar)
        for explanation, shown_key in zip(found, wanted, strict=True):
            table = Table(
                title=f"{cards[0].name}: {shown_key}", show_edge=False, header_style="bold"
            )
            for column in ("kind", "name", "value", "detail", "reads"):
                table.add_column(column)
            for kind, name, value, detail in explanation.items:
                shown = "null" if value is None else str(value)
                reads = explanation.raw_values(name) if kind not in ("result", "points") else ""
                table.add_row(kind, escape(name), escape(shown), escape(detail), escape(reads))
            stdout.print(table)

    guarded(work)
