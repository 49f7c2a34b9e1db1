"""The "run examples" code lens: above each `example`, a lens that runs the card's examples
(with `engine.run.examples`, as `scorecard test` does) and then shows pass or fail inline.

Running loads Polars (and scikit-learn for a card with models), so it happens only when the
user clicks the lens (the `scorecard.runExamples` command), never on a keystroke. The outcomes
are kept for the text they were run on: after an edit the lenses offer to run again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from lsprotocol import types

from engine.diagnostics import ScorecardError
from engine.lsp.document import Analysis
from engine.syntax import ast

RUN_EXAMPLES = "scorecard.runExamples"


@dataclass(frozen=True, slots=True)
class ExampleResult:
    name: str
    passed: bool
    message: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _examples(doc: Analysis) -> list[ast.ExampleStmt]:
    card = doc.card
    return [s for s in card.statements if isinstance(s, ast.ExampleStmt)] if card else []


def code_lenses(doc: Analysis, outcomes: list[ExampleResult] | None) -> list[types.CodeLens]:
    """One lens per example: "run examples" before a run, its pass or fail after one."""
    lenses = []
    examples = _examples(doc)
    for i, stmt in enumerate(examples):
        if outcomes is not None and len(outcomes) == len(examples):
            result = outcomes[i]
            title = "✓ passed · run again" if result.passed else f"✗ {result.message} · run again"
        else:
            title = "▶ run examples"
        span = stmt.name.span or stmt.span
        command = types.Command(title=title, command=RUN_EXAMPLES, arguments=[doc.uri])
        lenses.append(types.CodeLens(range=doc.range(span), command=command))
    return lenses


def run_examples(doc: Analysis) -> list[ExampleResult]:
    """Every example's outcome, in file order (a card with errors runs none)."""
    names = [s.name.value for s in _examples(doc)]
    if not doc.result.ok:
        return [ExampleResult(n, False, "the card has errors: fix them first") for n in names]
    from engine.run.card import Card  # Polars, and scikit-learn for models: on demand only
    from engine.run.examples import run_examples as run

    try:
        outcomes = run(Card(doc.result))
    except ScorecardError as exc:
        reason = exc.diagnostics[0].message if exc.diagnostics else str(exc)
        return [ExampleResult(n, False, f"could not run: {reason}") for n in names]
    out = []
    for outcome in outcomes:
        if outcome.error is not None:
            message = f"could not run: {outcome.error.splitlines()[0]}"
        else:
            message = "; ".join(
                f"{name}: expected {_text(want)}, got {_text(got)}"
                for name, want, got in outcome.mismatches
            )
        out.append(ExampleResult(outcome.name, outcome.passed, message or "passed"))
    return out


def _text(value: object) -> str:
    if value is None:
        return "missing"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
