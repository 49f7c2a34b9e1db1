"""Running a card's `example` blocks: one row built from `given`, compared with `expect`.

Columns not given are null. Expectations may name any result column (`score`, `segment`,
`class`, `excluded`, `reason_N`) or any let, rule, bins or model; floats are compared within
1e-9 relative, everything else exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from engine import ir
from engine.backends.polars.expressions import polars_dtype
from engine.diagnostics import ScorecardError
from engine.run.card import Card
from engine.run.execute import run
from engine.run.options import RunOptions

_EXAMPLE_RUN = RunOptions(details=True, check_data=False)
"""Example rows are built from the card's own types: nothing to validate."""


@dataclass(frozen=True)
class ExampleOutcome:
    name: str
    mismatches: list[tuple[str, Any, Any]] = field(default_factory=list)
    """(name, expected, actual) for every expectation that failed."""
    error: str | None = None

    @property
    def passed(self) -> bool:
        return not self.mismatches and self.error is None


def example_matches(expected: ir.Value, actual: Any) -> bool:
    """Floats within 1e-9 relative; everything else exactly; null only equals null."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return bool(expected == actual)
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-12)
    return bool(expected == actual)


def run_examples(card: Card) -> list[ExampleOutcome]:
    """Every example of `card`, in file order, with its mismatches."""
    outcomes: list[ExampleOutcome] = []
    program = card.program
    for example in program.examples:
        frame = pl.DataFrame(
            {c.name: [example.given.get(c.name)] for c in program.inputs},
            schema={c.name: polars_dtype(c.type) for c in program.inputs},
        )
        try:
            result = run([card], frame, options=_EXAMPLE_RUN).frame
        except ScorecardError as exc:
            outcomes.append(ExampleOutcome(example.name, error=exc.render()))
            continue
        row = result.row(0, named=True)
        mismatches = []
        for name, expected in example.expect.items():
            if name not in row:
                mismatches.append((name, expected, "<no such result>"))
                continue
            if not example_matches(expected, row[name]):
                mismatches.append((name, expected, row[name]))
        outcomes.append(ExampleOutcome(example.name, mismatches))
    return outcomes
