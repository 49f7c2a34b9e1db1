"""A plain-Python description of a generated card, independent of the engine.

`tests/strategies.py` builds these values together with the card's text; the reference
evaluator (`tests/reference_eval.py`) reads them row by row. Nothing here imports `engine`, so
the differential tests compare the engine against a second, separately written implementation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TypeAlias

PyValue: TypeAlias = int | float | str | bool | dt.date | dt.datetime | None


@dataclass(frozen=True)
class Lit:
    value: PyValue
    type: str  # "int" | "float" | "string" | "bool" | "date"


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Unary:
    op: str  # "-" | "not"
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / and or = != < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True)
class IfElse:
    cond: Node
    then: Node
    else_: Node


@dataclass(frozen=True)
class Fn:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class InValues:
    operand: Node
    values: tuple[PyValue, ...]
    negated: bool = False


@dataclass(frozen=True)
class Missing:
    operand: Node
    negated: bool = False


Node: TypeAlias = Lit | Name | Unary | Binary | IfElse | Fn | InValues | Missing


@dataclass(frozen=True)
class BinSpec:
    """One bin. kind: missing | else | cmp (op, value) | eq (value) | interval | in (values)."""

    kind: str
    op: str | None = None
    value: PyValue = None
    low: PyValue = None
    high: PyValue = None
    low_closed: bool = True
    high_closed: bool = False
    values: tuple[PyValue, ...] = ()
    points: float = 0.0


@dataclass(frozen=True)
class RuleSpec:
    name: str
    cond: Node
    points: Node
    label: str | None = None


@dataclass(frozen=True)
class BinsSpec:
    name: str
    on: str
    entries: tuple[BinSpec, ...]
    label: str | None = None


@dataclass(frozen=True)
class CardSpec:
    """What a generated card means; `text` is the same card as the language writes it."""

    name: str
    key: str
    key_type: str
    inputs: tuple[tuple[str, str], ...]  # (name, type), the key excluded
    required: frozenset[str]
    params: tuple[tuple[str, str, PyValue], ...]
    lets: tuple[tuple[str, Node], ...]
    excludes: tuple[tuple[str, Node], ...]
    contributions: tuple[RuleSpec | BinsSpec, ...]  # file order
    score: Node | None
    segments: tuple[tuple[str, Node | None], ...]
    classes: int | None
    reasons: tuple[int, str] | None
    text: str = field(default="", compare=False)

    @property
    def result_columns(self) -> list[str]:
        cols = [self.key, "score"]
        if self.segments:
            cols.append("segment")
        if self.classes is not None:
            cols.append("class")
        if self.reasons is not None:
            cols.extend(f"reason_{i}" for i in range(1, self.reasons[0] + 1))
        cols.append("excluded")
        return cols
