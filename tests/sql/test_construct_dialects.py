"""One line per construct and dialect: the SQL each construct of the language compiles to.

The whole-statement golden files (test_golden.py) show a card's layout; these tables show
each construct on its own, so a change to one translation shows up as one line per dialect in
review (in the spirit of sqlglot's `validate_all`). The differential tests prove the lines
right by running them; this file pins what they are. Regenerate with
SCORECARD_UPDATE_GOLDEN=1 after reading the new lines.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from engine import ir
from engine.backends.sql.dialects import DIALECT_NAMES, get_dialect
from engine.backends.sql.expressions import Compiler
from engine.check.source import check_source
from engine.functions import FUNCTIONS

GOLDEN = Path(__file__).parent / "golden" / "constructs"

INPUTS = """
input {
  id : string key
  i  : int
  j  : int
  x  : float
  y  : float
  s  : string
  t  : string
  d  : date
  e  : date
  ts : datetime
  b  : bool
  `monthly spend` : float
}
"""

CONSTRUCTS: tuple[str, ...] = (
    "i + j",
    "i - j",
    "i * j",
    "-i",
    "x / y",
    "i / j",
    "x + i",
    "i = j",
    "s != t",
    "x < 1.5",
    "b and x > 0.0",
    "b or not b",
    's in ["a", "it\'s"]',
    "i not in [1, 2]",
    "x is missing",
    "s is not missing",
    "if x > 0.0 then 1 else 2",
    "`monthly spend` * 2.0",
    "2026-11-01",
    "2026-11-23T08:30:00",
    '"l\'été"',
    "9223372036854775807",
    "1e300",
    "round(x, 2)",
    "round(i, -2)",
    "min(i, j, 3)",
    "max(x, i)",
    "clip(x, 0.0, 1.0)",
    "abs(i)",
    "abs(x)",
    "floor(x)",
    "ceil(x)",
    "ln(x)",
    "log10(x)",
    "exp(x)",
    "sqrt(x)",
    "pow(x, y)",
    'coalesce(s, "none")',
    "days_between(d, e)",
    "days_between(d, ts)",
    "year(d)",
    "month(ts)",
    "day(d)",
    "lower(s)",
    "upper(s)",
    "length(s)",
    'contains(s, "%_")',
    "starts_with(s, t)",
    'ends_with(s, "x")',
    "logit(x)",
    "sigmoid(x)",
)


def _lowered(construct: str) -> ir.Expr:
    text = f"scorecard constructs {{}}\n{INPUTS}\nlet v = {construct}\nscore = 0.0\n"
    result = check_source(text)
    assert result.program is not None, [d.headline() for d in result.diagnostics]
    (let,) = [d for d in result.program.definitions if d.name == "v"]
    return let.expr


def _names() -> Callable[[], str]:
    """Helper-column names h1, h2... for one construct."""
    counter = itertools.count(1)
    return lambda: f"h{next(counter)}"


def _lines(dialect: str) -> str:
    lines = []
    for construct in CONSTRUCTS:
        compiler = Compiler(get_dialect(dialect), _names())
        sql = compiler.compile(_lowered(construct))
        helpers = "".join(f"  [{h.name} = {h.sql}]" for h in compiler.take_hoisted())
        lines.append(f"{construct}  =>  {sql}{helpers}")
    return "\n".join(lines) + "\n"


def test_every_function_has_a_line() -> None:
    called = {c.split("(", 1)[0] for c in CONSTRUCTS if "(" in c and c[0].isalpha()}
    assert set(FUNCTIONS) <= called, sorted(set(FUNCTIONS) - called)


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
def test_construct_lines(dialect: str) -> None:
    text = _lines(dialect)
    path = GOLDEN / f"{dialect}.txt"
    if os.environ.get("SCORECARD_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with SCORECARD_UPDATE_GOLDEN=1"
    want = path.read_text(encoding="utf-8").splitlines()
    got = text.splitlines()
    changed = [f"  want {w}\n  got  {g}" for w, g in zip(want, got, strict=False) if w != g]
    assert len(want) == len(got) and not changed, f"{dialect}:\n" + "\n".join(changed)
