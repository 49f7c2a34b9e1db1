"""The in-warehouse mode of `scorecard apply`: `--db URL --table T --into RESULT_TABLE`.

The card is compiled to SQL and run inside the database (engine.backends.sql.warehouse); the
data never comes into Python. `apply` calls `apply_in_db` when `--db` is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer
from rich.markup import escape

from engine.backends.sql.warehouse import apply_in_warehouse
from engine.check import check_file
from engine.check.params import parse_overrides
from engine.cli.app import stderr
from engine.cli.render import print_diagnostics
from engine.diagnostics import ScorecardError


def apply_in_db(
    paths: Sequence[Path],
    db: str,
    table: str | None,
    into: str | None,
    params: Sequence[str],
    trust_models: bool,
) -> None:
    """Check the options, run the card in the database, report the table written."""
    if len(paths) != 1:
        raise typer.BadParameter("with --db, give exactly one CARD (no DATA file)")
    if not table or not into:
        raise typer.BadParameter("--db needs --table (the customers) and --into (the results)")
    try:
        checked = check_file(paths[0])
        program = checked.checked_program()
        print_diagnostics(checked.diagnostics, checked.source)
        values = parse_overrides(program, params)
        run = apply_in_warehouse(
            program, checked.base_dir, db, table, into, trust_models=trust_models, params=values
        )
    except ScorecardError as exc:
        print_diagnostics(exc.diagnostics, exc.source)
        raise typer.Exit(1) from None
    stderr.print(f"{escape(program.name)}: wrote {run.rows} rows to {escape(into)} ({run.dialect})")
