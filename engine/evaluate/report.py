"""One self-contained HTML page: charts as inline SVG, the tables, no script and no network.

The charts sit in a grid of fixed boxes at the top of the page (`chart_boxes` gives each box's
place in CSS pixels), so the page looks the same in any browser and a test can find each chart
in a screenshot. The page is rendered by a Jinja template with autoescaping and written
atomically (temp file + rename).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.evaluate import charts
from engine.evaluate.charts import Chart
from engine.evaluate.tables import Table
from engine.io.outputs import write_text

if TYPE_CHECKING:  # each command imports only the module of its own measure
    import jinja2

    from engine.evaluate.fairness import Fairness
    from engine.evaluate.metrics import Evaluation
    from engine.evaluate.monitor import Monitoring
    from engine.evaluate.returns import Returns
    from engine.evaluate.stability import Stability

PAGE_WIDTH = 1200
HEADER_HEIGHT = 110
GAP = 24
COLUMNS = 2


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    width: int
    height: int


def chart_boxes(count: int) -> list[Box]:
    """Where the page draws its charts, in order: two per row under a fixed-height header."""
    out = []
    for i in range(count):
        row, col = divmod(i, COLUMNS)
        out.append(
            Box(
                GAP + col * (charts.WIDTH + GAP),
                HEADER_HEIGHT + GAP + row * (charts.HEIGHT + GAP),
                charts.WIDTH,
                charts.HEIGHT,
            )
        )
    return out


def evaluation_charts(ev: Evaluation) -> list[Chart]:
    h = ev.histogram
    unit = "band" if ev.band_labels else "class"
    labels = [charts.number(x) for x in h.edges[:-1]]
    out = [
        Chart(
            "score-distribution",
            "Score distribution",
            charts.bar_chart(
                "Score distribution",
                labels,
                [
                    ("non-events", [float(x) for x in h.non_events]),
                    ("events", [float(x) for x in h.events]),
                ],
                x_label="score (lower edge of each bin)",
                y_label="customers",
                stacked=True,
            ),
            "How many customers fall in each score range; the events are stacked on top.",
        ),
        Chart(
            "gains",
            "Gains curve",
            charts.gains_chart(
                "Gains curve", [(r.cum_rows_share, r.cum_capture or 0.0) for r in ev.classes]
            ),
            "Contacting the top x% of scores finds y% of all events; the diagonal is a random pick.",
        ),
        Chart(
            "lift",
            f"Lift by {unit}",
            charts.bar_chart(
                f"Lift by {unit}",
                [ev.band_labels[r.cls - 1] if ev.band_labels else str(r.cls) for r in ev.classes],
                [("lift", [r.lift or 0.0 for r in ev.classes])],
                x_label="score band" if ev.band_labels else "class (1 = highest scores)",
                y_label="event rate / overall rate",
                reference=("lift 1 = average", 1.0),
            ),
            f"Each {unit}'s event rate divided by the overall rate: above 1, better than average.",
        ),
    ]
    return out


def stability_charts(st: Stability) -> list[Chart]:
    bins = st.score.bins
    banded = st.score.banded
    cats = [b.label for b in bins] if banded else [str(i) for i in range(1, len(bins) + 1)]
    axis = "score band" if banded else "score bin (1 = highest scores)"
    return [
        Chart(
            "psi-shares",
            "Share by score bin",
            charts.bar_chart(
                "Share by score bin",
                cats,
                [
                    ("baseline", [b.base_share for b in bins]),
                    ("current", [b.cur_share for b in bins]),
                ],
                x_label=axis,
                y_label="share of scored rows",
                y_format=charts.percent,
            ),
            "Share of customers in each score band (--bands)."
            if banded
            else "Share of customers in each score bin, cut at the baseline's classes.",
        ),
        Chart(
            "psi-bins",
            f"PSI by bin (total {st.score.psi:.3f})",
            charts.bar_chart(
                f"PSI by bin (total {st.score.psi:.3f}, {st.score.flag})",
                cats,
                [("PSI term", [b.psi for b in bins])],
                x_label=axis,
                y_label="PSI term",
            ),
            "Each bin's part of the PSI: (current − baseline share) × ln(current / baseline).",
        ),
    ]


def fairness_charts(fa: Fairness) -> list[Chart]:
    best = max((g.selection_rate or 0.0 for g in fa.groups), default=0.0)
    return [
        Chart(
            "selection-rate",
            "Selection rate by group",
            charts.bar_chart(
                f"Selection rate by {fa.column}",
                [g.group for g in fa.groups],
                [("selection rate", [g.selection_rate or 0.0 for g in fa.groups])],
                x_label=f"{fa.column} ({fa.selection})",
                y_label="share selected",
                y_format=charts.percent,
                reference=("4/5 of the highest rate", 0.8 * best),
            ),
            "Groups whose bar ends below the dashed line are selected at under 80% of the best rate.",
        ),
        Chart(
            "mean-score",
            "Mean score by group",
            charts.bar_chart(
                f"Mean score by {fa.column}",
                [g.group for g in fa.groups],
                [("mean score", [g.mean_score or 0.0 for g in fa.groups])],
                x_label=fa.column,
                y_label="mean score",
            ),
            "The average score of each group's scored customers.",
        ),
    ]


def returns_charts(rt: Returns) -> list[Chart]:
    end = rt.qini[-1][1] if rt.qini else 0.0
    return [
        Chart(
            "uplift",
            "Uplift by class",
            charts.bar_chart(
                "Response rate, contacted vs control, by class",
                [str(r.cls) for r in rt.rows],
                [
                    ("contacted", [r.contacted_rate or 0.0 for r in rt.rows]),
                    ("control", [r.control_rate or 0.0 for r in rt.rows]),
                ],
                x_label="class (1 = highest scores)",
                y_label="response rate",
                y_format=charts.percent,
            ),
            "Where the contacted bar stands above the control bar, the contact brought responses.",
        ),
        Chart(
            "qini",
            "Qini curve",
            charts.line_chart(
                "Qini curve: incremental responses as the ranking goes down",
                [("card", [(0.0, 0.0), *rt.qini]), ("random", [(0.0, 0.0), (1.0, end)])],
                x_label="share of customers, best scores first",
                y_label="incremental responses",
            ),
            "The higher the curve above the dashed line, the better the card finds the "
            "customers the contact moves.",
        ),
    ]


def monitoring_charts(mo: Monitoring) -> list[Chart]:
    n = len(mo.periods)

    def at(i: int) -> float:
        return i / (n - 1) if n > 1 else 0.0

    def series(name: str, values: list[float | None]) -> tuple[str, list[tuple[float, float]]]:
        return name, [(at(i), v) for i, v in enumerate(values) if v is not None]

    out = [
        Chart(
            "score-by-period",
            "Score by period",
            charts.line_chart(
                "Score distribution by period (p10, median, p90)",
                [
                    series("p90", [p.p90 for p in mo.periods]),
                    series("median", [p.p50 for p in mo.periods]),
                    series("p10", [p.p10 for p in mo.periods]),
                ],
                x_label=f"periods {mo.periods[0].period} .. {mo.periods[-1].period}",
                y_label="score",
            ),
            "Lines that drift apart or move together show the population changing.",
        ),
        Chart(
            "psi-by-period",
            "PSI by period",
            charts.line_chart(
                "Score PSI against the baseline period",
                [
                    series("PSI", [p.psi for p in mo.periods]),
                    ("shift (0.1)", [(0.0, 0.1), (1.0, 0.1)]),
                ],
                x_label=f"periods {mo.periods[0].period} .. {mo.periods[-1].period}",
                y_label="PSI",
            ),
            "Above 0.1 the population has shifted; above 0.25 the shift is major.",
        ),
    ]
    if any(p.auc is not None for p in mo.periods):
        out.append(
            Chart(
                "auc-by-period",
                "AUC by period",
                charts.line_chart(
                    "AUC and KS by period",
                    [
                        series("AUC", [p.auc for p in mo.periods]),
                        series("KS", [p.ks for p in mo.periods]),
                    ],
                    x_label=f"periods {mo.periods[0].period} .. {mo.periods[-1].period}",
                    y_label="AUC / KS",
                    y_format=charts.number,
                ),
                "Is the score still predictive? A falling AUC calls for a refit.",
            )
        )
    return out


@dataclass(frozen=True)
class Section:
    title: str
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    """Lines under the section's title (e.g. why a part of the page is skipped)."""


@dataclass(frozen=True)
class Report:
    title: str
    facts: list[tuple[str, str]]
    """Short lines under the title: the card, the data, the options."""
    charts: list[Chart] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


@functools.cache
def _environment() -> jinja2.Environment:
    """Jinja, imported and set up on the first page written (`--json` and the terminal
    tables need neither)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: Report) -> str:
    boxes = chart_boxes(len(report.charts))
    grid_height = (boxes[-1].top + boxes[-1].height + GAP - HEADER_HEIGHT) if boxes else 0
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            placed=list(zip(report.charts, boxes, strict=True)),
            page_width=PAGE_WIDTH,
            header_height=HEADER_HEIGHT,
            grid_height=grid_height,
            generated=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        )
    )


def write_html(path: Path, report: Report) -> None:
    """Write the page all-or-nothing; a path that cannot be written is E803-E807."""
    write_text(path, render_html(report))


def jsonable(value: Any) -> Any:
    """Dataclasses as dicts, tuples as lists, NaN and infinities as null (JSON has neither)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
