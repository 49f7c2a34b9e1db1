"""From a card file to SQL text: params bound, models linked in their SQL form, then compiled.

This is what `scorecard compile` and the in-warehouse mode of `scorecard apply` call.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from engine import ir
from engine.api import Scorecard
from engine.backends.sql import compile_program, dbt_model
from engine.params import check_overrides
from engine.program import Program, bind_params


def sql_program(card: Scorecard, params: Mapping[str, ir.Value] | None = None) -> Program:
    """The card's program with params bound and every model replaced by its expression.

    A model with no expression form is an error naming its estimator (raised by `link`).
    """
    values = check_overrides(card.program, params or {})
    program = bind_params(card.program, values)
    if not program.models:
        return program
    from engine.models import link

    base = card.path.parent if card.path is not None else Path.cwd()
    return link(program, base, card.trust_models, for_sql=True).program


def compile_card(
    card: Scorecard,
    dialect: str,
    table: str,
    *,
    params: Mapping[str, ir.Value] | None = None,
    dbt: bool = False,
) -> str:
    """The card as one SELECT for `dialect` (with a trailing `;`), or as a dbt model file."""
    program = sql_program(card, params)
    if dbt:
        return dbt_model(program, dialect, table)
    return compile_program(program, dialect, table) + ";\n"
