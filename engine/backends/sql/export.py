"""From a checked program to SQL text: params bound, models linked in their SQL form, compiled.

This is what `scorecard compile` and the in-warehouse mode of `scorecard apply` call. It takes
the checked `Program` with the folder its model paths are relative to and whether pickled
models may be loaded; never the API's `Scorecard` (so compiling imports no Polars).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from engine import ir
from engine.backends.sql import compile_program, dbt_model
from engine.check.params import check_overrides
from engine.models import cache as compiled_models
from engine.program import Program, bind_params


def sql_program(
    program: Program,
    base: Path,
    *,
    trust_models: bool = False,
    params: Mapping[str, ir.Value] | None = None,
) -> Program:
    """The program with params bound and every model replaced by its expression.

    `base` is the folder model paths are relative to. A model with no expression form is an
    error naming its estimator (raised by `link`).
    """
    values = check_overrides(program, params or {})
    program = bind_params(program, values)
    if not program.models:
        return program
    cached = compiled_models.cached_program(program, base, trust_models, for_run=False)
    if cached is not None:
        return cached[0]
    from engine.models.linking import link  # scikit-learn only when the cache misses

    return link(program, base, trust_models, for_sql=True).program


def compile_card(
    program: Program,
    base: Path,
    dialect: str,
    table: str,
    *,
    trust_models: bool = False,
    params: Mapping[str, ir.Value] | None = None,
    dbt: bool = False,
) -> str:
    """The card as one SELECT for `dialect` (with a trailing `;`), or as a dbt model file."""
    program = sql_program(program, base, trust_models=trust_models, params=params)
    if dbt:
        return dbt_model(program, dialect, table)
    return compile_program(program, dialect, table) + ";\n"
