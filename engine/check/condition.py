"""A condition in the card language over the columns of a table (not over a card's names).

`apply --select`, `profile --group` and `returns`/`monitor` filters take conditions such as
`class <= 4` or `csp in ["cadre"] and age < 40`. They are parsed by the card's own grammar
(from its `expr` rule) and typed by the card's own expression checker, so they mean exactly
what the same text means inside a card; only the names differ: here a name is a column.
"""

from __future__ import annotations

from collections.abc import Mapping

from engine import ir
from engine.check.expressions import ExprLowerer
from engine.check.suggest import did_you_mean
from engine.diagnostics import Diagnostic, ScorecardError, error
from engine.syntax import ast
from engine.syntax.parser import parse_expression
from engine.types import ScalarType


def check_condition(text: str, columns: Mapping[str, ScalarType], option: str) -> ir.Expr:
    """The typed boolean expression `text` over `columns`; ScorecardError on any problem.

    Diagnostics are placed in the option's text (file `option`, line 1, the column of the
    mistake), e.g. `--select:1:7: error[E200]: unknown name ...`.
    """
    node, diagnostics = parse_expression(text)
    if node is not None and not any(d.is_error for d in diagnostics):

        def resolve(name: ast.Name) -> ir.Expr | None:
            if name.name in columns:
                return ir.Ref(name.name, columns[name.name])
            hint = did_you_mean(name.name, columns)
            diagnostics.append(error("E200", f"unknown name `{name.name}`{hint}", name.span))
            return None

        expr = ExprLowerer(resolve, diagnostics.append).condition(node, option)
        if expr is not None and not any(d.is_error for d in diagnostics):
            return expr
    raise ScorecardError(_placed(diagnostics, option), text)


def _placed(diagnostics: list[Diagnostic], option: str) -> list[Diagnostic]:
    return [d.with_file(option) for d in diagnostics] or [
        error("E100", "this is not a condition").with_file(option)
    ]
