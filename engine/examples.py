"""Running a card's `example` blocks: one row built from `given`, compared with `expect`.

Columns not given are null. Expectations may name any result column (`score`, `segment`,
`class`, `excluded`, `reason_N`) or any let, rule, bins or model; floats are compared within
1e-9 relative, everything else exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from engine.backends.polars.expressions import polars_dtype
from engine.diagnostics import ScorecardError

if TYPE_CHECKING:
    from engine.api import ExampleOutcome, Scorecard


def run_examples(card: Scorecard) -> list[ExampleOutcome]:
    """Every example of `card`, in file order, with its mismatches."""
    from engine.api import ExampleOutcome, example_matches, run

    outcomes: list[ExampleOutcome] = []
    program = card.program
    for example in program.examples:
        frame = pl.DataFrame(
            {c.name: [example.given.get(c.name)] for c in program.inputs},
            schema={c.name: polars_dtype(c.type) for c in program.inputs},
        )
        try:
            result = run([card], frame, details=True, check_data=False).frame
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
