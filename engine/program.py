"""The checked program: what the checker hands to the backends.

A `Program` is the card with every name resolved, every expression typed and lowered into
`engine.ir`, and its definitions ordered so that each one only reads what comes before it.
Both backends (Polars, SQL) compute the same named values, in `Program.layers` order:

1. inputs: declared columns, cast to their types (a float NaN becomes null);
2. the definitions: lets, rule and bins contributions (float), models, `points`, `score`,
   each a `Definition` whose `expr` reads inputs and earlier definitions by `ir.Ref`;
3. results: `excluded`, then `score` nulled on excluded rows, `segment`, `class`, reasons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal as Lit

from engine import ir, results
from engine.diagnostics import Span
from engine.types import ScalarType

DefinitionKind = Lit["let", "rule", "bins", "model", "points", "score"]


@dataclass(frozen=True, slots=True)
class InputColumn:
    name: str
    type: ScalarType
    key: bool = False
    required: bool = False
    sensitive: bool = False
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class ParamDef:
    name: str
    type: ScalarType
    value: ir.Value
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Definition:
    """A named value computed per row; `expr` is what a backend evaluates for it."""

    name: str
    kind: DefinitionKind
    expr: ir.Expr
    span: Span | None = None

    @property
    def type(self) -> ScalarType:
        return self.expr.type


@dataclass(frozen=True, slots=True)
class RuleDef:
    """A rule: its contribution is `If(cond, Cast(points, float), 0.0)`."""

    name: str
    label: str | None
    cond: ir.Expr
    points: ir.Expr
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class BinEntry:
    """One bin: `cond` is the lowered test (`else` is `ir.TRUE`), `text` how the card wrote it."""

    cond: ir.Expr
    points: float
    text: str
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class BinsDef:
    """A bins block: the first entry whose cond is true gives the points, none gives 0."""

    name: str
    on: str
    label: str | None
    entries: tuple[BinEntry, ...]
    span: Span | None = None

    @property
    def has_else(self) -> bool:
        return any(e.text == "else" for e in self.entries)


@dataclass(frozen=True, slots=True)
class ModelDef:
    """A model reference; `expr` is filled in when the model is loaded and compiled."""

    name: str
    path: Path
    features: tuple[str, ...]
    output: Lit["probability", "prediction"]
    output_class: str | None = None
    sha256: str | None = None
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class SegmentDef:
    """`segment "NAME" when cond`, or `otherwise` when cond is None."""

    name: str
    cond: ir.Expr | None
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class ExcludeDef:
    label: str
    cond: ir.Expr
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class ReasonsDef:
    count: int
    direction: Lit["highest", "lowest"] = "highest"
    ranked: tuple[str, ...] = ()
    """The column ranked for each name of `Program.contributions`, in the same order; empty
    means the contributions themselves. `reasons K below max` ranks hidden lets holding each
    contribution's shortfall from its maximum (engine.check.shortfall), `highest` first."""

    def sources(self, contributions: Sequence[str]) -> list[tuple[str, str]]:
        """(reason name, column ranked) for every contribution, in file order."""
        return list(zip(contributions, self.ranked or contributions, strict=True))


@dataclass(frozen=True, slots=True)
class OutcomeDef:
    """`outcome COL [event V] [high score means more|fewer events]`: what the score predicts.

    The column is in the history tables that reports read, never an input of the card.
    `event` None means the usual coding: 1/true/yes is an event, 0/false/no is not.
    """

    column: str
    event: ir.Value = None
    high_score_means: Lit["more", "fewer"] = "more"


@dataclass(frozen=True, slots=True)
class ExampleDef:
    """An `example` block: given input values (others null) and expected results."""

    name: str
    given: Mapping[str, ir.Value]
    expect: Mapping[str, ir.Value]
    span: Span | None = None
    expect_spans: Mapping[str, Span] = field(default_factory=dict)


@dataclass(frozen=True)
class Program:
    """A checked card, ready for a backend once params are bound and models compiled."""

    name: str
    metadata: Mapping[str, str]
    source_path: Path | None
    inputs: tuple[InputColumn, ...]
    params: tuple[ParamDef, ...]
    definitions: tuple[Definition, ...]
    """Every per-row value in an order where each reads only inputs and earlier ones."""
    rules: tuple[RuleDef, ...]
    bins: tuple[BinsDef, ...]
    models: tuple[ModelDef, ...]
    contributions: tuple[str, ...]
    """Rule and bins names in file order: the terms of `points` and the order of reason ties."""
    excludes: tuple[ExcludeDef, ...]
    segments: tuple[SegmentDef, ...]
    classes: int | None
    reasons: ReasonsDef | None
    examples: tuple[ExampleDef, ...] = ()
    outcome: OutcomeDef | None = None

    @property
    def key(self) -> InputColumn:
        return next(c for c in self.inputs if c.key)

    def definition(self, name: str) -> Definition:
        for d in self.definitions:
            if d.name == name:
                return d
        raise KeyError(name)

    def layers(self) -> list[list[Definition]]:
        """Definitions grouped by dependency depth: each layer reads only inputs and earlier layers.

        Backends compute one layer per `with_columns` (Polars) or CTE (SQL).
        """
        depth: dict[str, int] = {}
        out: list[list[Definition]] = []
        for d in self.definitions:
            level = 1 + max((depth.get(r, -1) for r in ir.refs(d.expr)), default=-1)
            depth[d.name] = level
            while len(out) <= level:
                out.append([])
            out[level].append(d)
        return out

    def result_columns(self) -> list[str]:
        """The result columns of `apply`, in order: key, score, segment, class, reasons, excluded."""
        return results.columns(
            self.key.name,
            segments=bool(self.segments),
            classes=self.classes is not None,
            reasons=0 if self.reasons is None else self.reasons.count,
        )

    def detail_columns(self) -> list[str]:
        """What a run with details adds: every rule's `NAME.fired`, every bins' `NAME.bin`,
        `points`."""
        return results.details((r.name for r in self.rules), (b.name for b in self.bins))


def substitute(expr: ir.Expr, values: Mapping[str, ir.Literal]) -> ir.Expr:
    """`expr` with every `Param` whose name is in `values` replaced by its literal.

    A subtree that reads no such param is returned as it is, not rebuilt.
    """
    if isinstance(expr, ir.Param):
        return values.get(expr.name, expr)
    kids = ir.children(expr)
    if not kids:
        return expr
    new = tuple(substitute(k, values) for k in kids)
    if all(n is k for n, k in zip(new, kids, strict=True)):
        return expr
    return ir.with_children(expr, new)


def bind_params(program: Program, overrides: Mapping[str, ir.Value] | None = None) -> Program:
    """The program with every `Param` replaced by its value (the card's, or an override).

    Overrides must already be parsed to the param's type (`engine.check.params` does it).
    """
    overrides = overrides or {}
    values = {p.name: ir.Literal(overrides.get(p.name, p.value), p.type) for p in program.params}

    def sub(e: ir.Expr) -> ir.Expr:
        return substitute(e, values)

    return replace(
        program,
        params=tuple(replace(p, value=values[p.name].value) for p in program.params),
        definitions=tuple(replace(d, expr=sub(d.expr)) for d in program.definitions),
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
