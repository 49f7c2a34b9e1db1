"""The fit's report: tables and charts from `FitFigures`, as the evaluation report draws them.

The page is `engine.evaluate.report`'s self-contained HTML (inline SVG, no script): an IV
chart, then per kept characteristic a chart of each bin's share and event rate on the
training and holdout rows, then the tables (performance, characteristics and why some were
left out, coefficients, every bin with its WoE and points; with `--from`, before and after).
"""

from __future__ import annotations

from pathlib import Path

from engine.evaluate import charts
from engine.evaluate.report import Report, Section, write_html
from engine.evaluate.tables import Table, num, pct
from engine.fitting.figures import CharacteristicFigures, FitFigures, Performance


def _f4(x: float | None) -> str:
    return "–" if x is None else f"{x:.4f}"


def _perf_row(label: str, p: Performance | None) -> list[str]:
    if p is None:
        return [label, "–", "–", "–", "–", "–", "–"]
    return [
        label,
        f"{p.rows:,}",
        f"{p.events:,}",
        pct(p.event_rate, 2),
        _f4(p.auc),
        _f4(p.gini),
        _f4(p.ks),
    ]


def performance_table(f: FitFigures) -> Table:
    rows = [_perf_row("training", f.train), _perf_row("holdout", f.holdout)]
    if f.before is not None:
        rows = [
            _perf_row("training, card as given", f.before.train),
            _perf_row("training, refitted", f.train),
            _perf_row("holdout, card as given", f.before.holdout),
            _perf_row("holdout, refitted", f.holdout),
        ]
    notes = [
        f"{f.direction}; AUC is the chance that an event is ranked above a non-event by the score's direction.",
        f"{f.rows_read:,} rows read; {f.rows_without_outcome:,} without an outcome were left out; {f.split}.",
    ]
    return Table(
        "Performance",
        ["rows", "count", "events", "event rate", "AUC", "Gini", "KS"],
        rows,
        notes=notes,
    )


def characteristics_table(f: FitFigures) -> Table:
    rows = []
    for c in f.characteristics:
        rows.append(
            [
                c.column,
                c.type,
                _f4(c.iv),
                c.trend or "–",
                "kept" if c.selected else "left out",
                "–" if c.coefficient is None else f"{c.coefficient:+.4f}",
                c.reason or "",
            ]
        )
    for s in f.skipped:
        rows.append([s.column, "–", "–", "–", "not binned", "–", s.reason])
    return Table(
        "Characteristics",
        ["characteristic", "type", "IV", "trend", "", "coefficient", "why left out"],
        rows,
        highlight=[not c.selected for c in f.characteristics] + [False] * len(f.skipped),
        notes=[f"intercept {f.intercept:+.6f}; base points {f.base_points:.6f}; {f.scaling}."],
    )


def bins_table(c: CharacteristicFigures, before: bool) -> Table:
    columns = [
        "#",
        "bin",
        "rows",
        "share",
        "event rate",
        "WoE",
        "IV",
        "holdout share",
        "holdout event rate",
    ]
    columns += ["points before", "points"] if before else ["points"]
    rows = []
    for i, b in enumerate(c.bins, start=1):
        row = [
            str(i),
            b.bin,
            f"{b.train_rows:,}",
            pct(b.train_share),
            pct(b.train_event_rate, 2),
            f"{b.woe:+.4f}",
            f"{b.iv:.4f}",
            pct(b.holdout_share),
            pct(b.holdout_event_rate, 2),
        ]
        if before:
            row.append(num(b.points_before))
        row.append(num(b.points))
        rows.append(row)
    title = f"{c.block or c.column}: IV {c.iv:.4f}" + (f", event rate {c.trend}" if c.trend else "")
    return Table(title, columns, rows)


def bins_chart(i: int, c: CharacteristicFigures) -> charts.Chart:
    labels = [str(k) for k in range(1, len(c.bins) + 1)]
    series = [
        ("share (train)", [b.train_share for b in c.bins]),
        ("share (holdout)", [b.holdout_share or 0.0 for b in c.bins]),
        ("rate (train)", [b.train_event_rate or 0.0 for b in c.bins]),
        ("rate (holdout)", [b.holdout_event_rate or 0.0 for b in c.bins]),
    ]
    name = c.column if len(c.column) <= 48 else c.column[:47] + "…"
    return charts.Chart(
        f"bins-{i}",
        f"{name}: share and event rate",
        charts.bar_chart(
            f"{name}: share and event rate",
            labels,
            series,
            x_label="bin (numbered as in the table below)",
            y_label="share of rows / event rate",
            y_format=charts.percent,
        ),
        f"Each bin of {name}: its share of the rows and its event rate, training beside holdout.",
    )


def iv_chart(f: FitFigures, min_iv: float | None) -> charts.Chart:
    names = [c.block or c.column for c in f.characteristics]
    return charts.Chart(
        "iv",
        "Information value",
        charts.bar_chart(
            "Information value by characteristic",
            [str(k) for k in range(1, len(names) + 1)],
            [("IV", [c.iv for c in f.characteristics])],
            x_label="characteristic (numbered as in the table below)",
            y_label="IV",
            reference=None if min_iv is None else (f"threshold {min_iv:g}", min_iv),
        ),
        "How much each characteristic separates events from non-events; the kept ones first.",
    )


def build(f: FitFigures, min_iv: float | None) -> Report:
    kept = [c for c in f.characteristics if c.selected]
    page_charts = [iv_chart(f, min_iv)] + [bins_chart(i, c) for i, c in enumerate(kept, start=1)]
    before = f.before is not None
    sections = [
        Section("The fit", [performance_table(f), characteristics_table(f)]),
        Section("Bins and points", [bins_table(c, before) for c in kept]),
    ]
    if f.warnings:
        sections.append(
            Section("Warnings", [Table("Warnings", ["warning"], [[w] for w in f.warnings])])
        )
    facts = [
        ("card", f.card),
        ("data", f.data),
        ("event", f.event),
        ("key", f.key),
        ("split", f.split),
    ]
    title = f"{'Refit' if before else 'Fit'} of {f.card}"
    return Report(title, facts, page_charts, sections)


def write(path: Path, f: FitFigures, min_iv: float | None) -> None:
    write_html(path, build(f, min_iv))
