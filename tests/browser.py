"""Headless Chromium for the tests of HTML pages: a page rendered to pixels, so that a test
can check that every chart draws (no JavaScript, no network: the pages are self-contained)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from engine.evaluate import report

CHROMIUM = shutil.which("chromium")


def screenshot(page: Path, charts_count: int, folder: Path) -> np.ndarray:
    """The page rendered by headless Chromium, tall enough to hold every chart box."""
    boxes = report.chart_boxes(charts_count)
    height = boxes[-1].top + boxes[-1].height + 40
    png = folder / f"{page.stem}.png"
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--user-data-dir={folder / 'chromium-profile'}",
            f"--screenshot={png}",
            f"--window-size={report.PAGE_WIDTH},{height}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    img = np.asarray(Image.open(png).convert("RGB"))
    assert img.shape[:2] == (height, report.PAGE_WIDTH)
    return img
