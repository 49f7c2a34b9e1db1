"""Ranking by score: `--top N` / `--top P%`, and the NTILE arithmetic of classes, once.

Rows are ranked by score descending, then key ascending (byte-wise), rows without a score
last. Classes are SQL's `NTILE(n)` over that order: the first `rows mod n` classes hold one
row more. The arithmetic below is written once over operators that numpy arrays, Python ints
and Polars expressions share; each caller passes its own `where` (numpy's `np.where`, a
Polars `when/then/otherwise`). SQL uses the warehouse's own NTILE, which this mirrors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TOP_SYNTAX = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(%?)\s*")


@dataclass(frozen=True)
class Top:
    """The N best-scored rows, or the best P percent of the scored rows (rounded up)."""

    count: float
    percent: bool = False

    @staticmethod
    def parse(text: str) -> Top:
        """`500` (rows) or `10%` / `2.5%` (of the scored rows); ValueError says what is wrong."""
        match = TOP_SYNTAX.fullmatch(text)
        if match is None:
            raise ValueError(
                f"expected a row count like 500 or a percentage like 10%, not {text!r}"
            )
        value, percent = float(match.group(1)), bool(match.group(2))
        if value <= 0 or (percent and value > 100) or (not percent and value != int(value)):
            raise ValueError(
                "--top takes a positive whole number of rows or a percentage in (0, 100], "
                f"not {text!r}"
            )
        return Top(value, percent)

    def rows(self, scored: int) -> int:
        """How many rows are kept out of `scored` rows with a score."""
        if self.percent:
            return min(scored, math.ceil(scored * (self.count / 100.0)))
        return min(scored, int(self.count))

    def describe(self) -> str:
        return f"top {self.count:g}% of scores" if self.percent else f"top {int(self.count)} scores"


def ntile(position: Any, rows: Any, buckets: int, where: Callable[[Any, Any, Any], Any]) -> Any:
    """The class (1..buckets) of the row at 0-based `position` among `rows` scored rows."""
    q = rows // buckets
    r = rows % buckets
    big = r * (q + 1)
    return (
        where(position < big, position // (q + 1), r + (position - big) // where(q > 0, q, 1)) + 1
    )
