"""The HTML report rendered by headless Chromium: every chart draws, in its place, to scale."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.evaluate import charts, fairness, metrics, report, stability, tables
from tests.browser import screenshot
from tests.evaluate.evalgen import CARD, make_rows, make_table

CHROMIUM = shutil.which("chromium")


def build_report() -> tuple[report.Report, metrics.Evaluation]:
    rows, target = make_rows(21)
    event, known = metrics.to_events("churned", target)
    ev = metrics.evaluate(rows, event, known, value=30.0, cost=4.0)
    cur, _ = make_rows(22, shift=0.4)
    st = stability.stability(rows, cur, 10)
    fa = fairness.fairness(rows, "gender", rows.extra["gender"], None)
    empty = charts.Chart(
        "empty",
        "Nothing",
        charts.bar_chart("Nothing", ["a", "b"], [("none", [0.0, 0.0])], x_label="x", y_label="y"),
        "A chart with no data: its plot area must stay free of series colours.",
    )
    charts_ = [
        *report.evaluation_charts(ev),
        *report.stability_charts(st),
        *report.fairness_charts(fa),
        empty,
    ]
    sections = [
        report.Section("Evaluation", tables.evaluation_tables(ev)),
        report.Section("Stability", tables.stability_tables(st)),
        report.Section("Fairness", tables.fairness_tables(fa)),
    ]
    return report.Report(
        "Evaluation of <churn & risk>", [("card", "c.scorecard")], charts_, sections
    ), ev


def test_html_is_self_contained(tmp_path: Path) -> None:
    rep, _ = build_report()
    out = tmp_path / "report.html"
    report.write_html(out, rep)
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"\b(src|href)\s*=", html, re.IGNORECASE)
    urls = set(re.findall(r"https?://[^\s\"'<>]+", html))
    assert urls <= {"http://www.w3.org/2000/svg"}  # an XML namespace name, never fetched
    assert "Evaluation of &lt;churn &amp; risk&gt;" in html  # text is escaped
    assert html.count("<svg") == len(rep.charts)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temp file left behind


def series_mask(img: np.ndarray) -> np.ndarray:
    """Pixels within a small distance of one of the chart series colours."""
    mask = np.zeros(img.shape[:2], dtype=bool)
    for colour in charts.SERIES:
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        mask |= (np.abs(img[:, :, :3].astype(int) - rgb) <= 10).all(axis=2)
    return mask


def drawn_pixels(img: np.ndarray, ids: list[str]) -> dict[str, int]:
    """Series-coloured pixels inside each chart's plot area (legends and titles left out)."""
    mask = series_mask(img)
    out = {}
    for chart_id, box in zip(ids, report.chart_boxes(len(ids)), strict=True):
        top, left = box.top + charts.TOP, box.left + charts.LEFT
        bottom, right = box.top + box.height - charts.BOTTOM, box.left + box.width - charts.RIGHT
        out[chart_id] = int(mask[top:bottom, left:right].sum())
    return out


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_report_renders_in_chromium_with_every_chart_drawn(tmp_path: Path) -> None:
    rep, ev = build_report()
    page = tmp_path / "report.html"
    report.write_html(page, rep)
    boxes = report.chart_boxes(len(rep.charts))
    img = screenshot(page, len(rep.charts), tmp_path)
    mask = series_mask(img)
    drawn = drawn_pixels(img, [c.id for c in rep.charts])
    for chart_id, count in drawn.items():
        if chart_id == "empty":
            assert count == 0, "the empty chart must not draw data marks"
        else:
            assert count > 300, f"chart {chart_id} drew only {count} data pixels: {drawn}"
    # between the two columns of charts there are no data marks: the boxes are where we think
    gap_left = boxes[0].left + boxes[0].width
    assert not mask[:, gap_left + 2 : boxes[1].left - 2].any()

    # the lift bars are drawn to scale: bar heights are proportional to the lifts
    lift_box = boxes[[c.id for c in rep.charts].index("lift")]
    plot_bottom = lift_box.top + charts.HEIGHT - charts.BOTTOM
    slot = (charts.WIDTH - charts.RIGHT - charts.LEFT) / len(ev.classes)
    heights = []
    for i in range(len(ev.classes)):
        x = int(lift_box.left + charts.LEFT + slot * (i + 0.5))
        column = mask[lift_box.top + charts.TOP : plot_bottom + 1, x]
        heights.append(
            0 if not column.any() else plot_bottom - (lift_box.top + charts.TOP + column.argmax())
        )
    lifts = [r.lift or 0.0 for r in ev.classes]
    scale = heights[0] / lifts[0]
    for h, lift in zip(heights, lifts, strict=True):
        assert abs(h - lift * scale) <= 2.0, (heights, lifts)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_command_reports_render_every_chart(tmp_path: Path) -> None:
    """The pages `evaluate`, `stability` and `fairness --html` write, each rendered in Chromium."""
    card = tmp_path / "retention.scorecard"
    card.write_text(CARD, encoding="utf-8")
    base, cur = tmp_path / "base.csv", tmp_path / "cur.csv"
    make_table(31, 1500).write_csv(base)
    make_table(32, 1500, shift=0.5).write_csv(cur)
    commands = {
        "evaluate": (
            ["evaluate", card, base, "--target", "churned"],
            ["score-distribution", "gains", "lift"],
        ),
        "stability": (["stability", card, base, cur], ["psi-shares", "psi-bins"]),
        "fairness": (["fairness", card, base, "--by", "gender"], ["selection-rate", "mean-score"]),
    }
    for name, (args, ids) in commands.items():
        page = tmp_path / f"{name}.html"
        result = CliRunner().invoke(app, [str(a) for a in [*args, "--html", page]])
        assert result.exit_code == 0, result.stderr
        html = page.read_text(encoding="utf-8")
        assert re.findall(r'id="chart-([a-z-]+)"', html) == ids
        drawn = drawn_pixels(screenshot(page, len(ids), tmp_path), ids)
        assert all(count > 300 for count in drawn.values()), (name, drawn)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_returns_and_monitoring_pages_render_with_every_chart_drawn(tmp_path: Path) -> None:
    from engine.evaluate import monitor, returns

    rows, target = make_rows(31)
    event, known = metrics.to_events("churned", target)
    treated = np.random.default_rng(5).random(len(rows)) < 0.5
    rt = returns.returns(rows, event, treated, known, value=30.0, cost=2.0)
    later, later_target = make_rows(32, shift=0.4)
    later_event, later_known = metrics.to_events("churned", later_target)
    mo = monitor.monitor(
        [
            monitor.PeriodRows("2026-01", rows, event, known),
            monitor.PeriodRows("2026-02", later, later_event, later_known),
            monitor.PeriodRows("2026-03", rows, event, known),
        ],
        10,
    )
    for name, charts_ in (
        ("returns", report.returns_charts(rt)),
        ("monitoring", report.monitoring_charts(mo)),
    ):
        page = tmp_path / f"{name}.html"
        report.write_html(page, report.Report(name, [("card", "c")], charts_, []))
        img = screenshot(page, len(charts_), tmp_path)
        drawn = drawn_pixels(img, [c.id for c in charts_])
        assert all(n > 200 for n in drawn.values()), (name, drawn)
