"""The in-warehouse mode of `scorecard apply`: `--db URL --table T --into RESULT_TABLE`.

The card is compiled to SQL and run inside the database (engine.backends.sql.warehouse); the
data never comes into Python. `apply` calls `apply_in_db` when `--db` is given, and prints the
returned figures as the summary of a local run.

The options that shape a local run's output (`-o`, `--keep`, `--explain`, `--top`, `--select`,
`--streaming`) are refused with `--db` (exit 2, naming the option and what to do instead): the
rows are written to the `--into` table and never pass through Python, so silently ignoring them
would give a table the user did not ask for.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from engine.check.cached import load_checked
from engine.check.params import parse_overrides
from engine.cli.app import stderr
from engine.cli.render import print_diagnostics
from engine.diagnostics import ScorecardError

if TYPE_CHECKING:  # the SQL backend loads only when --db is given
    from engine.backends.sql.warehouse import WarehouseRun

WITHOUT_DB = {
    "-o": "the rows are written to the --into table; read them from there",
    "--keep": "join the --into table to the customer table on the key",
    "--explain": "run `scorecard apply --explain` on an extract, or `scorecard explain`",
    "--top": "select from the --into table ORDER BY score DESC, key and LIMIT the rows",
    "--select": "filter the --into table with a WHERE clause",
    "--streaming": "the database runs the statement itself",
    "--dedupe": "remove the duplicate keys in the database first (ROW_NUMBER over the key)",
}
"""Each option of a local run that `--db` refuses, with what to do instead."""


def refuse_with_db(given: Sequence[str]) -> None:
    """A usage error (exit 2) for the first local-run option given together with `--db`."""
    for option in given:
        raise typer.BadParameter(
            f"{option} cannot be used with --db: {WITHOUT_DB[option]}", param_hint=option
        )


def apply_in_db(
    paths: Sequence[Path],
    db: str,
    table: str | None,
    into: str | None,
    params: Sequence[str],
    trust_models: bool,
    templates: Path | None = None,
) -> tuple[str, WarehouseRun]:
    """Check the options, run the card in the database: the card's name and the run's figures."""
    if len(paths) != 1:
        raise typer.BadParameter("with --db, give exactly one CARD (no DATA file)")
    if not table or not into:
        raise typer.BadParameter("--db needs --table (the customers) and --into (the results)")
    from engine.backends.sql.warehouse import apply_in_warehouse

    try:
        checked = load_checked(paths[0])
        program = checked.checked_program()
        print_diagnostics(checked.diagnostics, checked.source)
        values = parse_overrides(program, params)
        run = apply_in_warehouse(
            program,
            checked.base_dir,
            db,
            table,
            into,
            trust_models=trust_models,
            params=values,
            templates=templates,
        )
    except ScorecardError as exc:
        print_diagnostics(exc.diagnostics, exc.source)
        raise typer.Exit(1) from None
    return program.name, run


def report(run: WarehouseRun) -> None:
    """The last line of an in-warehouse run, after the summary."""
    stderr.print(f"wrote {run.rows} rows to {escape(run.into)} ({run.dialect})")
