"""Running a card's `example` blocks: one row built from `given`, compared with `expect`.

Columns not given are null. Expectations may name any result column (`score`, `segment`,
`class`, `excluded`, `reason_N`) or any let, rule, bins or model; floats are compared within
1e-9 relative, everything else exactly.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from engine import ir, results
from engine.backends.polars.expressions import polars_dtype
from engine.diagnostics import ScorecardError
from engine.program import ExampleDef, Program
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
    """Every example of `card`, in file order, with its mismatches.

    The examples run as one table, one row each: a run's fixed cost (planning the card's
    query) is paid once. `class` is the one result that depends on the other rows (it ranks
    the row's score among the table's), and it is null exactly where the row's own score is:
    an example that expects a class and got one runs again as a table of its own row. A
    problem raised by the shared run is reported by running each example alone, which says
    which one it is."""
    program = card.program
    frames = [_frame(program, example) for example in program.examples]
    rows: list[dict[str, Any] | None] = [None] * len(frames)
    if len(frames) > 1:
        with contextlib.suppress(ScorecardError):
            table = run([card], pl.concat(frames), options=_EXAMPLE_RUN).frame
            rows = list(table.iter_rows(named=True))
    outcomes: list[ExampleOutcome] = []
    for example, frame, row in zip(program.examples, frames, rows, strict=True):
        if row is None or (results.CLASS in example.expect and row.get(results.CLASS) is not None):
            try:
                row = run([card], frame, options=_EXAMPLE_RUN).frame.row(0, named=True)
            except ScorecardError as exc:
                outcomes.append(ExampleOutcome(example.name, error=exc.render()))
                continue
        outcomes.append(ExampleOutcome(example.name, _mismatches(example, row)))
    return outcomes


def _frame(program: Program, example: ExampleDef) -> pl.DataFrame:
    """The example's row: its `given` values, null for the inputs it does not give."""
    return pl.DataFrame(
        {c.name: [example.given.get(c.name)] for c in program.inputs},
        schema={c.name: polars_dtype(c.type) for c in program.inputs},
    )


def _mismatches(example: ExampleDef, row: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    mismatches: list[tuple[str, Any, Any]] = []
    for name, expected in example.expect.items():
        if name not in row:
            mismatches.append((name, expected, "<no such result>"))
        elif not example_matches(expected, row[name]):
            mismatches.append((name, expected, row[name]))
    return mismatches
