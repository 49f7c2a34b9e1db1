"""The typed syntax tree of a card: pydantic nodes, each carrying its source span.

The tree says what the card wrote, nothing more: names are not resolved and types not
checked here (that is `engine.check`). `engine.syntax.printer` prints it back as text.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from typing import Literal as Lit

from pydantic import BaseModel, ConfigDict, Field

from engine.diagnostics import Span


class Node(BaseModel):
    # Schemas are built on first validation, not at import: the parser builds nodes
    # without validation, so `scorecard check` never pays for them.
    model_config = ConfigDict(frozen=True, defer_build=True)

    span: Span | None = Field(default=None, repr=False)


# ---------------------------------------------------------------- expressions


class IntLit(Node):
    kind: Lit["int"] = "int"
    value: int


class FloatLit(Node):
    kind: Lit["float"] = "float"
    value: float
    text: str | None = Field(default=None, repr=False)
    """How the card wrote it (`1e-3`), so the printer can keep it."""


class StringLit(Node):
    kind: Lit["string"] = "string"
    value: str


class BoolLit(Node):
    kind: Lit["bool"] = "bool"
    value: bool


class DateLit(Node):
    kind: Lit["date"] = "date"
    value: dt.date


class DateTimeLit(Node):
    kind: Lit["datetime"] = "datetime"
    value: dt.datetime


class MissingLit(Node):
    """`missing` as a value in an example's `given` or `expect`."""

    kind: Lit["missing"] = "missing"


LiteralNode = Annotated[
    IntLit | FloatLit | StringLit | BoolLit | DateLit | DateTimeLit,
    Field(discriminator="kind"),
]


class Name(Node):
    """A reference to an input, param, let, rule, bins, model, `points` or `score`."""

    kind: Lit["name"] = "name"
    name: str


class Unary(Node):
    kind: Lit["unary"] = "unary"
    op: Lit["-", "+", "not"]
    operand: Expr


class Binary(Node):
    """Arithmetic (`+ - * /`), logic (`and or`) or comparison (`= != < <= > >=`)."""

    kind: Lit["binary"] = "binary"
    op: Lit["+", "-", "*", "/", "and", "or", "=", "!=", "<", "<=", ">", ">="]
    left: Expr
    right: Expr


class InList(Node):
    kind: Lit["in"] = "in"
    operand: Expr
    values: list[LiteralNode]
    negated: bool = False


class IsMissing(Node):
    kind: Lit["is_missing"] = "is_missing"
    operand: Expr
    negated: bool = False


class IfExpr(Node):
    kind: Lit["if"] = "if"
    cond: Expr
    then: Expr
    else_: Expr


class Call(Node):
    kind: Lit["call"] = "call"
    func: str
    func_span: Span | None = Field(default=None, repr=False)
    args: list[Expr]


Expr = Annotated[
    IntLit
    | FloatLit
    | StringLit
    | BoolLit
    | DateLit
    | DateTimeLit
    | Name
    | Unary
    | Binary
    | InList
    | IsMissing
    | IfExpr
    | Call,
    Field(discriminator="kind"),
]


# ---------------------------------------------------------------- statements


class Ident(Node):
    """A declared name with its own span (for "duplicate name" and "unused" messages)."""

    name: str


class MetaItem(Node):
    key: Lit["title", "version", "owner", "description"]
    value: str


class Header(Node):
    kind: Lit["header"] = "header"
    name: Ident
    meta: list[MetaItem] = []


TypeName = Lit["int", "float", "string", "bool", "date", "datetime"]


class Column(Node):
    name: Ident
    type: TypeName
    type_span: Span | None = Field(default=None, repr=False)
    modifiers: list[Lit["key", "required", "sensitive"]] = []
    modifier_spans: list[Span] = Field(default=[], repr=False)


class InputBlock(Node):
    kind: Lit["input"] = "input"
    columns: list[Column]


class ParamStmt(Node):
    kind: Lit["param"] = "param"
    name: Ident
    type: TypeName
    value: LiteralNode


class LetStmt(Node):
    kind: Lit["let"] = "let"
    name: Ident
    expr: Expr


class ExcludeStmt(Node):
    kind: Lit["exclude"] = "exclude"
    label: StringLit
    cond: Expr


class RuleStmt(Node):
    kind: Lit["rule"] = "rule"
    name: Ident
    label: StringLit | None = None
    cond: Expr
    points: Expr


class BinMissing(Node):
    kind: Lit["missing"] = "missing"


class BinElse(Node):
    kind: Lit["else"] = "else"


class BinCompare(Node):
    """`< n`, `<= n`, `> n`, `>= n`, and `= v`."""

    kind: Lit["compare"] = "compare"
    op: Lit["<", "<=", ">", ">=", "="]
    value: LiteralNode


class BinInterval(Node):
    kind: Lit["interval"] = "interval"
    low: LiteralNode
    high: LiteralNode
    closed_low: bool
    closed_high: bool


class BinIn(Node):
    kind: Lit["in"] = "in"
    values: list[LiteralNode]


BinMatch = Annotated[
    BinMissing | BinElse | BinCompare | BinInterval | BinIn, Field(discriminator="kind")
]


class BinEntry(Node):
    match: BinMatch
    points: IntLit | FloatLit


class BinsStmt(Node):
    kind: Lit["bins"] = "bins"
    name: Ident
    on: Name
    label: StringLit | None = None
    entries: list[BinEntry]


class ModelStmt(Node):
    kind: Lit["model"] = "model"
    name: Ident
    flavor: Lit["sklearn"] = "sklearn"
    path: StringLit
    features: list[Name] | None = None
    output: Lit["probability", "prediction"] | None = None
    output_class: StringLit | None = None
    output_span: Span | None = Field(default=None, repr=False)
    sha256: StringLit | None = None
    duplicate_items: list[Span] = Field(default=[], repr=False)
    """Spans of model items given more than once (reported by the checker)."""


class ScoreStmt(Node):
    kind: Lit["score"] = "score"
    expr: Expr


class SegmentStmt(Node):
    kind: Lit["segment"] = "segment"
    name: StringLit
    cond: Expr | None = None
    """None for `otherwise`."""


class ClassesStmt(Node):
    kind: Lit["classes"] = "classes"
    count: int


class ReasonsStmt(Node):
    kind: Lit["reasons"] = "reasons"
    count: int
    direction: Lit["highest", "lowest", "below max"] | None = None


class OutcomeStmt(Node):
    """`outcome COL [event LITERAL] [high score means more|fewer events]`."""

    kind: Lit["outcome"] = "outcome"
    column: Ident
    event: IntLit | FloatLit | StringLit | BoolLit | None = None
    direction: Lit["more", "fewer"] | None = None
    """What a high score means: more events (marketing, the default) or fewer (credit)."""


class Assignment(Node):
    target: Ident
    value: Annotated[
        IntLit | FloatLit | StringLit | BoolLit | DateLit | DateTimeLit | MissingLit,
        Field(discriminator="kind"),
    ]


class ExampleStmt(Node):
    kind: Lit["example"] = "example"
    name: StringLit
    given: list[Assignment] = []
    expect: list[Assignment] = []


Statement = Annotated[
    Header
    | InputBlock
    | ParamStmt
    | LetStmt
    | ExcludeStmt
    | RuleStmt
    | BinsStmt
    | ModelStmt
    | ScoreStmt
    | SegmentStmt
    | ClassesStmt
    | ReasonsStmt
    | OutcomeStmt
    | ExampleStmt,
    Field(discriminator="kind"),
]


class Comment(Node):
    text: str


class Card(Node):
    """A whole card: its statements in file order, and its comments (for `fmt`)."""

    statements: list[Statement]
    comments: list[Comment] = Field(default=[], repr=False)


def without_spans(value: Any) -> Any:
    """A node dumped to plain data with every span removed: for comparing two trees."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        return {
            k: without_spans(v)
            for k, v in value.items()
            if not k.endswith("span")
            and not k.endswith("spans")
            and k not in ("text",)
            and k != "duplicate_items"
        }
    if isinstance(value, list):
        return [without_spans(v) for v in value]
    return value
