"""Independent computations the fit tests compare with: bins matched and WoE counted in numpy.

Nothing here calls the fitting code: the bins are read from the card's syntax tree and matched
row by row with numpy (first match wins), and WoE, IV and event rates follow the formula of
docs/fit.md.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from engine.syntax import ast, parse_card


def bins_blocks(card_text: str) -> dict[str, ast.BinsStmt]:
    card, diagnostics = parse_card(card_text)
    assert card is not None, diagnostics
    return {s.name.name: s for s in card.statements if isinstance(s, ast.BinsStmt)}


def _lit(node: Any) -> Any:
    return node.value


def match(stmt: ast.BinsStmt, column: pl.Series) -> np.ndarray:
    """The index of the first bin each value matches (-1: none), computed with numpy."""
    numeric = column.dtype.is_numeric()
    if numeric:
        values = column.cast(pl.Float64).fill_null(np.nan).to_numpy()
        missing = np.isnan(values)
    else:
        values = np.array(column.to_list(), dtype=object)
        missing = np.array([v is None for v in values])
    out = np.full(len(values), -1)
    with np.errstate(invalid="ignore"):
        for i, entry in enumerate(stmt.entries):
            m = entry.match
            if isinstance(m, ast.BinMissing):
                cond = missing
            elif isinstance(m, ast.BinElse):
                cond = np.ones(len(values), dtype=bool)
            elif isinstance(m, ast.BinIn):
                listed = [_lit(v) for v in m.values]
                cond = ~missing & np.array([v in listed for v in values])
            elif isinstance(m, ast.BinCompare):
                x = _lit(m.value)
                if m.op == "=":
                    cond = ~missing & np.array([v == x for v in values])
                else:
                    cond = {
                        "<": values < x,
                        "<=": values <= x,
                        ">": values > x,
                        ">=": values >= x,
                    }[m.op] & ~missing
            else:
                assert isinstance(m, ast.BinInterval)
                lo, hi = _lit(m.low), _lit(m.high)
                above = values >= lo if m.closed_low else values > lo
                below = values <= hi if m.closed_high else values < hi
                cond = above & below & ~missing
            out[(out == -1) & cond] = i
    return out


def woe_table(index: np.ndarray, bins: int, event: np.ndarray) -> dict[str, np.ndarray]:
    """Rows, events, event rate, WoE and IV per bin, as docs/fit.md defines them."""
    rows = np.array([(index == b).sum() for b in range(bins)], dtype=float)
    events = np.array([event[index == b].sum() for b in range(bins)], dtype=float)
    total_events = event.sum()
    total_non = len(event) - total_events
    woe = np.zeros(bins)
    iv = np.zeros(bins)
    rate = np.full(bins, np.nan)
    for b in range(bins):
        if rows[b] == 0:
            continue
        e, n = events[b], rows[b] - events[b]
        rate[b] = e / rows[b]
        if e == 0 or n == 0:
            e, n = e + 0.5, n + 0.5
        good, bad = n / total_non, e / total_events
        woe[b] = math.log(good / bad)
        iv[b] = (good - bad) * woe[b]
    return {"rows": rows, "events": events, "rate": rate, "woe": woe, "iv": iv}
