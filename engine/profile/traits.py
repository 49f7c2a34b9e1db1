"""The strongest traits of the group, in plain words.

A trait is one category of one column whose share in the group stands apart from its share
in the base: not small (at least `--min-count` base rows), an index of 120 or more (or 83 or
less: 1.2 times as rare), and a z-test p-value below 1% divided by the number of categories
tested (Bonferroni: with 100 categories, one would pass at 1% by chance alone). Each column
gives at most one category: its most over-represented one (the highest index), or when no
category is over-represented its most under-represented one (the lowest index); columns
come in the order of the ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.profile.categories import MISSING, NO_BIN, OTHER
from engine.profile.stats import Category

if TYPE_CHECKING:
    from engine.profile.run import ColumnProfile

HIGH_INDEX = 120.0
LOW_INDEX = 100.0 / 1.2
LEVEL = 0.01
MAX_TRAITS = 5


@dataclass(frozen=True)
class Trait:
    column: str
    category: str
    index: float
    group_share: float
    base_share: float
    p_value: float
    text: str


def _phrase(column: str, how: str, label: str) -> str:
    if label == MISSING:
        return f"{column} missing"
    if how == "values" and label != OTHER:
        return f'{column} = "{label}"'
    if label.startswith("[") or label in (OTHER, NO_BIN):
        return f"{column} in {label}"
    return f"{column} {label}"


def describe(column: str, how: str, c: Category) -> str:
    assert c.index is not None
    ratio = c.index / 100.0
    times = f"{ratio:.1f} times" if ratio >= 1 else f"{ratio:.2f} times"
    return (
        f"{_phrase(column, how, c.label)}: {times} as often in the group as in the base "
        f"(index {c.index:.0f}; {100 * c.group_share:.1f}% of the group, "
        f"{100 * c.base_share:.1f}% of the base)"
    )


def _stands_out(c: Category, level: float) -> bool:
    return (
        not c.small
        and c.index is not None
        and c.index > 0
        and (c.index >= HIGH_INDEX or c.index <= LOW_INDEX)
        and c.p_value is not None
        and c.p_value < level
    )


def strongest(columns: Sequence[ColumnProfile]) -> list[Trait]:
    tested = sum(1 for col in columns for c in col.categories if c.p_value is not None)
    level = LEVEL / max(tested, 1)
    out = []
    for col in columns:
        found = [c for c in col.categories if _stands_out(c, level)]
        if not found:
            continue
        over = [c for c in found if (c.index or 0.0) >= HIGH_INDEX]
        best = (
            max(over, key=lambda c: c.index or 0.0)
            if over
            else min(found, key=lambda c: c.index or 0.0)
        )
        assert best.index is not None and best.p_value is not None
        out.append(
            Trait(
                col.column,
                best.label,
                best.index,
                best.group_share,
                best.base_share,
                best.p_value,
                describe(col.column, col.how, best),
            )
        )
        if len(out) == MAX_TRAITS:
            break
    return out
