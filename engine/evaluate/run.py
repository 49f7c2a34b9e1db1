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
from typing import TYPE_CHECKING

import polars as pl

from engine import ir
from engine.check.params import parse_value
from engine.diagnostics import ScorecardError, error
from engine.evaluate import bands, metrics, source
from engine.evaluate.rows import ReportError, ScoredRows
from engine.io import tables
from engine.io.reading import Source
from engine.ranking import Top
from engine.run.card import Card
from engine.run.execute import declared_types, run
from engine.run.options import Data, Progress, RunOptions
from engine.run.progress import step

if TYPE_CHECKING:  # each measure's module is imported by its own function, on use
    from engine.evaluate import fairness, monitor, returns, stability


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
    if isinstance(data, str | Path | Source):
        return tables.scan(data).collect_schema().names()
    return data.collect_schema().names()


def score_rows(
    card: Card,
    data: Data,
    *,
    params: Mapping[str, ir.Value] | None = None,
    keep: Sequence[str] = (),
    progress: Progress | None = None,
) -> ScoredRows:
    """Score `data` with rule and bins details, keeping `keep` columns for the report; then
    the step "measuring" begins (what follows the scoring in every report)."""
    options = RunOptions(tuple(keep), details=True, progress=progress)
    frame = run([card], data, [params or {}], options).frame
    step(progress, "measuring")
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
    score_bands: Sequence[float] | None = None,
    progress: Progress | None = None,
) -> metrics.Evaluation:
    """AUC, Gini, KS, the table by class (or by fixed `score_bands`), rules and bins and the
    campaign view for the outcome (the card's `outcome`, or `target` / `event` /
    `high_score_means` given here)."""
    cuts = None if score_bands is None else bands.check(score_bands)
    outcome = outcome_of(card, target, event, high_score_means)
    target = outcome.column
    _check_column(card, data, "--target", target)
    rows = score_rows(card, data, params=params, keep=[target], progress=progress)
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
            band_cuts=cuts,
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
    score_bands: Sequence[float] | None = None,
    progress: Progress | None = None,
) -> stability.Stability:
    """PSI of the score (bins: `score_bands` fixed cuts, else `bins`, else the card's classes,
    else 10), blocks and rules."""
    from engine.evaluate import stability

    cuts = None if score_bands is None else bands.check(score_bands)
    base_rows = score_rows(card, baseline, params=params, progress=progress)
    cur_rows = score_rows(card, current, params=params, progress=progress)
    try:
        return stability.stability(base_rows, cur_rows, bins or card.program.classes or 10, cuts)
    except ReportError as exc:
        raise _fail("E1004", exc) from None


def fairness_of(
    card: Card,
    data: Data,
    by: str,
    *,
    params: Mapping[str, ir.Value] | None = None,
    top: Top | None = None,
    progress: Progress | None = None,
) -> fairness.Fairness:
    """Selection rates per group of the column `by` (any column of the table: a `sensitive`
    one, or another; numeric columns with many values banded into quintiles), and the
    disparate impact."""
    from engine.evaluate import fairness

    _check_column(card, data, "--by", by)
    rows = score_rows(card, data, params=params, keep=[by], progress=progress)
    try:
        return fairness.fairness(rows, by, rows.extra[by], top)
    except fairness.GroupingError as exc:
        raise _fail("E1010", exc) from None
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
    progress: Progress | None = None,
) -> returns.Returns:
    """A campaign's returns by class against its control group, and the Qini curve."""
    from engine.evaluate import returns

    outcome = outcome_of(card, target, event, high_score_means)
    _check_column(card, data, "--target", outcome.column)
    _check_column(card, data, "--treatment", treatment)
    rows = score_rows(
        card, data, params=params, keep=[outcome.column, treatment], progress=progress
    )
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


PERIOD_PARAM = "@period"
"""`--param as_of=@period`: the param takes each period's value (its label parsed as the
param's type), so a snapshot date follows the period being scored."""


def monitor_of(
    card: Card,
    data: Sequence[str | Path | Source],
    *,
    period: str | None = None,
    params: Mapping[str, ir.Value] | None = None,
    period_params: Sequence[str] = (),
    target: str | None = None,
    event: object = None,
    high_score_means: str | None = None,
    bins: int | None = None,
    baseline: str | None = None,
    score_bands: Sequence[float] | None = None,
    progress: Progress | None = None,
) -> monitor.Monitoring:
    """Every period's figures: the tables split by `period`, or one table per period; PSI over
    fixed `score_bands` when given."""
    from engine.evaluate import monitor

    cuts = None if score_bands is None else bands.check(score_bands)
    step(progress, "reading")
    periods = periods_of(data, period, card)
    declared = card.program.outcome
    outcome = (
        outcome_of(card, target, event, high_score_means)
        if target is not None or declared is not None
        else None
    )
    types = {p.name: p.type for p in card.program.params}
    for name in period_params:
        if name not in types:
            raise ScorecardError(
                [error("E1008", f"--param {name}={PERIOD_PARAM}: the card has no param {name!r}")]
            )
    scored: list[monitor.PeriodRows] = []
    for label, frame in periods:
        bound = dict(params or {})
        for name in period_params:
            try:
                bound[name] = parse_value(label, types[name])
            except ValueError as exc:
                raise ScorecardError(
                    [
                        error(
                            "E1008",
                            f"--param {name}={PERIOD_PARAM}: period {label!r} is not a "
                            f"{types[name].value}: {exc}",
                        )
                    ]
                ) from None
        has_outcome = outcome is not None and outcome.column in frame.collect_schema().names()
        keep = [outcome.column] if has_outcome and outcome is not None else []
        rows = score_rows(card, frame, params=bound, keep=keep, progress=progress)
        if has_outcome and outcome is not None:
            try:
                ev, known = metrics.to_events(
                    outcome.column, rows.extra[outcome.column], outcome.event
                )
            except ReportError as exc:
                raise _fail("E1002", exc) from None
            scored.append(monitor.PeriodRows(label, rows, ev, known))
        else:
            scored.append(monitor.PeriodRows(label, rows))
    if baseline is not None and baseline not in [p.label for p in scored]:
        raise ScorecardError(
            [
                error(
                    "E1008",
                    f"--baseline {baseline!r}: no such period ({', '.join(p.label for p in scored)})",
                )
            ]
        )
    direction = outcome.high_score_means if outcome is not None else "more"
    return monitor.monitor(
        scored, bins or card.program.classes or 10, baseline, direction, band_cuts=cuts
    )


def periods_of(
    data: Sequence[str | Path | Source], period: str | None, card: Card | None = None
) -> list[tuple[str, pl.LazyFrame]]:
    """(label, rows) per period, in order: distinct values of `period`, or the files given;
    with `card`, read as its declared columns and the sources' reading options say."""
    types = declared_types([card]) if card is not None else None
    if period is None:
        return [(Path(d).stem, tables.scan(d, types)) for d in data]
    frame = pl.concat([tables.scan(d, types) for d in data], how="diagonal_relaxed")
    if period not in frame.collect_schema().names():
        raise ScorecardError([error("E1001", f"--period {period!r}: the table has no such column")])
    values = frame.select(pl.col(period).unique().sort(nulls_last=True)).collect().to_series()
    out = []
    for value in values.to_list():
        selector = pl.col(period).is_null() if value is None else pl.col(period) == value
        out.append(
            ("(missing)" if value is None else str(value), frame.filter(selector).drop(period))
        )
    return out
