"""Reasons as integer keys: the ranking of `reasons K` worked out once, for both backends.

Why: ranking floats per row (the largest, then the next largest not picked, ties in file
order) costs a float comparison and a position test per contribution and round. But most
contributions can take only a few values, known from the card: a rule with constant points
gives those points or 0, a bins block one of its entries' points. Rank every such value
once, here, and each contribution becomes an integer *key* per row,

    key = level * width + (width - 1 - slot)

where `level` orders the values (0: not a candidate) and `slot` is the contribution's place
among the ranked ones, in file order. Keys are distinct within a row, the largest key is the
largest contribution with ties going to the earlier one, and round r + 1 is simply the
largest key below round r's: no float, no position test, and the name comes back from the
key (`slot_of`). The Polars backend ranks the keys with NumPy, column by column; the SQL
backend with GREATEST (docs/performance.md, docs/sql.md).

A contribution whose values the card does not fix (points read from a column, a param left
unbound in a dbt model) is *general*. Its level is found per row among the fixed values: a
value equal to a fixed one shares its level; a value between two fixed ones takes a level
between theirs, `1 + sub` above the lower one, where `sub` counts the other general
contributions of the row with a smaller value (so that two general values in the same gap
keep their order and equal ones tie). Levels of fixed values are spaced by `generals + 1` to
leave that room. Past `GENERAL_LIMIT` general contributions, or with a contribution of more
than `MANY_VALUES` candidate values (a bins block of many entries), the per-row comparisons
cost more than the float ranking they replace: `plan` returns None and the backends rank
floats.

"Strength" below is the value for `highest` and minus the value for `lowest`: a candidate
has strength > 0, a stronger one ranks first; a missing contribution is never a candidate.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

from engine import ir
from engine.program import Program
from engine.types import ScalarType

GENERAL_LIMIT = 4
"""The most contributions with values unknown to the card that the keys handle."""
MANY_VALUES = 8
"""The most candidate values of one contribution that the keys handle: each costs a
comparison per row (Polars: 68 contributions of 39 values each took 190 ms per batch of
131,072 rows to key, against 32 ms for the float ranking; SQL: a CASE arm per value)."""
VALUES_LIMIT = 256
"""The most values a contribution is followed through (`+ - *` multiply the counts)."""


@dataclass(frozen=True)
class KeyedSource:
    """One ranked contribution: its reason name, the column ranked, its slot (0-based, file
    order among the ranked ones) and, for a fixed one, the key of each candidate value."""

    name: str
    column: str
    slot: int
    keys: tuple[tuple[float, int], ...] | None
    """(value, key) for every candidate value; None for a general contribution."""


@dataclass(frozen=True)
class ReasonKeys:
    """The keyed ranking of one card's reasons (`plan`)."""

    sources: tuple[KeyedSource, ...]
    """The contributions that can be a reason, in file order (the others never are)."""
    highest: bool
    strengths: tuple[float, ...]
    """The fixed candidates' distinct strengths, ascending: the i-th (1-based) has level
    `i * (generals + 1)`."""
    generals: int

    @property
    def width(self) -> int:
        return len(self.sources)

    @property
    def spacing(self) -> int:
        return self.generals + 1

    def key(self, level: int, slot: int) -> int:
        return _key(level, slot, self.width)

    def slot_of(self, key: Any) -> Any:
        """The slot of a key > 0: an int, or a NumPy array of keys (the Polars backend);
        the SQL backend writes the same `width - 1 - key % width` in the statement."""
        return self.width - 1 - key % self.width

    @property
    def largest(self) -> int:
        """The largest key: a general value above every fixed one, with every other general
        value below it."""
        top = len(self.strengths) * self.spacing + self.generals
        return self.key(top, 0)

    def strength(self, value: float) -> float:
        return value if self.highest else -value

    def general_levels(self) -> list[tuple[float, int]]:
        """(strength, level) of the fixed strengths, strongest first: a general strength
        equal to one takes its level, one above it (and below the next) `level + 1 + sub`."""
        return _fixed_levels(self.strengths, self.spacing)[::-1]


def _key(level: int, slot: int, width: int) -> int:
    return level * width + (width - 1 - slot)


def _fixed_levels(strengths: Sequence[float], spacing: int) -> list[tuple[float, int]]:
    """(strength, level) of the fixed strengths, ascending: the i-th (1-based) at
    `i * spacing`, leaving `spacing - 1` levels between two for general values."""
    return [(s, (i + 1) * spacing) for i, s in enumerate(strengths)]


def plan(program: Program) -> ReasonKeys | None:
    """The keyed ranking of the program's reasons, or None (no reasons, or too many
    contributions whose values the card does not fix)."""
    if program.reasons is None:
        return None
    highest = program.reasons.direction == "highest"
    definitions = {d.name: d.expr for d in program.definitions}
    found: list[tuple[str, str, frozenset[float] | None]] = []
    for name, column in program.reasons.sources(program.contributions):
        expr = definitions.get(column)
        found.append((name, column, None if expr is None else values(expr, definitions)))
    return from_values(found, highest)


def from_values(
    found: Sequence[tuple[str, str, frozenset[float] | None]], highest: bool
) -> ReasonKeys | None:
    """The keyed ranking of contributions given as (reason name, column, every value it can
    take or None when unknown), in file order; None past `GENERAL_LIMIT` unknown ones."""
    sign = 1.0 if highest else -1.0
    kept = [
        (name, column, vals)
        for name, column, vals in found
        if vals is None or any(sign * v > 0 for v in vals)
    ]
    generals = sum(1 for _, _, vals in kept if vals is None)
    many = any(
        vals is not None and sum(sign * v > 0 for v in vals) > MANY_VALUES for _, _, vals in kept
    )
    if generals > GENERAL_LIMIT or many:
        return None
    strengths = sorted({sign * v for _, _, vals in kept if vals for v in vals if sign * v > 0})
    level = dict(_fixed_levels(strengths, generals + 1))
    width = len(kept)
    sources = []
    for slot, (name, column, vals) in enumerate(kept):
        keys = None
        if vals is not None:
            keys = tuple(
                (v, _key(level[sign * v], slot, width))
                for v in sorted(vals, key=lambda v: -sign * v)
                if sign * v > 0
            )
        sources.append(KeyedSource(name, column, slot, keys))
    return ReasonKeys(tuple(sources), highest, tuple(strengths), generals)


def values(expr: ir.Expr, definitions: Mapping[str, ir.Expr]) -> frozenset[float] | None:
    """Every non-null value `expr` can take, as floats; None when the card does not fix
    them (a column, a model, a function, a division...). Only exact float arithmetic is
    followed, the same IEEE operations the backends run, so each value is the one computed."""
    if isinstance(expr, ir.Literal):
        if expr.value is None:
            return frozenset()
        if isinstance(expr.value, bool) or not isinstance(expr.value, int | float):
            return None
        return _finite({float(expr.value)})
    if isinstance(expr, ir.Ref):
        target = definitions.get(expr.name)
        return None if target is None else values(target, definitions)
    if isinstance(expr, ir.Cast) and expr.type is ScalarType.FLOAT:
        inner = values(expr.operand, definitions)
        return None if inner is None else _finite({float(v) for v in inner})
    if isinstance(expr, ir.If):
        then, else_ = values(expr.then, definitions), values(expr.else_, definitions)
        return None if then is None or else_ is None else _finite(then | else_)
    if isinstance(expr, ir.Negate) and expr.type is ScalarType.FLOAT:
        inner = values(expr.operand, definitions)
        return None if inner is None else _finite({-v for v in inner})
    if isinstance(expr, ir.Arith) and expr.op != "/" and expr.type is ScalarType.FLOAT:
        return _arith(expr, definitions)
    return None


def _arith(expr: ir.Arith, definitions: Mapping[str, ir.Expr]) -> frozenset[float] | None:
    left, right = values(expr.left, definitions), values(expr.right, definitions)
    if left is None or right is None or len(left) * len(right) > VALUES_LIMIT:
        return None
    ops = {"+": float.__add__, "-": float.__sub__, "*": float.__mul__}
    op = ops[expr.op]
    return _finite({op(a, b) for a, b in product(left, right)})


def _finite(found: Collection[float]) -> frozenset[float] | None:
    """The set, unless too large or holding an infinity or NaN (left to the float ranking)."""
    if len(found) > VALUES_LIMIT or any(not math.isfinite(v) for v in found):
        return None
    return frozenset(0.0 if v == 0 else v for v in found)
