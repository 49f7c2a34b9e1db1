"""The quality report as one self-contained HTML page, in the evaluation report's layout
(`engine.evaluate.report`): two charts in fixed boxes, then the tables the terminal shows."""

from __future__ import annotations

from pathlib import Path

from engine.evaluate import charts, report
from engine.evaluate.charts import Chart
from engine.quality.figures import Quality
from engine.quality.tables import quality_tables


def quality_charts(q: Quality) -> list[Chart]:
    """Missing and wrong-typed values per column; rows outside every bin per bins block."""
    rows = max(q.rows, 1)
    out = [
        Chart(
            "missing-by-column",
            "Missing and unreadable values by column",
            charts.bar_chart(
                "Missing and unreadable values by column",
                [c.name for c in q.columns],
                [
                    ("null", [c.nulls / rows for c in q.columns]),
                    ("wrong type", [c.bad_type / rows for c in q.columns]),
                ],
                x_label="declared column",
                y_label="share of rows",
                y_format=charts.percent,
                stacked=True,
            ),
            "The share of rows where each column is null, with the values that fail its type "
            "stacked on top.",
        )
    ]
    if q.bins:
        out.append(
            Chart(
                "outside-bins",
                "Rows outside every bin",
                charts.bar_chart(
                    "Rows outside every bin",
                    [b.name for b in q.bins],
                    [("outside every bin", [b.outside / rows for b in q.bins])],
                    x_label="bins block",
                    y_label="share of rows",
                    y_format=charts.percent,
                ),
                "Rows whose value no bin but `else` takes: out of every interval, or a "
                "category the card never names.",
            )
        )
    return out


def quality_page(q: Quality, card: str) -> report.Report:
    facts = [("card", card), ("data", q.data), ("rows", f"{q.rows:,}")]
    if q.matching is not None:
        facts.append(("matched on", ", ".join(q.matching.columns)))
    return report.Report(
        f"Data quality of {Path(q.data).name} for {q.card}",
        facts,
        quality_charts(q),
        [report.Section("Data quality", quality_tables(q))],
    )
