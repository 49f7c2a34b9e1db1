"""The profile's HTML page in headless Chromium: one index chart per column, every one drawn,
bars to scale."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.evaluate import charts, report
from engine.profile.page import profile_report
from engine.profile.run import ProfileOptions, profile_table
from tests.browser import screenshot
from tests.profile.profgen import make_table

CHROMIUM = shutil.which("chromium")


def series_mask(img: np.ndarray) -> np.ndarray:
    mask = np.zeros(img.shape[:2], dtype=bool)
    for colour in charts.SERIES[:2]:
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        mask |= (np.abs(img[:, :, :3].astype(int) - rgb) <= 10).all(axis=2)
    return mask


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("profile-html") / "customers.parquet"
    make_table(9, 3000).write_parquet(path)
    return path


def test_page_is_self_contained(data: Path, tmp_path: Path) -> None:
    profile = profile_table(data, "bought = 1", options=ProfileOptions(columns=("csp", "gender")))
    page = tmp_path / "portrait.html"
    report.write_html(page, profile_report(profile))
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"\b(src|href)\s*=", html, re.IGNORECASE)
    assert html.count("<svg") == 2
    assert "gender: index by category (sensitive)" in html
    assert "Strongest traits" in html


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_command_page_renders_every_index_chart_to_scale(data: Path, tmp_path: Path) -> None:
    page = tmp_path / "portrait.html"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "profile",
            str(data),
            "--group",
            "bought = 1",
            "--html",
            str(page),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    profile = profile_table(data, "bought = 1")
    ids = re.findall(r'id="chart-([a-z0-9-]+)"', page.read_text(encoding="utf-8"))
    assert ids == [f"index-{i}" for i in range(1, len(profile.columns) + 1)]
    img = screenshot(page, len(ids), tmp_path)
    mask = series_mask(img)
    boxes = report.chart_boxes(len(ids))
    for col, box in zip(profile.columns, boxes, strict=True):
        top, bottom = box.top + charts.TOP, box.top + charts.HEIGHT - charts.BOTTOM
        left, right = box.left + charts.LEFT, box.left + charts.WIDTH - charts.RIGHT
        assert mask[top:bottom, left:right].sum() > 300, col.column
        # each bar's height is its index on the chart's scale
        cats = [c for c in col.categories if c.index is not None]
        y_max = charts.nice_max(max(max(c.index or 0.0 for c in cats), 100.0))
        slot = (right - left) / len(cats)
        for i, c in enumerate(cats):
            x = int(left + slot * (i + 0.5))
            column = mask[top : bottom + 1, x]
            height = 0 if not column.any() else bottom - (top + int(column.argmax()))
            expected = (bottom - top) * min((c.index or 0.0) / y_max, 1.0)
            assert abs(height - expected) <= 2.0, (col.column, c.label, height, expected)
