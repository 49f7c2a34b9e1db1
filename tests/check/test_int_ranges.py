"""The checker leaves out int overflow guards only where the operands' bounds prove the exact
result fits in int64 (`engine.check.int_ranges`); everywhere else the guard stays."""

from __future__ import annotations

import pytest

from engine import ir
from engine.check.source import check_source

CARD = """scorecard t { }
input {
  id : string key
  a  : int
  d  : date
  t  : datetime
  s  : string
}
param k : int = 2
"""

# (let, whether its outermost operation is proven not to overflow)
CASES = [
    ("year(d) * 12 + month(d)", True),
    ("days_between(d, 2026-01-01) * 86400", True),
    ("days_between(t, 2026-01-01T00:00:00) * 86400000000", False),  # 2^32 * 8.64e10 > 2^63
    ("length(s) * length(s)", False),  # (2^32)^2 > 2^63
    ("length(s) * 1000", True),
    ("3 + 4", True),
    ("9223372036854775807 + 1", False),
    ("9223372036854775806 + 1", True),
    ("a + 1", False),
    ("a * 0", True),
    ("a - a", False),  # bounds do not know both sides are one value
    ("a * k", False),  # a param may be given any value on the command line
    ("clip(a, -100, 100) * 1000", True),
    ("min(a, 10) + 1", True),  # at most 11, at least INT_MIN + 1
    ("min(a, 10) - 1", False),
    ("max(day(d), 0) - 40", True),
    ("(if a > 0 then month(d) else day(d)) * 2", True),
    ("coalesce(year(d), 0) + 1", True),
    ("round(month(d), -1) * 5", True),
    ("-month(d)", True),
    ("-a", False),
    ("-(-9223372036854775808)", False),
    ("abs(year(d)) * 4", True),
]


@pytest.mark.parametrize(("expr", "proven"), CASES, ids=[c[0] for c in CASES])
def test_guard_left_out_only_when_proven(expr: str, proven: bool) -> None:
    result = check_source(CARD + f"let x = {expr}\n")
    assert result.program is not None, [d.message for d in result.diagnostics]
    node = result.program.definition("x").expr
    assert isinstance(node, ir.Arith | ir.Negate), node
    assert node.cannot_overflow is proven


def test_a_let_carries_its_bounds() -> None:
    text = CARD + "let m = year(d) * 12 + month(d)\nlet x = m * 1000\nlet y = a * 1000\n"
    result = check_source(text)
    assert result.program is not None
    x, y = (result.program.definition(n).expr for n in ("x", "y"))
    assert isinstance(x, ir.Arith) and x.cannot_overflow
    assert isinstance(y, ir.Arith) and not y.cannot_overflow
