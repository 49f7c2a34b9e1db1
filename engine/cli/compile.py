"""`scorecard compile CARD --dialect D --table T`: the card as one warehouse SQL statement."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from engine.backends.sql.dbt import DbtOptions
from engine.backends.sql.dbt_schema import schema_yml
from engine.backends.sql.dialects import DIALECT_NAMES, UPPER_CASE_VARIANTS
from engine.backends.sql.export import compile_card
from engine.check.params import parse_overrides
from engine.check.source import check_file
from engine.cli.app import app, stderr
from engine.cli.common import TemplatesOpt, TrustOpt, shared_options
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
            help="Write a dbt model file ({{ source() }} or {{ ref() }} for the table, params as "
            "{{ var() }}) and, with -o, its NAME.yml (descriptions, tests) beside it.",
        ),
    ] = False,
    materialized: Annotated[
        str | None,
        typer.Option(
            "--materialized",
            help="With --dbt: write config(materialized=X) (default: the project's setting).",
            show_default=False,
        ),
    ] = None,
    incremental: Annotated[
        str | None,
        typer.Option(
            "--incremental",
            help="With --dbt: an incremental model keyed on the card's key, reading only rows "
            "whose input COLUMN (an updated_at) is past the latest one scored.",
            metavar="COLUMN",
            show_default=False,
        ),
    ] = None,
    templates: TemplatesOpt = None,
    upper_case: Annotated[
        bool,
        typer.Option(
            "--upper-case",
            help="Snowflake: write names upper-cased and unquoted where they can be (for "
            "columns created unquoted); see docs/sql.md.",
        ),
    ] = False,
    trust_models: TrustOpt = False,
) -> None:
    """Turn a card into one SQL SELECT giving, in the warehouse, the rows `apply` gives.

    Exit status 0 on success, 1 for a problem with the card or a model that has no SQL form.

    Example: scorecard compile scorecards/churn_risk.scorecard --dialect postgres
    --table analytics.customers -o churn_risk.sql
    """
    if not dbt and (materialized is not None or incremental is not None):
        option = "--materialized" if materialized is not None else "--incremental"
        raise typer.BadParameter(f"{option} needs --dbt", param_hint=option)
    if materialized is not None and incremental is not None:
        raise typer.BadParameter(
            "--incremental writes materialized='incremental': give one of them",
            param_hint="--materialized",
        )
    name = dialect.value
    if upper_case:
        if name not in UPPER_CASE_VARIANTS:
            raise typer.BadParameter(
                f"--upper-case is for {', '.join(UPPER_CASE_VARIANTS)}, not {name}: "
                f"{name} keeps quoted names as written",
                param_hint="--upper-case",
            )
        name = UPPER_CASE_VARIANTS[name]
    options = DbtOptions(materialized, incremental) if dbt else None
    try:
        written = _compile(card, name, table, output, param or [], options, trust_models, templates)
    except ScorecardError as exc:
        print_diagnostics(exc.diagnostics, exc.source)
        raise typer.Exit(1) from None
    for path in written:
        stderr.print(f"wrote {path}")


def schema_path(model: Path) -> Path:
    """Where the properties of a dbt model are written: `NAME.yml` beside `NAME.sql`."""
    return model.with_suffix(".yml")


def _compile(
    card: Path,
    dialect: str,
    table: str,
    output: Path | None,
    assignments: list[str],
    options: DbtOptions | None,
    trust_models: bool,
    templates: Path | None,
) -> list[Path]:
    """Write the statement (or the dbt model and its properties); the files written."""
    checked = check_file(card)
    program = checked.checked_program()
    print_diagnostics(checked.diagnostics, checked.source)
    to_file = output is not None and str(output) != "-"
    if to_file:
        assert output is not None
        check_output(output, checked.files())
        if options is not None:
            check_output(schema_path(output), [*checked.files(), ("dbt model", output)])
    params = parse_overrides(program, assignments)
    text = compile_card(
        program,
        checked.base_dir,
        dialect,
        table,
        trust_models=trust_models,
        params=params,
        dbt=options if options is not None else False,
        templates=templates,
    )
    if not to_file or output is None:
        write_stdout(text)
        return []
    write_text(output, text)
    if options is None:
        return [output]
    kept = (options.incremental,) if options.incremental is not None else ()
    write_text(schema_path(output), schema_yml(program, output.stem, kept))
    return [output, schema_path(output)]
