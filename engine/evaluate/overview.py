"""`scorecard report`: one page a marketing or credit manager reads, in the order they ask.

1. Who scores high? The card in a few lines, the score's distribution, the segments.
2. Does it rank? AUC, Gini, KS, gains and lift (needs the outcome column).
3. Is it stable? Monitoring period by period (needs `--period COL` or two tables or more).
4. Is it fair? Selection by group (the card's `sensitive` columns, or `--by COL`).
5. Did the campaign pay? Returns against the control group (needs `--treatment COL`).

Each part reuses the command that measures it (engine.evaluate.run); a part whose data is not
there is skipped with a line saying why, so the page never fails for want of a column. A part
whose data is there but wrong (an outcome that is not 0/1...) is an error, as in its command.
Stability reads each table given (or each value of `--period COL`) as a period; the other
parts read the latest period (the last table, or the last value of the period column), since
the same customers come back in every period.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from engine import ir
from engine.evaluate import charts, report, run, tables
from engine.evaluate.charts import Chart
from engine.evaluate.rows import ScoredRows
from engine.io.reading import Source
from engine.ranking import Top
from engine.run.card import Card
from engine.run.options import Progress
from engine.run.progress import step

QUESTIONS = (
    "Who scores high?",
    "Does it rank?",
    "Is it stable?",
    "Is it fair?",
    "Did the campaign pay?",
)


@dataclass(frozen=True)
class ReportOptions:
    """What the command line adds to the card: the outcome, the campaign, periods, groups."""

    params: Mapping[str, ir.Value] = field(default_factory=dict)
    target: str | None = None
    event: object = None
    high_score_means: str | None = None
    treatment: str | None = None
    period: str | None = None
    period_params: Sequence[str] = ()
    by: Sequence[str] = ()
    top: Top | None = None
    classes: int | None = None
    bands: Sequence[float] | None = None
    value: float | None = None
    cost: float | None = None
    progress: Progress | None = None
    """Told of each step (the command line's bar)."""


@dataclass
class Overview:
    """The page, its tables (for the terminal) and every figure (for JSON)."""

    title: str
    charts: list[Chart] = field(default_factory=list)
    sections: list[report.Section] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    """Question → why its part is not on the page."""
    current: str = ""
    """The period (table name or period value) the parts other than stability read."""

    def add(self, question: str, items: list[tables.Table], figures: object) -> None:
        self.sections.append(report.Section(question, items))
        self.payload[question] = figures

    def skip(self, question: str, why: str) -> None:
        self.sections.append(report.Section(question, [], [f"Skipped: {why}."]))
        self.skipped[question] = why

    def page(self, facts: list[tuple[str, str]]) -> report.Report:
        return report.Report(self.title, facts, self.charts, self.sections)


def overview(card: Card, data: Sequence[str | Path | Source], opts: ReportOptions) -> Overview:
    """Every part of the page whose data is there, in the manager's order."""
    title = card.program.metadata.get("title") or card.program.name
    out = Overview(f"{title}: the score report")
    step(opts.progress, "reading")
    label, frame = run.periods_of(data, opts.period, card)[-1]
    out.current = label
    columns = set(frame.collect_schema().names())
    _who(card, frame, opts, out)
    outcome = _outcome(card, opts, columns)
    if isinstance(outcome, str):
        out.skip(QUESTIONS[1], outcome)
    else:
        _ranks(card, frame, opts, outcome, out)
    _stable(card, data, opts, out)
    _fair(card, frame, opts, columns, out)
    _paid(card, frame, opts, columns, outcome, out)
    return out


def _outcome(card: Card, opts: ReportOptions, columns: set[str]) -> run.Outcome | str:
    """The outcome, or why there is none to measure."""
    if opts.target is None and card.program.outcome is None:
        return "the card has no `outcome` statement and no --target was given"
    outcome = run.outcome_of(card, opts.target, opts.event, opts.high_score_means)
    if outcome.column not in columns:
        return f"the data has no outcome column {outcome.column!r}"
    return outcome


def _who(card: Card, frame: pl.LazyFrame, opts: ReportOptions, out: Overview) -> None:
    rows = run.score_rows(card, frame, params=opts.params, progress=opts.progress)
    program = card.program
    sensitive = [c.name for c in program.inputs if c.sensitive]
    facts = [
        ["card", program.name],
        *([k, v] for k, v in program.metadata.items()),
        ["inputs", f"{len(program.inputs)}" + (f" ({', '.join(sensitive)} sensitive)" if sensitive else "")],
        ["rules, bins blocks, models", f"{len(program.rules)}, {len(program.bins)}, {len(program.models)}"],
        ["classes", "none (deciles in reports)" if program.classes is None else str(program.classes)],
        ["outcome", "not declared" if program.outcome is None else program.outcome.column],
    ]  # fmt: skip
    score = rows.score[rows.has_score]
    q = np.quantile(score, [0.1, 0.5, 0.9]) if score.size else [None, None, None]
    population = [
        ["rows", f"{len(rows):,}"],
        ["scored", f"{score.size:,}"],
        *_exclusions(rows),
        ["mean score", tables.num(float(score.mean()) if score.size else None)],
        ["p10 / median / p90", " / ".join(tables.num(x) for x in q)],
    ]
    items = [
        tables.Table("The card", ["", ""], facts),
        tables.Table("The population scored", ["figure", "value"], population),
    ]
    if rows.segments and rows.segment is not None:
        items.append(_segments_table(rows))
    out.add(QUESTIONS[0], items, {"rows": len(rows), "scored": int(score.size)})
    if score.size:
        out.charts.append(_distribution_chart(score))


def _exclusions(rows: ScoredRows) -> list[list[str]]:
    if rows.excluded is None:
        return []
    reasons: dict[str, int] = {}
    for r in rows.excluded:
        if r is not None:
            reasons[r] = reasons.get(r, 0) + 1
    return [[f"excluded: {r}", f"{n:,}"] for r, n in reasons.items()]


def _segments_table(rows: ScoredRows) -> tables.Table:
    assert rows.segment is not None
    seg = np.asarray(rows.segment, dtype=object)
    lines = []
    for name in rows.segments:
        inside = seg == name
        score = rows.score[inside & rows.has_score]
        lines.append(
            [
                name,
                f"{int(inside.sum()):,}",
                tables.pct(float(inside.mean()) if len(rows) else None),
                tables.num(float(score.mean()) if score.size else None),
                tables.DASH
                if not score.size
                else f"{tables.num(float(score.min()))} – {tables.num(float(score.max()))}",
            ]
        )
    return tables.Table("Segments", ["segment", "rows", "share", "mean score", "scores"], lines)


def _distribution_chart(score: np.ndarray) -> Chart:
    lo, hi = float(score.min()), float(score.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(score, np.linspace(lo, hi, 21))
    return Chart(
        "who-scores-high",
        "Score distribution",
        charts.bar_chart(
            "Score distribution of the customers scored",
            [charts.number(float(x)) for x in edges[:-1]],
            [("customers", [float(c) for c in counts])],
            x_label="score (lower edge of each bin)",
            y_label="customers",
        ),
        "How many customers fall in each score range.",
    )


def _ranks(
    card: Card, frame: pl.LazyFrame, opts: ReportOptions, outcome: run.Outcome, out: Overview
) -> None:
    ev = run.evaluate_card(
        card,
        frame,
        outcome.column,
        params=opts.params,
        classes=opts.classes,
        value=opts.value,
        cost=opts.cost,
        event=outcome.event,
        high_score_means=outcome.high_score_means,
        score_bands=opts.bands,
        progress=opts.progress,
    )
    out.add(QUESTIONS[1], tables.evaluation_tables(ev), ev)
    out.charts.extend(c for c in report.evaluation_charts(ev) if c.id != "score-distribution")


def _stable(
    card: Card, data: Sequence[str | Path | Source], opts: ReportOptions, out: Overview
) -> None:
    if opts.period is None and len(data) < 2:
        out.skip(
            QUESTIONS[2],
            "one table and no --period: give --period COL, or one table per period",
        )
        return
    mo = run.monitor_of(
        card,
        data,
        period=opts.period,
        params=opts.params,
        period_params=opts.period_params,
        target=opts.target,
        event=opts.event,
        high_score_means=opts.high_score_means,
        bins=opts.classes,
        score_bands=opts.bands,
        progress=opts.progress,
    )
    out.add(QUESTIONS[2], tables.monitoring_tables(mo), mo)
    out.charts.extend(report.monitoring_charts(mo))


def _fair(
    card: Card, frame: pl.LazyFrame, opts: ReportOptions, columns: set[str], out: Overview
) -> None:
    by = list(opts.by) or [c.name for c in card.program.inputs if c.sensitive and c.name in columns]
    if not by:
        out.skip(
            QUESTIONS[3], "the card marks no column of the data `sensitive` and no --by was given"
        )
        return
    if opts.top is None and not card.program.segments:
        out.skip(
            QUESTIONS[3], "the card declares no segment and no --top was given: who is selected?"
        )
        return
    items: list[tables.Table] = []
    figures = {}
    for i, column in enumerate(by, start=1):
        fa = run.fairness_of(
            card, frame, column, params=opts.params, top=opts.top, progress=opts.progress
        )
        items.extend(tables.fairness_tables(fa))
        figures[column] = fa
        chart = report.fairness_charts(fa)[0]
        out.charts.append(dataclasses.replace(chart, id=f"{chart.id}-{i}"))
    out.add(QUESTIONS[3], items, figures)


def _paid(
    card: Card,
    frame: pl.LazyFrame,
    opts: ReportOptions,
    columns: set[str],
    outcome: run.Outcome | str,
    out: Overview,
) -> None:
    if opts.treatment is None:
        out.skip(QUESTIONS[4], "no --treatment column says who was contacted")
        return
    if opts.treatment not in columns:
        out.skip(QUESTIONS[4], f"the data has no treatment column {opts.treatment!r}")
        return
    if isinstance(outcome, str):
        out.skip(QUESTIONS[4], outcome)
        return
    rt = run.returns_of(
        card,
        frame,
        opts.treatment,
        outcome.column,
        params=opts.params,
        classes=opts.classes,
        value=opts.value,
        cost=opts.cost,
        event=outcome.event,
        high_score_means=outcome.high_score_means,
        progress=opts.progress,
    )
    out.add(QUESTIONS[4], tables.returns_tables(rt), rt)
    out.charts.extend(report.returns_charts(rt))
