"""The profile as tables of text, shared by the terminal and the HTML page."""

from __future__ import annotations

from engine.evaluate.tables import DASH, Table, pct
from engine.profile.run import ColumnProfile, Profile

SMALL = "small"


def p_text(p: float | None) -> str:
    if p is None:
        return DASH
    return "< 0.0001" if p < 1e-4 else f"{p:.4f}"


def _index(x: float | None) -> str:
    return DASH if x is None else f"{x:.0f}"


def _z(x: float | None) -> str:
    return DASH if x is None else f"{x:+.2f}"


def overview_table(profile: Profile) -> Table:
    rows = []
    for col in profile.columns:
        judged = [c for c in col.categories if not c.small and c.index is not None]
        top = max(judged, key=lambda c: c.index or 0.0, default=None)
        rows.append(
            [
                col.column + (" (sensitive)" if col.sensitive else ""),
                col.how,
                f"{col.cramers_v:.3f}",
                p_text(col.p_value),
                str(len(col.categories)),
                DASH if top is None else f"{top.label} ({_index(top.index)})",
            ]
        )
    notes = [
        f"Ranked by {profile.measure} of the group against {profile.compared_with} "
        "(0: same mix, 1: nothing in common); p: chi-square test of that table."
    ]
    notes += [f"not profiled: {s.column}: {s.reason}" for s in profile.skipped]
    return Table(
        "Columns, most different first",
        ["column", "categories from", profile.measure, "p", "categories", "highest index"],
        rows,
        notes=notes,
    )


def column_table(col: ColumnProfile, profile: Profile, traits: set[tuple[str, str]]) -> Table:
    rows, marked = [], []
    for c in col.categories:
        rows.append(
            [
                c.label,
                f"{c.group_count:,}",
                pct(c.group_share),
                f"{c.base_count:,}",
                pct(c.base_share),
                _index(c.index),
                _z(c.z),
                p_text(c.p_value),
                SMALL if c.small else "",
            ]
        )
        marked.append((col.column, c.label) in traits)
    title = f"{col.column}: {profile.measure} {col.cramers_v:.3f}"
    notes = []
    if col.sensitive:
        title += " (sensitive)"
        notes.append("a sensitive column, profiled because it was named with --columns")
    if any(c.small for c in col.categories):
        notes.append(
            f"small: under {profile.min_count} rows of the base, too few to judge (--min-count)"
        )
    return Table(
        title,
        ["category", "group", "group %", "base", "base %", "index", "z", "p", ""],
        rows,
        marked,
        notes,
    )


def profile_tables(profile: Profile) -> list[Table]:
    traits = {(t.column, t.category) for t in profile.traits}
    return [overview_table(profile)] + [column_table(c, profile, traits) for c in profile.columns]
