"""The fitted card as text: built as an AST, printed by `engine.syntax.printer`, with comments.

The card is printed once without comments, parsed back (which gives every statement and bin
its line), and printed again with the fit's comments placed at those lines: the header's
figures above everything, a line above each bins block, one at the end of each bin line.
What comes out is therefore exactly the canonical layout of `scorecard fmt`, comments
included, and every name and string is quoted by the printer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from engine.fitting.bins import Bin, points_literal
from engine.results import is_reserved
from engine.syntax import ast, parse_card
from engine.syntax.printer import Printer, SourceComment, format_card
from engine.types import ScalarType

FIT_MARK = "# fit: "
"""Every header line the fit writes starts so; a refit replaces exactly these lines."""
BIN_COMMENT = re.compile(r"^# (share |no training rows)")
"""A bin line's figures, as the fit writes them (a refit rewrites them)."""
BLOCK_COMMENT = re.compile(r"^# .+: IV [0-9.]+")
"""A bins block's heading line, as the fit writes it."""

GivenValue = ast.IntLit | ast.FloatLit | ast.StringLit | ast.BoolLit | ast.MissingLit


@dataclass(frozen=True)
class Block:
    name: str
    on: str
    bins: Sequence[Bin]
    points: Sequence[float]
    bin_comments: Sequence[str]
    heading: str


@dataclass(frozen=True)
class Example:
    name: str
    given: Sequence[tuple[str, GivenValue]]
    score: float
    comment: str


@dataclass(frozen=True)
class InputLine:
    name: str
    type: ScalarType
    modifiers: tuple[Literal["key", "required", "sensitive"], ...] = ()


@dataclass(frozen=True)
class CardSpec:
    name: str
    title: str
    description: str
    inputs: Sequence[InputLine]
    base_name: str
    base_value: float
    base_comment: str
    whole: bool
    blocks: Sequence[Block]
    reasons: Literal["highest", "lowest"]
    examples: Sequence[Example]
    header: Sequence[str] = field(default_factory=list)


def is_free(name: str, taken: set[str]) -> bool:
    return name not in taken and not is_reserved(name)


def unique_name(wanted: str, taken: set[str]) -> str:
    """`wanted`, or `wanted_2`, `wanted_3`, ... : a name no column or definition has."""
    name, n = wanted, 1
    while not is_free(name, taken):
        n += 1
        name = f"{wanted}_{n}"
    taken.add(name)
    return name


def card_name(wanted: str) -> str:
    """A plain identifier for the card's header (the card name prefixes result columns)."""
    name = re.sub(r"\W+", "_", wanted).strip("_") or "fitted"
    return f"card_{name}" if name[0].isdigit() else name


def _ast(spec: CardSpec) -> ast.Card:
    meta = [
        ast.MetaItem(key="title", value=spec.title),
        ast.MetaItem(key="description", value=spec.description),
    ]
    statements: list[ast.Statement] = [
        ast.Header(name=ast.Ident(name=spec.name), meta=meta),
        ast.InputBlock(
            columns=[
                ast.Column(
                    name=ast.Ident(name=c.name), type=c.type.value, modifiers=list(c.modifiers)
                )
                for c in spec.inputs
            ]
        ),
        ast.ParamStmt(
            name=ast.Ident(name=spec.base_name),
            type="float",
            value=ast.FloatLit(value=float(spec.base_value) + 0.0),
        ),
    ]
    for block in spec.blocks:
        statements.append(
            ast.BinsStmt(
                name=ast.Ident(name=block.name),
                on=ast.Name(name=block.on),
                entries=[
                    ast.BinEntry(match=b.match, points=points_literal(p, spec.whole))
                    for b, p in zip(block.bins, block.points, strict=True)
                ],
            )
        )
    statements += [
        ast.ScoreStmt(
            expr=ast.Binary(
                op="+", left=ast.Name(name=spec.base_name), right=ast.Name(name="points")
            )
        ),
        ast.ClassesStmt(count=10),
        ast.ReasonsStmt(count=3, direction=spec.reasons),
    ]
    for ex in spec.examples:
        statements.append(
            ast.ExampleStmt(
                name=ast.StringLit(value=ex.name),
                given=[ast.Assignment(target=ast.Ident(name=n), value=v) for n, v in ex.given],
                expect=[
                    ast.Assignment(
                        target=ast.Ident(name="score"),
                        value=ast.FloatLit(value=float(ex.score) + 0.0),
                    )
                ],
            )
        )
    return ast.Card(statements=statements)


def write(spec: CardSpec) -> str:
    """The card's text: canonical layout, the fit's figures as comments."""
    plain = format_card(_ast(spec))
    card, diagnostics = parse_card(plain)
    if card is None:  # the printer wrote something the parser refuses: our bug
        raise RuntimeError(
            "the fitted card does not parse: " + "; ".join(d.headline() for d in diagnostics)
        )
    comments = [
        SourceComment(i - len(spec.header), FIT_MARK + line, False)
        for i, line in enumerate(spec.header)
    ]
    blocks = {b.name: b for b in spec.blocks}
    examples = {e.name: e for e in spec.examples}
    for stmt in card.statements:
        line = stmt.span.line if stmt.span else 0
        if isinstance(stmt, ast.ParamStmt) and stmt.name.name == spec.base_name:
            comments.append(SourceComment(line - 1, "# " + spec.base_comment, False))
        elif isinstance(stmt, ast.BinsStmt):
            block = blocks[stmt.name.name]
            comments.append(SourceComment(line - 1, "# " + block.heading, False))
            for entry, text in zip(stmt.entries, block.bin_comments, strict=True):
                assert entry.span is not None
                comments.append(SourceComment(entry.span.line, "# " + text, True))
        elif isinstance(stmt, ast.ExampleStmt):
            comments.append(
                SourceComment(line - 1, "# " + examples[stmt.name.value].comment, False)
            )
    return Printer(comments).card(card)
