"""The Python entry points of the three reports: score the table(s) with a card, then measure.

    import engine
    from engine.evaluate.run import evaluate_card
    card = engine.load("scorecards/churn_risk.scorecard")
    ev = evaluate_card(card, "history.csv", target="churned", value=40, cost=2)
    print(ev.auc, ev.classes[0].lift)

Every problem a user can cause is raised as `engine.ScorecardError` with a diagnostic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine import ir
from engine.diagnostics import ScorecardError, error
from engine.evaluate import fairness, metrics, returns, source, stability
from engine.evaluate.rows import ReportError, ScoredRows
from engine.io import tables
from engine.ranking import Top
from engine.run.card import Card
from engine.run.execute import run
from engine.run.options import Data, RunOptions


def _reserved(card: Card) -> set[str]:
    """Names the scored table already uses: results, definitions and their details."""
    program = card.program
    names = set(program.result_columns()) | {d.name for d in program.definitions}
    return names | set(program.detail_columns())


def _check_column(card: Card, data: Data, option: str, name: str) -> None:
    if name not in _columns(data):
        raise ScorecardError([error("E1001", f"{option} {name!r}: the table has no such column")])
    if name in _reserved(card):
        raise ScorecardError(
            [
                error(
                    "E1001",
                    f"{option} {name!r}: the card already uses this name for a result or a value",
                    None,
                    "rename the column in the table",
                )
            ]
        )


def _columns(data: Data) -> list[str]:
    if isinstance(data, str | Path):
        return tables.scan(data).collect_schema().names()
    return data.collect_schema().names()


def score_rows(
    card: Card,
    data: Data,
    *,
    params: Mapping[str, ir.Value] | None = None,
    keep: Sequence[str] = (),
) -> ScoredRows:
    """Score `data` with rule and bins details, keeping `keep` columns for the report."""
    frame = run([card], data, [params or {}], RunOptions(tuple(keep), details=True)).frame
    return source.rows_from_results(frame, card.program, keep)


def _fail(code: str, exc: ReportError) -> ScorecardError:
    return ScorecardError([error(code, str(exc))])


@dataclass(frozen=True)
class Outcome:
    """Which column is the outcome, which value is the event, what a high score means."""

    column: str
    event: object = None
    high_score_means: str = "more"


def outcome_of(
    card: Card,
    target: str | None = None,
    event: object = None,
    high_score_means: str | None = None,
) -> Outcome:
    """The card's `outcome` statement with the command line's overrides on top.

    An override of the column alone drops the card's event value (it belonged to its column)."""
    declared = card.program.outcome
    if target is None and declared is None:
        raise ScorecardError(
            [
                error(
                    "E1001",
                    "which column is the outcome? the card has no `outcome` statement",
                    None,
                    "give --target COL, or add `outcome COL` to the card (docs/language.md)",
                )
            ]
        )
    column = target or (declared.column if declared else "")
    same_column = declared is not None and declared.column == column
    return Outcome(
        column,
        event if event is not None else (declared.event if same_column and declared else None),
        high_score_means or (declared.high_score_means if declared else "more"),
    )


def evaluate_card(
    card: Card,
    data: Data,
    target: str | None = None,
    *,
    params: Mapping[str, ir.Value] | None = None,
    classes: int | None = None,
    value: float | None = None,
    cost: float | None = None,
    event: object = None,
    high_score_means: str | None = None,
) -> metrics.Evaluation:
    """AUC, Gini, KS, the table by class, rules and bins and the campaign view for the outcome
    (the card's `outcome`, or `target` / `event` / `high_score_means` given here)."""
    outcome = outcome_of(card, target, event, high_score_means)
    target = outcome.column
    _check_column(card, data, "--target", target)
    rows = score_rows(card, data, params=params, keep=[target])
    try:
        events, known = metrics.to_events(target, rows.extra[target], outcome.event)
        return metrics.evaluate(
            rows,
            events,
            known,
            n_classes=classes,
            value=value,
            cost=cost,
            high_score_means=outcome.high_score_means,
        )
    except ReportError as exc:
        raise _fail("E1002", exc) from None


def stability_of(
    card: Card,
    baseline: Data,
    current: Data,
    *,
    params: Mapping[str, ir.Value] | None = None,
    bins: int | None = None,
) -> stability.Stability:
    """PSI of the score (bins: `bins`, else the card's classes, else 10), blocks and rules."""
    base_rows = score_rows(card, baseline, params=params)
    cur_rows = score_rows(card, current, params=params)
    try:
        return stability.stability(base_rows, cur_rows, bins or card.program.classes or 10)
    except ReportError as exc:
        raise _fail("E1004", exc) from None


def fairness_of(
    card: Card,
    data: Data,
    by: str,
    *,
    params: Mapping[str, ir.Value] | None = None,
    top: Top | None = None,
) -> fairness.Fairness:
    """Selection rates per group of the `sensitive` column `by`, and the disparate impact."""
    column = next((c for c in card.program.inputs if c.name == by), None)
    if column is None or not column.sensitive:
        what = "is not an input of the card" if column is None else "is not marked sensitive"
        problem = error(
            "E1003",
            f"--by {by!r} {what}",
            None if column is None else column.span,
            "fairness reads only columns declared `sensitive` in the input block",
        )
        if card.path is not None:
            problem = problem.with_file(str(card.path))
        raise ScorecardError([problem], card.source)
    _check_column(card, data, "--by", by)
    rows = score_rows(card, data, params=params, keep=[by])
    try:
        return fairness.fairness(rows, by, rows.extra[by], top)
    except ReportError as exc:
        raise _fail("E1005", exc) from None


def returns_of(
    card: Card,
    data: Data,
    treatment: str,
    target: str | None = None,
    *,
    params: Mapping[str, ir.Value] | None = None,
    classes: int | None = None,
    value: float | None = None,
    cost: float | None = None,
    event: object = None,
    high_score_means: str | None = None,
) -> returns.Returns:
    """A campaign's returns by class against its control group, and the Qini curve."""
    outcome = outcome_of(card, target, event, high_score_means)
    _check_column(card, data, "--target", outcome.column)
    _check_column(card, data, "--treatment", treatment)
    rows = score_rows(card, data, params=params, keep=[outcome.column, treatment])
    try:
        responded, known = metrics.to_events(
            outcome.column, rows.extra[outcome.column], outcome.event
        )
        treated, known_treatment = returns.to_treatment(treatment, rows.extra[treatment])
        return returns.returns(
            rows,
            responded,
            treated,
            known & known_treatment,
            n_classes=classes,
            value=value,
            cost=cost,
            high_score_means=outcome.high_score_means,
        )
    except ReportError as exc:
        raise _fail("E1007", exc) from None
