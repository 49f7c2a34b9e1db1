"""AST -> checked `Program`: declarations, name resolution, dependency order, diagnostics.

Every definition (let, rule, bins, model, `points`, `score`) is lowered on demand, depth
first, so that lets may use each other in any order; a definition met again while it is
being lowered closes a cycle. The post-order of that walk is the program's evaluation order.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import ir, results
from engine.check import shortfall
from engine.check.bins import BinsLowerer
from engine.check.examples import check_example
from engine.check.expressions import ExprLowerer, convert, literal_of, type_words
from engine.check.int_ranges import Bounds, IntRanges
from engine.check.suggest import did_you_mean
from engine.diagnostics import Diagnostic, Span, error, warning
from engine.models.files import check_model_file
from engine.program import (
    BinsDef,
    Definition,
    ExampleDef,
    ExcludeDef,
    InputColumn,
    ModelDef,
    OutcomeDef,
    ParamDef,
    Program,
    ReasonsDef,
    RuleDef,
    SegmentDef,
)
from engine.syntax import ast
from engine.types import ScalarType

F = ScalarType.FLOAT

DeclKind = str  # "input" | "param" | "let" | "rule" | "bins" | "model"


@dataclass
class Decl:
    kind: DeclKind
    name: str
    span: Span | None
    node: Any
    type: ScalarType | None = None


@dataclass
class _State:
    """What the walk has lowered so far."""

    definitions: dict[str, Definition] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    visiting: list[str] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)
    rules: dict[str, RuleDef] = field(default_factory=dict)
    bins: dict[str, BinsDef] = field(default_factory=dict)


class Checker:
    """Checks one card; `run` returns the program (None on errors) and the diagnostics."""

    def __init__(self, card: ast.Card, path: Path | None) -> None:
        self.card = card
        self.path = path
        self.base_dir = path.parent if path is not None else Path.cwd()
        self.diagnostics: list[Diagnostic] = []
        self.decls: dict[str, Decl] = {}
        self.state = _State()
        self.context: list[str] = []  # the definition being lowered, innermost last
        self.allow_score = False
        self.ranges = IntRanges(self._let_bounds)
        self.lowerer = ExprLowerer(self._resolve, self.diagnostics.append, self.ranges)
        self.bins_lowerer = BinsLowerer(self.lowerer, self.diagnostics.append)

    # ------------------------------------------------------------------ helpers

    def _error(self, code: str, message: str, span: Span | None, *notes: str) -> None:
        self.diagnostics.append(error(code, message, span, *notes))

    def _warn(self, code: str, message: str, span: Span | None) -> None:
        self.diagnostics.append(warning(code, message, span))

    def _of(self, kind: type[Any]) -> list[Any]:
        return [s for s in self.card.statements if isinstance(s, kind)]

    def _single(self, kind: type[Any], what: str) -> Any:
        found = self._of(kind)
        for extra in found[1:]:
            line = found[0].span.line if found[0].span else "?"
            self._error("E401", f"{what} is given twice (first on line {line})", extra.span)
        return found[0] if found else None

    # ------------------------------------------------------------------ declarations

    def _declare(self, kind: DeclKind, ident: ast.Ident, node: Any) -> None:
        name = ident.name
        if results.is_reserved(name):
            self._error(
                "E203",
                f"`{name}` is reserved for the card's results: choose another name",
                ident.span,
            )
            return
        if name in self.decls:
            first = self.decls[name]
            line = first.span.line if first.span else "?"
            self._error(
                "E201",
                f"`{name}` is already declared (as {_kind_words(first.kind)} on line {line})",
                ident.span,
            )
            return
        self.decls[name] = Decl(kind, name, ident.span, node)

    def _collect(self) -> tuple[list[InputColumn], list[ParamDef]]:
        header = self._single(ast.Header, "the `scorecard` header")
        if header is None:
            self._error(
                "E400",
                "the card has no `scorecard NAME { ... }` header",
                Span.point(1, 1),
            )
        blocks = self._of(ast.InputBlock)
        if not blocks:
            self._error("E405", "the card has no `input { ... }` block", Span.point(1, 1))
        for extra in blocks[1:]:
            self._error("E401", "the `input` block is given twice: merge them", extra.span)
        inputs: list[InputColumn] = []
        keys: list[ast.Column] = []
        for col in blocks[0].columns if blocks else []:
            mods = set(col.modifiers)
            for i, m in enumerate(col.modifiers):
                if col.modifiers.index(m) != i:
                    self._warn("W408", f"`{m}` is written twice", col.modifier_spans[i])
            before = len(self.decls)
            self._declare("input", col.name, col)
            if len(self.decls) == before:
                continue
            self.decls[col.name.name].type = ScalarType(col.type)
            if "key" in mods:
                keys.append(col)
                if "sensitive" in mods:
                    self._error("E403", "the key column cannot be `sensitive`", col.span)
            inputs.append(
                InputColumn(
                    col.name.name,
                    ScalarType(col.type),
                    key="key" in mods,
                    required="required" in mods or "key" in mods,
                    sensitive="sensitive" in mods,
                    span=col.name.span,
                )
            )
        if blocks and not keys:
            self._error(
                "E402",
                "no input column is marked `key`: mark the customer id, e.g. `id : string key`",
                blocks[0].span,
            )
        for extra in keys[1:]:
            self._error(
                "E402",
                f"only one column can be the `key` (`{keys[0].name.name}` already is)",
                extra.span,
            )
        params: list[ParamDef] = []
        for p in self._of(ast.ParamStmt):
            before = len(self.decls)
            self._declare("param", p.name, p)
            if len(self.decls) == before:
                continue
            ptype = ScalarType(p.type)
            self.decls[p.name.name].type = ptype
            lit = literal_of(p.value)
            if lit.type != ptype and not (ptype == F and lit.type == ScalarType.INT):
                self._error(
                    "E305",
                    f"the param `{p.name.name}` is declared {ptype.value} but its value is "
                    f"{type_words(lit.type)}",
                    p.value.span,
                )
                continue
            value = float(lit.value) if ptype == F else lit.value  # type: ignore[arg-type]
            params.append(ParamDef(p.name.name, ptype, value, p.name.span))
        for kind, cls in (("let", ast.LetStmt), ("rule", ast.RuleStmt), ("bins", ast.BinsStmt)):
            for stmt in self._of(cls):
                self._declare(kind, stmt.name, stmt)
        for stmt in self._of(ast.ModelStmt):
            self._declare("model", stmt.name, stmt)
        return inputs, params

    # ------------------------------------------------------------------ name resolution

    def _resolve(self, node: ast.Name) -> ir.Expr | None:
        name = node.name
        if name == results.SCORE and name not in self.decls:
            if not self.allow_score:
                self._error(
                    "E204",
                    "`score` can only be used in a `segment` condition",
                    node.span,
                )
                return None
            return ir.Ref(results.SCORE, F)
        if name == results.POINTS and name not in self.decls:
            return self._points_ref(node)
        decl = self.decls.get(name)
        if decl is None:
            candidates = [*self.decls, results.POINTS] + (
                [results.SCORE] if self.allow_score else []
            )
            self._error("E200", f"unknown name `{name}`{did_you_mean(name, candidates)}", node.span)
            return None
        if decl.kind == "input":
            assert decl.type is not None
            if decl.node.modifiers and "sensitive" in decl.node.modifiers:
                self._error(
                    "E403",
                    f"`{name}` is marked `sensitive`: it may not be used in the score "
                    "(only reports may read it)",
                    node.span,
                )
                return None
            return ir.Ref(name, decl.type)
        if decl.kind == "param":
            return None if decl.type is None else ir.Param(name, decl.type)
        definition = self._definition(name, node.span)
        return None if definition is None else ir.Ref(name, definition.type)

    def _let_bounds(self, name: str) -> Bounds | None:
        """The bounds of an int let (None for inputs and params: they hold any int)."""
        definition = self.state.definitions.get(name)
        if definition is None or definition.kind != "let":
            return None
        return self.ranges.of(definition.expr)

    def _points_ref(self, node: ast.Name) -> ir.Expr | None:
        definition = self._definition(results.POINTS, node.span)
        return None if definition is None else ir.Ref(results.POINTS, F)

    def _definition(self, name: str, used_at: Span | None) -> Definition | None:
        """The lowered definition of `name`, lowering it (and what it reads) if needed."""
        st = self.state
        if name in st.definitions:
            return st.definitions[name]
        if name in st.failed:
            return None
        if name in st.visiting:
            cycle = [*st.visiting[st.visiting.index(name) :], name]
            self._error(
                "E202",
                "these definitions depend on each other in a cycle: "
                + " -> ".join(f"`{c}`" for c in cycle),
                used_at,
            )
            st.failed.update(cycle)
            return None
        st.visiting.append(name)
        saved_score = self.allow_score
        self.allow_score = False
        try:
            definition = self._lower_definition(name)
        finally:
            self.allow_score = saved_score
            st.visiting.pop()
        if definition is None or name in st.failed:
            st.failed.add(name)
            return None
        st.definitions[name] = definition
        st.order.append(name)
        return definition

    def _lower_definition(self, name: str) -> Definition | None:
        if name == results.POINTS:
            return self._lower_points()
        decl = self.decls[name]
        node = decl.node
        if decl.kind == "let":
            expr = self.lowerer.lower(node.expr)
            return None if expr is None else Definition(name, "let", expr, node.span)
        if decl.kind == "rule":
            return self._lower_rule(node)
        if decl.kind == "bins":
            return self._lower_bins(node)
        if decl.kind == "model":
            return self._lower_model(node)
        raise AssertionError(decl.kind)

    def _contribution_names(self) -> list[str]:
        return [
            s.name.name
            for s in self.card.statements
            if isinstance(s, ast.RuleStmt | ast.BinsStmt)
            and self.decls.get(s.name.name, Decl("", "", None, None)).node is s
        ]

    def _lower_points(self) -> Definition | None:
        terms: list[ir.Expr] = []
        ok = True
        for name in self._contribution_names():
            if self._definition(name, self.decls[name].span) is None:
                ok = False
            terms.append(ir.Ref(name, F))
        if not ok:
            return None
        expr: ir.Expr = ir.Sum(tuple(terms), F) if terms else ir.Literal(0.0, F)
        return Definition(results.POINTS, "points", expr)

    def _lower_rule(self, node: ast.RuleStmt) -> Definition | None:
        cond = self.lowerer.condition(node.cond, f"the condition of rule `{node.name.name}`")
        points = self.lowerer.numeric(node.points, f"the points of rule `{node.name.name}`")
        if cond is None or points is None:
            return None
        label = node.label.value if node.label else None
        self.state.rules[node.name.name] = RuleDef(node.name.name, label, cond, points, node.span)
        return Definition(node.name.name, "rule", ir.If(cond, points, ir.ZERO, F), node.span)

    def _lower_bins(self, node: ast.BinsStmt) -> Definition | None:
        on = node.on.name
        target = self.decls.get(on)
        if target is not None and target.kind not in ("input", "let"):
            self._error(
                "E207",
                f"bins work on an input column or a let, and `{on}` is {_kind_words(target.kind)}",
                node.on.span,
            )
            return None
        subject = self._resolve(node.on)
        if subject is None:
            return None
        entries = self.bins_lowerer.lower(node, subject)
        if entries is None:
            return None
        expr: ir.Expr = ir.ZERO
        for entry in reversed(entries):
            expr = ir.If(entry.cond, ir.Literal(entry.points, F), expr, F)
        label = node.label.value if node.label else None
        self.state.bins[node.name.name] = BinsDef(node.name.name, on, label, entries, node.span)
        return Definition(node.name.name, "bins", expr, node.span)

    def _lower_model(self, node: ast.ModelStmt) -> Definition | None:
        for span in node.duplicate_items:
            self._error("E605", "this model item is given twice", span)
        ok = not node.duplicate_items
        if node.features is None:
            self._error("E603", f"the model `{node.name.name}` needs `features [...]`", node.span)
            ok = False
        if node.output is None:
            self._error(
                "E604",
                f"the model `{node.name.name}` needs `output probability` or `output prediction`",
                node.span,
            )
            ok = False
        features: list[ir.Expr] = []
        for f in node.features or []:
            target = self.decls.get(f.name)
            if target is not None and target.kind not in ("input", "let"):
                self._error(
                    "E207",
                    f"model features are input columns or lets, and `{f.name}` is "
                    f"{_kind_words(target.kind)}",
                    f.span,
                )
                ok = False
                continue
            ref = self._resolve(f)
            if ref is None:
                ok = False
            else:
                features.append(ref)
        self.diagnostics.extend(check_model_file(node, self.base_dir))
        if not ok:
            return None
        return Definition(
            node.name.name, "model", ir.ModelBatch(node.name.name, tuple(features)), node.span
        )

    # ------------------------------------------------------------------ the card

    def run(self) -> Program | None:
        inputs, params = self._collect()
        for decl in list(self.decls.values()):
            if decl.kind in ("let", "rule", "bins", "model"):
                self._definition(decl.name, decl.span)
        points = self._definition(results.POINTS, None)
        score_stmt = self._single(ast.ScoreStmt, "`score`")
        score_expr: ir.Expr | None
        if score_stmt is None:
            score_expr = None if points is None else ir.Ref(results.POINTS, F)
        else:
            self.state.visiting.append(results.SCORE)
            score_expr = self.lowerer.numeric(score_stmt.expr, "the score")
            self.state.visiting.pop()
        if score_expr is not None:
            span = score_stmt.span if score_stmt else None
            self.state.definitions[results.SCORE] = Definition(
                results.SCORE, "score", convert(score_expr, F), span
            )
            self.state.order.append(results.SCORE)
        excludes = self._excludes()
        segments = self._segments()
        classes = self._classes()
        reasons = self._reasons()
        examples = self._examples(reasons)
        outcome = self._outcome()
        if any(d.is_error for d in self.diagnostics):
            return None
        header = self._of(ast.Header)[0]
        st = self.state
        return Program(
            name=header.name.name,
            metadata={m.key: m.value for m in header.meta},
            source_path=self.path,
            inputs=tuple(inputs),
            params=tuple(params),
            definitions=tuple(st.definitions[n] for n in st.order),
            rules=tuple(st.rules[n] for n in self._names(ast.RuleStmt)),
            bins=tuple(st.bins[n] for n in self._names(ast.BinsStmt)),
            models=tuple(self._model_defs()),
            contributions=tuple(self._contribution_names()),
            excludes=tuple(excludes),
            segments=tuple(segments),
            classes=classes,
            reasons=reasons,
            examples=tuple(examples),
            outcome=outcome,
        )

    def _names(self, cls: type[Any]) -> list[str]:
        return [s.name.name for s in self._of(cls) if self.decls[s.name.name].node is s]

    def _model_defs(self) -> list[ModelDef]:
        out = []
        for s in self._of(ast.ModelStmt):
            out.append(
                ModelDef(
                    name=s.name.name,
                    path=(self.base_dir / s.path.value),
                    features=tuple(f.name for f in s.features or []),
                    output=s.output or "probability",
                    output_class=s.output_class.value if s.output_class else None,
                    sha256=s.sha256.value.lower() if s.sha256 else None,
                    span=s.span,
                )
            )
        return out

    def _excludes(self) -> list[ExcludeDef]:
        out = []
        for stmt in self._of(ast.ExcludeStmt):
            cond = self.lowerer.condition(stmt.cond, "the condition of an exclude")
            if cond is not None:
                out.append(ExcludeDef(stmt.label.value, cond, stmt.span))
        return out

    def _segments(self) -> list[SegmentDef]:
        out: list[SegmentDef] = []
        otherwise: ast.SegmentStmt | None = None
        self.allow_score = True
        try:
            for stmt in self._of(ast.SegmentStmt):
                if otherwise is not None:
                    line = otherwise.span.line if otherwise.span else "?"
                    self._error(
                        "E404",
                        f'segment "{stmt.name.value}" can never match: it comes after '
                        f"`otherwise` (line {line})",
                        stmt.span,
                    )
                    continue
                if stmt.cond is None:
                    otherwise = stmt
                    out.append(SegmentDef(stmt.name.value, None, stmt.span))
                    continue
                cond = self.lowerer.condition(
                    stmt.cond, f'the condition of segment "{stmt.name.value}"'
                )
                if cond is not None:
                    out.append(SegmentDef(stmt.name.value, cond, stmt.span))
        finally:
            self.allow_score = False
        return out

    def _classes(self) -> int | None:
        stmt = self._single(ast.ClassesStmt, "`classes`")
        if stmt is None:
            return None
        if not 1 <= stmt.count <= 1000:
            self._error("E406", "`classes` must be a whole number from 1 to 1000", stmt.span)
            return None
        return int(stmt.count)

    def _reasons(self) -> ReasonsDef | None:
        stmt = self._single(ast.ReasonsStmt, "`reasons`")
        if stmt is None:
            return None
        if not 1 <= stmt.count <= 100:
            self._error("E406", "`reasons` must be a whole number from 1 to 100", stmt.span)
            return None
        n_contrib = len(self._contribution_names())
        if stmt.count > n_contrib:
            self._warn(
                "W407",
                f"`reasons {stmt.count}` asks for more reasons than the card has rules and bins "
                f"({n_contrib}): the last ones will always be empty",
                stmt.span,
            )
        if stmt.direction == "below max":
            return self._below_max(stmt.count)
        return ReasonsDef(stmt.count, stmt.direction or "highest")

    def _below_max(self, count: int) -> ReasonsDef | None:
        """Shortfalls from each contribution's maximum as hidden lets, ranked `highest`."""
        names = self._contribution_names()
        probabilities = {
            s.name.name
            for s in self._of(ast.ModelStmt)
            if (s.output or "probability") == "probability"
        }
        taken = set(self.decls) | set(self.state.definitions)
        lets, problems = shortfall.shortfalls(
            names, self.state.rules, self.state.bins, self.state.definitions, probabilities, taken
        )
        for p in problems:
            self._error(
                "E410",
                p.message,
                self.decls[p.name].span,
                "give the rule numbers as points, or points from a model's probability "
                "(`then 300 * churn`)",
            )
        if problems:
            return None
        for d in lets:
            self.state.definitions[d.name] = d
            self.state.order.append(d.name)
        return ReasonsDef(count, "highest", tuple(d.name for d in lets))

    def _outcome(self) -> OutcomeDef | None:
        stmt = self._single(ast.OutcomeStmt, "`outcome`")
        if stmt is None:
            return None
        name = stmt.column.name
        if name in self.decls:
            self._error(
                "E409",
                f"the outcome `{name}` is also a name of the card: a card must not read the "
                "outcome it predicts (the outcome column is read only by reports)",
                stmt.column.span,
            )
            return None
        event = None if stmt.event is None else literal_of(stmt.event).value
        return OutcomeDef(name, event, stmt.direction or "more")

    def _examples(self, reasons: ReasonsDef | None) -> list[ExampleDef]:
        out = []
        for stmt in self._of(ast.ExampleStmt):
            example = check_example(stmt, self, reasons)
            if example is not None:
                out.append(example)
        return out

    def expect_type(self, name: str, reasons: ReasonsDef | None) -> ScalarType | None:
        """The type an example may expect for `name`, or None when it is not a result."""
        if name in results.TYPES:
            return results.TYPES[name]
        number = results.reason_number(name)
        if number is not None and reasons is not None and 1 <= number <= reasons.count:
            return results.REASON_TYPE
        decl = self.decls.get(name)
        if decl is None or decl.kind in ("param",):
            return None
        if decl.kind == "input":
            return decl.type
        definition = self.state.definitions.get(name)
        return None if definition is None else definition.type


def _kind_words(kind: str) -> str:
    return {
        "input": "an input column",
        "param": "a param",
        "let": "a let",
        "rule": "a rule",
        "bins": "a bins block",
        "model": "a model",
    }.get(kind, kind)


MAX_NESTING = 256
"""How deeply expressions may nest; far beyond any real card, and safe for every backend."""


def _short(stmt: Any) -> bool:
    """Whether a statement is too short to nest too deeply: every node of a chain is longer
    than the node it holds (an operator, a keyword or a bracket more), so a statement on one
    line of fewer than MAX_NESTING characters nests fewer levels (no walk needed)."""
    span = stmt.span
    return (
        span is not None
        and span.line == span.end_line
        and span.end_column - span.column < MAX_NESTING - 2
    )


def _nesting(node: Any) -> int:
    """The depth of the deepest chain of nodes under `node`, counted without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(node, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend((x, depth) for x in item)
            continue
        if not isinstance(item, ast.Node):
            continue
        deepest = max(deepest, depth)
        for child in item.__dict__.values():
            if isinstance(child, ast.Node | list):
                stack.append((child, depth + 1))
    return deepest


def check_card(card: ast.Card, path: Path | None) -> tuple[Program | None, list[Diagnostic]]:
    """Check a parsed card."""
    too_deep = [
        error(
            "E107",
            f"this statement nests expressions more than {MAX_NESTING} levels deep: "
            "split it into lets",
            stmt.span,
        )
        for stmt in card.statements
        if not _short(stmt) and _nesting(stmt) > MAX_NESTING
    ]
    if too_deep:
        return None, too_deep
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))  # lowering recurses a few frames per level
    try:
        checker = Checker(card, path)
        return checker.run(), checker.diagnostics
    finally:
        sys.setrecursionlimit(limit)


Report = Callable[[Diagnostic], None]
