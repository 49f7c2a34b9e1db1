"""A card as a dbt model: the statement inside `{% raw %}`, params as `var()`, a header.

The model reads its table through `{{ source() }}` or `{{ ref() }}`; each param of the card is
`CAST('{{ var("NAME", "DEFAULT") }}' AS TYPE)`, the var's text escaped into one string literal
by Jinja filters (`sqltext.jinja_var_literal`), so `dbt run --vars '{as_of: 2026-12-01}'`
changes it and no value can end the literal. The model has no `config()` unless asked: the
project's `+materialized` applies. `--incremental COLUMN` adds an incremental config keyed on
the card's key, carries COLUMN into the result and reads, on incremental runs, only the rows
whose COLUMN is past the latest one already scored; a card with `classes` is refused (a rank
over the whole table cannot be computed on new rows alone).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from engine import ir
from engine.backends.sql import compile_program, get_dialect, table_parts, template_diagnostic
from engine.backends.sql.dialects import Dialect
from engine.backends.sql.sqltext import (
    Sql,
    jinja_raw,
    jinja_string,
    jinja_var_literal,
    join,
    sql,
    strip,
)
from engine.backends.sql.templates import Renderer, UserTemplateError
from engine.diagnostics import ScorecardError, error
from engine.program import Program
from engine.types import ScalarType


@dataclass(frozen=True)
class DbtOptions:
    """What `scorecard compile --dbt` was asked for beyond the statement."""

    materialized: str | None = None
    """A `config(materialized=...)` written into the model; None leaves the project's."""
    incremental: str | None = None
    """The input column that orders new rows (an `updated_at`); None: not incremental."""
    templates: Path | None = None
    """A folder of the user's templates, looked up first (`dbt_model.sql.j2` among them)."""


def card_digest(program: Program) -> str:
    """The sha256 of the card file's bytes (empty when the card has no file)."""
    if program.source_path is None:
        return ""
    try:
        return hashlib.sha256(program.source_path.read_bytes()).hexdigest()
    except OSError:
        return ""


def value_text(value: ir.Value) -> str:
    """A param's value as the text `--vars` would give it (ISO dates, `true`/`false`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _placeholder(what: str) -> str:
    """A name no card holds (a fresh uuid), replaced by Jinja code once the SQL is written."""
    return f"__scorecard_{what}_{uuid.uuid4().hex}__"


def _with_params_as(program: Program, refs: Mapping[str, ir.Expr]) -> Program:
    """The program with each `Param` replaced by the expression in `refs` (placeholders)."""

    def sub(e: ir.Expr) -> ir.Expr:
        if isinstance(e, ir.Param):
            return refs.get(e.name, e)
        kids = ir.children(e)
        if not kids:
            return e
        new = tuple(sub(k) for k in kids)
        return (
            e if all(n is k for n, k in zip(new, kids, strict=True)) else ir.with_children(e, new)
        )

    return replace(
        program,
        definitions=tuple(replace(x, expr=sub(x.expr)) for x in program.definitions),
        rules=tuple(replace(r, cond=sub(r.cond), points=sub(r.points)) for r in program.rules),
        bins=tuple(
            replace(b, entries=tuple(replace(e, cond=sub(e.cond)) for e in b.entries))
            for b in program.bins
        ),
        excludes=tuple(replace(x, cond=sub(x.cond)) for x in program.excludes),
        segments=tuple(
            replace(s, cond=None if s.cond is None else sub(s.cond)) for s in program.segments
        ),
    )


def _source_call(table: str) -> Sql:
    parts = table.split(".")
    if not table or any(not p for p in parts) or len(parts) > 2:
        raise ScorecardError(
            [error("E903", f"for --dbt the table is `model` or `source.table`, not {table!r}")]
        )
    table_parts(table)
    args = join(", ", (jinja_string(p) for p in parts))
    return sql("{{{{ source({}) }}}}", args) if len(parts) == 2 else sql("{{{{ ref({}) }}}}", args)


def _check_incremental(program: Program, column: str) -> None:
    span = program.source_path
    where = str(span) if span is not None else None
    if program.classes is not None:
        diag = error(
            "E910",
            f"--incremental: card `{program.name}` has `classes {program.classes}`, a rank over "
            "the whole table that rows scored in earlier runs would keep stale",
            None,
            "materialize it as a table (drop --incremental), or move the classes downstream",
        )
        raise ScorecardError([diag.with_file(where) if where else diag])
    names = [c.name for c in program.inputs]
    if column not in names or column == program.key.name:
        diag = error(
            "E911",
            f"--incremental {column!r}: expected an input column of card `{program.name}` "
            "other than the key that grows with each change (an `updated_at`)",
            None,
            "declare it in the card's `input` block; the inputs are: " + ", ".join(names),
        )
        raise ScorecardError([diag.with_file(where) if where else diag])


def _config(program: Program, options: DbtOptions, d: Dialect) -> Sql | None:
    items: list[Sql] = []
    hooks = d.local_settings()
    if hooks:
        items.append(sql("pre_hook=[{}]", join(", ", [jinja_string(h) for h in hooks])))
    if options.incremental is not None:
        items.append(sql("materialized={}", jinja_string("incremental")))
        items.append(sql("unique_key={}", jinja_string(program.key.name)))
    elif options.materialized is not None:
        items.append(sql("materialized={}", jinja_string(options.materialized)))
    if not items:
        return None
    return sql("{{{{ config({}) }}}}", join(", ", items))


def _header(program: Program, d: Dialect, defaults: Mapping[str, ir.Value]) -> Sql:
    version = program.metadata.get("version", "")
    file = program.source_path.name if program.source_path is not None else program.name
    lines = [
        sql(
            "-- dbt model of scorecard {}{}, written by `scorecard compile --dbt`",
            d.comment(program.name),
            sql(" version {}", d.comment(version)) if version else sql(""),
        ),
        sql("-- card file {}, sha256 {}", d.comment(file), d.comment(card_digest(program))),
    ]
    if program.params:
        lines.append(sql("-- params, as dbt vars (default from the card):"))
        for p in program.params:
            lines.append(
                sql(
                    "--   {} ({}) = {}",
                    d.comment(p.name),
                    d.comment(p.type.value),
                    d.comment(value_text(defaults[p.name])),
                )
            )
    return join("\n", lines)


def dbt_model(
    program: Program,
    dialect: str,
    table: str,
    *,
    defaults: Mapping[str, ir.Value] | None = None,
    options: DbtOptions | None = None,
) -> str:
    """A dbt model file for a program whose models are linked and params are not bound.

    `defaults` override the card's param values as the vars' defaults. Everything but the
    `config()`, `source()`/`ref()`, `var()` and `is_incremental()` calls is inside `{% raw %}`,
    so no label or string of the card is read as Jinja.
    """
    options = options or DbtOptions()
    d = get_dialect(dialect)
    call = _source_call(table)
    values = {p.name: (defaults or {}).get(p.name, p.value) for p in program.params}
    holes: dict[Sql, Sql] = {}
    refs: dict[str, ir.Expr] = {}
    for p in program.params:
        name = _placeholder("param")
        marker = d.quote(name)
        literal = jinja_var_literal(
            p.name, value_text(values[p.name]), d.string_style, lower=p.type is ScalarType.BOOL
        )
        holes[marker] = d.render("cast", literal, d.type_sql(p.type))
        refs[p.name] = ir.Ref(name, p.type)
    kept: tuple[str, ...] = ()
    table_marker = d.quote(_placeholder("table"))
    holes[table_marker] = call
    if options.incremental is not None:
        _check_incremental(program, options.incremental)
        kept = (options.incremental,)
        column = d.quote(options.incremental)
        holes[table_marker] = sql(
            "(SELECT * FROM {}{{% if is_incremental() %}} WHERE {} > "
            "(SELECT MAX({}) FROM {{{{ this }}}}){{% endif %}}) AS {}",
            call,
            column,
            column,
            d.quote("source_rows"),
        )
    select = compile_program(
        _with_params_as(program, refs),
        dialect,
        table,
        table_sql=table_marker,
        kept=kept,
        templates=options.templates,
    )
    body = jinja_raw(join("\n", [_header(program, d, values), select]), holes)
    try:
        renderer = Renderer(d, options.templates)
        model = renderer.dispatch("dbt_model", config=_config(program, options, d), body=body)
    except UserTemplateError as exc:
        raise ScorecardError([template_diagnostic(exc)]) from None
    return strip(model) + "\n"
