"""`scorecard compile CARD --dialect D --table T`: the card as one warehouse SQL statement."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from engine.backends.sql.dialects import DIALECT_NAMES
from engine.backends.sql.export import compile_card
from engine.check import check_file
from engine.check.params import parse_overrides
from engine.cli.app import app, stderr
from engine.cli.common import TrustOpt, shared_options
from engine.cli.render import print_diagnostics
from engine.diagnostics import ScorecardError
from engine.io.outputs import check_output, write_stdout, write_text

Dialects = Enum("Dialects", {name: name for name in DIALECT_NAMES}, type=str)  # type: ignore[misc]


@app.command()
@shared_options(reads=False)
def compile(
    card: Annotated[
        Path,
        typer.Argument(
            readable=False, help="The scorecard file.", metavar="CARD", show_default=False
        ),
    ],
    dialect: Annotated[
        Dialects,
        typer.Option("--dialect", "-d", help="SQL dialect.", show_default=False),
    ],
    table: Annotated[
        str,
        typer.Option(
            "--table",
            "-t",
            help="The customer table: NAME, SCHEMA.NAME or DB.SCHEMA.NAME (each part quoted "
            "as written). With --dbt: a model NAME or SOURCE.TABLE.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write the SQL here (default, or `-`: stdout).",
            readable=False,
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="Override a param: NAME=VALUE (repeatable)."),
    ] = None,
    dbt: Annotated[
        bool,
        typer.Option(
            "--dbt",
            help="Write a dbt model file: config block, {{ source() }} or {{ ref() }} for the "
            "table.",
        ),
    ] = False,
    trust_models: TrustOpt = False,
) -> None:
    """Turn a card into one SQL SELECT giving, in the warehouse, the rows `apply` gives.

    Exit status 0 on success, 1 for a problem with the card or a model that has no SQL form.

    Example: scorecard compile scorecards/churn_risk.scorecard --dialect postgres
    --table analytics.customers -o churn_risk.sql
    """
    try:
        checked = check_file(card)
        program = checked.checked_program()
        print_diagnostics(checked.diagnostics, checked.source)
        if output is not None:
            check_output(output, checked.files())
        params = parse_overrides(program, param or [])
        text = compile_card(
            program,
            checked.base_dir,
            dialect.value,
            table,
            trust_models=trust_models,
            params=params,
            dbt=dbt,
        )
        if output is None or str(output) == "-":
            write_stdout(text)
            return
        write_text(output, text)
    except ScorecardError as exc:
        print_diagnostics(exc.diagnostics, exc.source)
        raise typer.Exit(1) from None
    stderr.print(f"wrote {output}")
