"""`example` blocks: given values must be input columns of the right type, expected names
must be results the card computes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from engine import ir, results
from engine.check.expressions import literal_of, type_words
from engine.check.suggest import did_you_mean
from engine.diagnostics import Diagnostic, error
from engine.program import ExampleDef, ReasonsDef
from engine.syntax import ast
from engine.types import ScalarType, common_type


class Declared(Protocol):
    """What an example needs to know of a declared name."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def type(self) -> ScalarType | None: ...


class ExampleScope(Protocol):
    """The part of the checker an example is checked against (the checker itself)."""

    @property
    def diagnostics(self) -> list[Diagnostic]: ...

    @property
    def decls(self) -> Mapping[str, Declared]: ...

    def expect_type(self, name: str, reasons: ReasonsDef | None) -> ScalarType | None: ...


def _value(
    node: ast.Node, want: ScalarType, checker: ExampleScope, what: str
) -> tuple[bool, ir.Value]:
    if isinstance(node, ast.MissingLit):
        return True, None
    lit = literal_of(node)
    if lit.type == want:
        return True, lit.value
    if want == ScalarType.FLOAT and lit.type == ScalarType.INT:
        return True, float(lit.value)  # type: ignore[arg-type]
    if common_type(want, lit.type) is None or want != ScalarType.FLOAT:
        checker.diagnostics.append(
            error(
                "E701",
                f"{what} is {want.value}, but this value is {type_words(lit.type)}",
                node.span,
            )
        )
        return False, None
    return True, lit.value


def check_example(
    stmt: ast.ExampleStmt, checker: ExampleScope, reasons: ReasonsDef | None
) -> ExampleDef | None:
    ok = True
    given: dict[str, ir.Value] = {}
    inputs = {d.name: d for d in checker.decls.values() if d.kind == "input"}
    for a in stmt.given:
        name = a.target.name
        if name in given:
            checker.diagnostics.append(error("E702", f"`{name}` is given twice", a.target.span))
            ok = False
            continue
        decl = inputs.get(name)
        if decl is None or decl.type is None:
            checker.diagnostics.append(
                error(
                    "E700",
                    f"`{name}` is not an input column{did_you_mean(name, inputs)}",
                    a.target.span,
                )
            )
            ok = False
            continue
        good, value = _value(a.value, decl.type, checker, f"the column `{name}`")
        ok &= good
        given[name] = value
    expect: dict[str, ir.Value] = {}
    spans = {}
    for a in stmt.expect:
        name = a.target.name
        if name in expect:
            checker.diagnostics.append(error("E702", f"`{name}` is expected twice", a.target.span))
            ok = False
            continue
        want = checker.expect_type(name, reasons)
        if want is None:
            known = [
                *results.TYPES,
                *(results.reason(i) for i in range(1, (reasons.count if reasons else 0) + 1)),
                *(d.name for d in checker.decls.values() if d.kind != "param"),
            ]
            checker.diagnostics.append(
                error(
                    "E700",
                    f"`{name}` is not a result an example can expect{did_you_mean(name, known)}",
                    a.target.span,
                )
            )
            ok = False
            continue
        good, value = _value(a.value, want, checker, f"`{name}`")
        ok &= good
        expect[name] = value
        if a.target.span is not None:
            spans[name] = a.target.span
    if not ok:
        return None
    return ExampleDef(stmt.name.value, given, expect, stmt.span, spans)
