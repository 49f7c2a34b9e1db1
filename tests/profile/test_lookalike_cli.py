"""`scorecard lookalike` end to end: the card written, then checked, applied (`--top 5%`) and
refitted (`--from`) as any card; its HTML page drawn in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from tests.profile.profgen import make_table

CHROMIUM = shutil.which("chromium")


def scorecard(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("lookalike")
    world = make_table(41, 12000)
    world.filter(pl.col("bought") == 1).drop("bought").write_csv(folder / "buyers.csv")
    make_table(42, 6000).drop("bought").write_csv(folder / "prospects.csv")
    return {
        "folder": folder,
        "buyers": folder / "buyers.csv",
        "prospects": folder / "prospects.csv",
    }


def test_card_written_applied_and_refitted(files: dict[str, Path]) -> None:
    folder = files["folder"]
    card, page = folder / "look.scorecard", folder / "look.html"
    done = scorecard(
        "lookalike", files["buyers"], files["prospects"], "-o", card,
        "--sensitive", "gender", "--json", "--html", page,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert [r["top"] for r in found["recall"]] == [0.01, 0.05, 0.1, 0.2]
    assert found["recall"][2]["lift"] > 2.0
    text = card.read_text(encoding="utf-8")
    assert "classes 10" in text and "gender" in text and "sensitive" in text
    assert "# fit: scorecard lookalike" in text
    assert scorecard("check", card).returncode == 0
    assert scorecard("fmt", "--check", card).returncode == 0
    campaign = folder / "campaign.csv"
    done = scorecard("apply", card, files["prospects"], "--top", "5%", "-o", campaign)
    assert done.returncode == 0, done.stderr
    assert pl.read_csv(campaign).height == 300  # 5% of 6000
    refit = folder / "look2.scorecard"
    done = scorecard(
        "lookalike", files["buyers"], files["prospects"], "-o", refit, "--from", card,
        "--sensitive", "gender",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr

    def bins_lines(t: str) -> list[str]:
        return [line.split("->")[0].strip() for line in t.splitlines() if "->" in line]

    assert bins_lines(refit.read_text(encoding="utf-8")) == bins_lines(text)
    html = page.read_text(encoding="utf-8")
    assert re.findall(r'id="chart-([a-z0-9-]+)"', html)[0] == "recall"
    if CHROMIUM is not None:
        from tests.profile.test_profile_render import screenshot, series_mask

        ids = re.findall(r'id="chart-([a-z0-9-]+)"', html)
        img = screenshot(page, len(ids), folder)
        from engine.evaluate import charts, report

        box = report.chart_boxes(len(ids))[0]
        plot = series_mask(img)[
            box.top + charts.TOP : box.top + charts.HEIGHT - charts.BOTTOM,
            box.left + charts.LEFT : box.left + charts.WIDTH - charts.RIGHT,
        ]
        assert plot.sum() > 300


def test_bad_option_writes_nothing(files: dict[str, Path]) -> None:
    card = files["folder"] / "never.scorecard"
    done = scorecard("lookalike", files["buyers"], files["prospects"], "-o", card, "--hidden", "0")
    assert done.returncode == 1 and "E1210" in done.stderr
    assert not card.exists()
    done = scorecard("lookalike", files["buyers"], files["prospects"], "-o", files["prospects"])
    assert done.returncode == 1 and "E80" in done.stderr
    assert pl.read_csv(files["prospects"]).height == 6000
