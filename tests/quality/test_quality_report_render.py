"""The page `quality --html` writes, rendered by headless Chromium: both charts draw, in their
boxes, and the bars of missing values stand to scale with shares computed here."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.evaluate import charts, report
from tests.browser import screenshot
from tests.quality.qualgen import make_rows, write_card, write_csv
from tests.quality.test_quality_figures import TYPES, read_values

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.slow  # headless Chromium


def series_mask(img: np.ndarray) -> np.ndarray:
    mask = np.zeros(img.shape[:2], dtype=bool)
    for colour in charts.SERIES:
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        mask |= (np.abs(img[:, :, :3].astype(int) - rgb) <= 10).all(axis=2)
    return mask


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_quality_page_renders_to_scale(tmp_path: Path) -> None:
    rows = make_rows(2000, seed=4)
    data = write_csv(rows, tmp_path / "customers.csv")
    card = write_card(tmp_path)
    page = tmp_path / "quality.html"
    result = CliRunner().invoke(app, ["quality", str(card), str(data), "--html", str(page)])
    assert result.exit_code == 0, result.stderr
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"\b(src|href)\s*=", html, re.IGNORECASE)
    ids = re.findall(r'id="chart-([a-z-]+)"', html)
    assert ids == ["missing-by-column", "outside-bins"]

    img = screenshot(page, len(ids), tmp_path)
    mask = series_mask(img)
    boxes = report.chart_boxes(len(ids))
    for box in boxes:
        inside = mask[
            box.top + charts.TOP : box.top + box.height - charts.BOTTOM,
            box.left + charts.LEFT : box.left + box.width - charts.RIGHT,
        ]
        assert inside.sum() > 300

    # each column's stacked bar (nulls + wrong type) is as tall as its share of rows
    shares = []
    for name in TYPES:
        _, nulls, bad = read_values(rows, name)
        shares.append((nulls + len(bad)) / len(rows))
    box = boxes[0]
    bottom = box.top + charts.HEIGHT - charts.BOTTOM
    slot = (charts.WIDTH - charts.RIGHT - charts.LEFT) / len(shares)
    heights = []
    for i in range(len(shares)):
        x = int(box.left + charts.LEFT + slot * (i + 0.5))
        column = mask[box.top + charts.TOP : bottom + 1, x]
        heights.append(0 if not column.any() else bottom - (box.top + charts.TOP + column.argmax()))
    top = int(np.argmax(shares))
    scale = heights[top] / shares[top]
    for h, share in zip(heights, shares, strict=True):
        assert abs(h - share * scale) <= 2.0, (heights, shares)
    assert heights[list(TYPES).index("country")] == 0  # a column with no problem draws no bar
