"""The profile's HTML page: one bar chart of index per column, then the tables.

The page is the evaluation report's (same template, same chart boxes, no script): bars of
categories with at least `--min-count` base rows are drawn in the first series colour, small
ones stacked in the second, and a dashed line marks 100 (the base's share).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.evaluate import charts, report
from engine.evaluate.charts import Chart
from engine.evaluate.tables import Table
from engine.profile.categories import MISSING
from engine.profile.run import ColumnProfile, Profile
from engine.profile.tables import profile_tables

if TYPE_CHECKING:  # the profile page needs no fitting (scikit-learn)
    from engine.profile.lookalike import Lookalike


def short_label(label: str, how: str) -> str:
    """A numeric category by its lower edge (`< 25` stays, `[25, 32)` is `25`, `>= 67` is
    `67+`), so the axis holds ten of them; others up to 12 characters."""
    if how == "base deciles" and label != MISSING:
        if label.startswith("["):
            return label[1:].split(",")[0]
        if label.startswith(">= "):
            return label[3:] + "+"
        return label.replace(" ", "")
    return label if len(label) <= 12 else label[:11] + "…"


def index_chart(number: int, col: ColumnProfile, min_count: int) -> Chart:
    cats = [c for c in col.categories if c.index is not None]
    title = f"{col.column}: index by category" + (" (sensitive)" if col.sensitive else "")
    svg = charts.bar_chart(
        title,
        [short_label(c.label, col.how) for c in cats],
        [
            ("index", [0.0 if c.small else c.index or 0.0 for c in cats]),
            (
                f"small (< {min_count} base rows)",
                [c.index or 0.0 if c.small else 0.0 for c in cats],
            ),
        ],
        x_label=f"{col.column} ({col.how})",
        y_label="index (base = 100)",
        stacked=True,
        reference=("base = 100", 100.0),
    )
    return Chart(
        f"index-{number}",
        f"{col.column}",
        svg,
        f"Share in the group / share in the base × 100, per category of {col.column}; "
        f"{col.how}; Cramér's V {col.cramers_v:.3f}.",
    )


def _traits_table(profile: Profile) -> Table:
    return Table(
        "Strongest traits",
        ["trait"],
        [[t.text] for t in profile.traits] or [["no category stands out"]],
    )


def profile_report(profile: Profile) -> report.Report:
    facts = [
        ("group", profile.group),
        ("data", profile.data),
        ("base", profile.base),
        ("group rows", f"{profile.group_rows:,}"),
        ("base rows", f"{profile.base_rows:,}"),
    ]
    if profile.card is not None:
        facts.insert(0, ("card", profile.card))
    tables = profile_tables(profile)
    summary = _traits_table(profile)
    return report.Report(
        f"Profile of {profile.group}",
        facts,
        [index_chart(i + 1, c, profile.min_count) for i, c in enumerate(profile.columns)],
        [report.Section("Portrait", [summary, *tables])],
    )


def recall_table(found: Lookalike) -> Table:
    rows = [
        [
            f"top {100 * r.top:g}%",
            f"{r.rows:,}",
            f"{r.found:,} of {found.hidden:,}",
            f"{100 * r.recall:.1f}%",
            f"{100 * r.random:.1f}%",
            f"{r.lift:.2f}",
        ]
        for r in found.recall
    ]
    auc = "–" if found.auc is None else f"{found.auc:.4f}"
    return Table(
        "Hidden customers found in the ranking",
        ["ranking", "rows", "hidden customers", "recall", "random", "lift"],
        rows,
        notes=[
            f"{found.hidden:,} customers were hidden among {found.ranked:,} rows before a first "
            f"fit; AUC of the hidden customers against the rest: {auc}.",
            "The card written was then fitted with every customer.",
        ],
    )


def lookalike_report(found: Lookalike, customers: str, population: str) -> report.Report:
    recall = Chart(
        "recall",
        "Recall of hidden customers",
        charts.bar_chart(
            "Hidden customers found, by share of the ranking",
            [f"top {100 * r.top:g}%" for r in found.recall],
            [
                ("lookalike card", [r.recall for r in found.recall]),
                ("random", [r.random for r in found.recall]),
            ],
            x_label="share of the ranking, best scores first",
            y_label="share of hidden customers found",
            y_format=charts.percent,
        ),
        "Customers hidden in the population before fitting: how many the best x% of the "
        "ranking holds, against a random pick of the same size.",
    )
    top = found.top_class
    facts = [
        ("customers", customers),
        ("population", population),
        ("customers", f"{found.customers:,}"),
        ("population rows", f"{found.population:,}"),
        ("characteristics", ", ".join(found.columns)),
    ]
    return report.Report(
        f"Lookalike of {customers}",
        facts,
        [recall, *(index_chart(i + 1, c, top.min_count) for i, c in enumerate(top.columns))],
        [
            report.Section("Ranking", [recall_table(found)]),
            report.Section(
                "Top class against the population",
                [_traits_table(top), *profile_tables(top)],
            ),
        ],
    )
