"""`(-inf, b)` and `[a, +inf)` bins (as optbinning and SAS write them) mean `< b` and `>= a`."""

from __future__ import annotations

import polars as pl

import engine
from engine.syntax import parse_card
from engine.syntax.printer import format_card

CARD = """scorecard inf_bins {
}
input {
  id : string key
  x  : float
}
bins x_pts on x {
  (-inf, 8.5)  -> 1
  [8.5, 20)    -> 2
  [20, 30]     -> 3
  (30, +inf)   -> 4
  missing      -> 9
}
"""


def test_infinite_bounds_score_as_comparisons() -> None:
    xs = [-1e300, 8.4999, 8.5, 19.99, 20.0, 30.0, 30.0001, 1e300, None]
    frame = pl.DataFrame({"id": [f"r{i}" for i in range(len(xs))], "x": xs})
    got = engine.loads(CARD).apply(frame)["score"].to_list()
    want = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 9.0]
    assert got == want


def test_fmt_writes_the_comparison_and_errors_have_a_place() -> None:
    card, diagnostics = parse_card(CARD)
    assert card is not None and diagnostics == []
    text = format_card(card, CARD)
    assert "< 8.5" in text and "> 30" in text and "inf)" not in text and "(-inf" not in text
    _, diagnostics = parse_card("bins b on x {\n  [+inf, 3) -> 1\n}\n")
    assert [(d.code, d.span.line if d.span else None) for d in diagnostics] == [("E108", 2)]
    _, diagnostics = parse_card("bins b on x {\n  (-inf, inf) -> 1\n}\n")
    assert [d.code for d in diagnostics] == ["E108"]
