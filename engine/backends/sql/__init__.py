"""The SQL backend: a checked program as one SELECT statement per dialect.

    from engine.backends.sql import compile_program
    sql = compile_program(program, "postgres", "analytics.customers")

The statement gives, in the warehouse, the rows `scorecard apply` gives (docs/sql.md): the
expressions come from `expressions` (IR -> SQL, per-dialect tables in `dialects`), the layout
from the Jinja templates under `templates/` (dispatched dialect -> default, as dbt does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from engine import ir
from engine.backends.sql.dialects import DIALECT_NAMES, Dialect, UnknownDialectError, get_dialect
from engine.backends.sql.expressions import SqlCompileError
from engine.backends.sql.sqltext import (
    Sql,
    SqlTextError,
    join,
    strip,
)
from engine.backends.sql.statement import build, model_errors
from engine.backends.sql.templates import Renderer, UserTemplateError
from engine.backends.sql.text_checks import nul_diagnostics
from engine.diagnostics import Diagnostic, ScorecardError, error
from engine.program import Program, bind_params

__all__ = [
    "DIALECT_NAMES",
    "SqlCompileError",
    "UnknownDialectError",
    "compile_program",
    "create_table_statement",
    "get_dialect",
    "quote_table",
]


def table_parts(table: str) -> list[str]:
    parts = table.split(".")
    if not table or any(not p for p in parts):
        raise ScorecardError([error("E903", f"the table name {table!r} has an empty part")])
    if "\x00" in table:
        raise ScorecardError(
            [error("E903", f"the table name {table!r} holds the character U+0000 (NUL)")]
        )
    return parts


def quote_table(dialect: Dialect, table: str) -> Sql:
    """`schema.table` (or `db.schema.table`) with each part quoted; a part may not be empty."""
    return join(".", (dialect.quote(p) for p in table_parts(table)))


def _program_diagnostics(program: Program, dialect: str) -> list[Diagnostic]:
    out = []
    for name in model_errors(program):
        model = next((m for m in program.models if m.name == name), None)
        where = f" ({model.path.name})" if model is not None else ""
        out.append(
            error(
                "E901",
                f"model `{name}`{where} cannot be compiled to SQL: its estimator runs only on "
                "batches in Python",
                model.span if model is not None else None,
                "compile models scikit-learn can express as formulas (linear models, trees, "
                "gradient boosting), or score with `scorecard apply`",
            )
        )
    return out


def _bound(program: Program, params: Mapping[str, ir.Value] | None) -> Program:
    return bind_params(program, params) if params or program.params else program


def compile_program(
    program: Program,
    dialect: str,
    table: str,
    *,
    params: Mapping[str, ir.Value] | None = None,
    table_sql: Sql | None = None,
    kept: Sequence[str] = (),
    templates: Path | None = None,
) -> Sql:
    """The SELECT statement (no trailing semicolon) that scores `table` in `dialect`.

    `params` override the card's params (already parsed to their types). `table_sql`, when
    given, is written in place of the quoted table name (dbt's `{{ source(...) }}`); `kept`
    names inputs of the card passed through to the result after the key; `templates` is a
    folder of the user's templates (`DIR/<dialect>/NAME.sql.j2`, `DIR/default/NAME.sql.j2`),
    looked up before the package's.
    Raises `ScorecardError` for a program that cannot be written in SQL (a batch-only model).
    """
    d = get_dialect(dialect)
    path = str(program.source_path) if program.source_path is not None else None
    problems = _program_diagnostics(program, dialect)
    if problems:
        raise ScorecardError([p.with_file(path) if path else p for p in problems])
    bound = _bound(program, params)
    try:
        statement = build(
            bound, d, table_sql if table_sql is not None else quote_table(d, table), kept, templates
        )
    except SqlTextError as exc:
        # Text the quoting refused: name its place in the card (looked for only now, since
        # walking every expression for it would slow down every compile).
        places = nul_diagnostics(bound) or [error("E902", f"cannot compile to {dialect}: {exc}")]
        raise ScorecardError([p.with_file(path) if path else p for p in places]) from None
    except SqlCompileError as exc:
        diag = error("E902", f"cannot compile to {dialect}: {exc}")
        raise ScorecardError([diag.with_file(path) if path else diag]) from None
    except UserTemplateError as exc:
        raise ScorecardError([template_diagnostic(exc)]) from None
    return strip(statement)


def template_diagnostic(exc: UserTemplateError) -> Diagnostic:
    """E912 at the file and line of the user's template that failed."""
    return error(
        "E912",
        f"the template {exc.file} failed at line {exc.line}: {exc.reason}",
        None,
        "templates print only SQL: names through q(NAME) and the values they are given "
        '(docs/sql.md, "Your own templates")',
    ).with_file(exc.file)


def create_table_statement(
    select: Sql, dialect: str, into: str, templates: Path | None = None
) -> Sql:
    """`CREATE TABLE into AS select` for the dialect."""
    d = get_dialect(dialect)
    try:
        renderer = Renderer(d, templates)
        return strip(renderer.dispatch("create_table", into=quote_table(d, into), select=select))
    except UserTemplateError as exc:
        raise ScorecardError([template_diagnostic(exc)]) from None
