"""A binned characteristic: its bins as the card writes them, and each row's bin.

Whatever made the bins (the numeric or categorical binning, or a card given with `--from`),
the rest of the fit sees only this: an ordered list of bins (each an AST bin match, printed by
`engine.syntax.printer`) and, for every row of the table, the index of the bin it falls in
(-1 where no bin matches, which scores 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from engine.fitting.merge import FittedTrend
from engine.fitting.woe import BinFigures, figures
from engine.syntax import ast
from engine.syntax.printer import bin_match_text
from engine.types import ScalarType

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
BinKind = Literal["missing", "special", "range", "group", "else", "card"]
Value = int | float | str | bool


@dataclass(frozen=True)
class Bin:
    match: ast.BinMatch
    kind: BinKind

    @property
    def text(self) -> str:
        return bin_match_text(self.match)


@dataclass(frozen=True)
class Characteristic:
    """One column (or, from a card, a column or let) cut into bins."""

    column: str
    type: ScalarType
    bins: tuple[Bin, ...]
    index: IntArray
    """The bin of every row of the table, -1 where none matches."""
    trend: FittedTrend | None = None
    """The event-rate trend of the ranges (numeric binnings only)."""

    def counts(
        self, rows: BoolArray, event: BoolArray
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """(rows, events) per bin among the rows where `rows` is true."""
        size = len(self.bins) + 1  # slot 0 counts the rows that match no bin
        shifted = self.index + 1
        n = np.bincount(shifted, weights=rows.astype(np.float64), minlength=size)
        e = np.bincount(shifted, weights=(rows & event).astype(np.float64), minlength=size)
        return n[1:].astype(np.float64), e[1:].astype(np.float64)

    def figures(self, train: BoolArray, event: BoolArray) -> BinFigures:
        """The training WoE, IV and event rates of the bins."""
        n, e = self.counts(train, event)
        return figures(n, e, float(event[train].sum()), float(train.sum()))

    def woe_column(
        self, woe: npt.NDArray[np.float64], rows: npt.NDArray[np.int64] | None = None
    ) -> npt.NDArray[np.float64]:
        """The WoE of every row's bin, or of the rows at `rows` (0 where no bin matches)."""
        padded = np.append(woe, 0.0)  # index -1 reads the last entry: no bin, WoE 0
        return padded[self.index if rows is None else self.index[rows]]


def literal(
    value: Value, kind: ScalarType
) -> ast.IntLit | ast.FloatLit | ast.StringLit | ast.BoolLit:
    """A data value as a card literal of the column's type."""
    if kind is ScalarType.BOOL:
        return ast.BoolLit(value=bool(value))
    if kind is ScalarType.STRING:
        return ast.StringLit(value=str(value))
    if kind is ScalarType.INT:
        return ast.IntLit(value=int(value))
    return ast.FloatLit(value=float(value))


def points_literal(value: float, whole: bool) -> ast.IntLit | ast.FloatLit:
    """Points as written in a bins line: a whole number with `--round`, else the exact float."""
    if whole:
        return ast.IntLit(value=round(value))
    return ast.FloatLit(value=float(value) + 0.0)
