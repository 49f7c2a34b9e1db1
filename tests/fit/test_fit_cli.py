"""`scorecard fit` on the command line: JSON, the HTML report in Chromium, the split, errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.evaluate import charts, report
from tests.browser import screenshot as _screenshot
from tests.fit.fitgen import make_table

CHROMIUM = shutil.which("chromium")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fitcli") / "history.csv"
    make_table(3000, seed=4).write_csv(path)
    return path


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_json_report_and_split(data: Path, tmp_path: Path) -> None:
    out, page = tmp_path / "risk.scorecard", tmp_path / "risk.html"
    code, stdout, stderr = run(
        "fit",
        data,
        "--target",
        "bad",
        "--split",
        "month",
        "--exclude",
        "signup",
        "--sensitive",
        "gender",
        "-o",
        out,
        "--report",
        page,
        "--json",
    )
    assert code == 0, stderr
    figures = json.loads(stdout)
    months = pl.read_csv(data)["month"]
    assert figures["holdout"]["rows"] == int((months == 3).sum())
    assert figures["train"]["rows"] == int((months < 3).sum())
    assert figures["split"].startswith("the latest month (3)")
    kept = [c for c in figures["characteristics"] if c["selected"]]
    assert kept and all(c["block"] and c["bins"] for c in kept)
    assert "wrote" in stderr and "report written" in stderr
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and html.count("<svg") == 1 + len(kept)


def test_card_on_stdout(data: Path) -> None:
    code, stdout, stderr = run(
        "fit", data, "--target", "bad", "--exclude", "signup,month", "-o", "-"
    )
    assert code == 0, stderr
    assert stdout.startswith("# fit: scorecard fit") and "\nscorecard " in stdout
    code, _, _ = run("fit", data, "--target", "bad", "-o", "-", "--json")
    assert code == 2


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["--target", "nope"], "E1101", "did you mean"),
        (["--target", "region"], "E1102", "--event"),
        (["--target", "bad", "--exclude", "nope"], "E1101", "'nope'"),
        (["--target", "bad", "--special", "age=old"], "E1105", "not a int value"),
        (["--target", "bad", "--key", "region"], "E1104", "share their value"),
        (["--target", "bad", "--min-bin-share", "0.7"], "E1100", "--min-bin-share"),
        (["--target", "region", "--event", "nowhere"], "E1102", "events and non-events"),
    ],
)
def test_errors_name_the_problem(
    data: Path, tmp_path: Path, args: list[str], code: str, text: str
) -> None:
    out = tmp_path / "x.scorecard"
    status, _, stderr = run("fit", data, *args, "-o", out)
    assert status == 1, stderr
    assert code in stderr and text in stderr, stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_no_key_column_is_an_error_asking_for_one(tmp_path: Path) -> None:
    frame = make_table(500, seed=5).drop("customer_id")
    path = tmp_path / "nokey.parquet"
    frame.write_parquet(path)
    status, _, stderr = run("fit", path, "--target", "bad", "-o", tmp_path / "x.scorecard")
    assert status == 1 and "E1104" in stderr and "--key" in stderr


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_the_report_renders_every_chart_in_chromium(data: Path, tmp_path: Path) -> None:
    page = tmp_path / "fit.html"
    code, _, stderr = run(
        "fit",
        data,
        "--target",
        "bad",
        "--exclude",
        "signup,month",
        "-o",
        tmp_path / "c.scorecard",
        "--report",
        page,
    )
    assert code == 0, stderr
    ids = re.findall(r'id="chart-([a-z0-9-]+)"', page.read_text(encoding="utf-8"))
    assert ids[0] == "iv" and len(ids) >= 4
    img = _screenshot(page, len(ids), tmp_path)
    mask = np.zeros(img.shape[:2], dtype=bool)
    for colour in charts.SERIES:
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        mask |= (np.abs(img[:, :, :3].astype(int) - rgb) <= 10).all(axis=2)
    for chart_id, box in zip(ids, report.chart_boxes(len(ids)), strict=True):
        top, left = box.top + charts.TOP, box.left + charts.LEFT
        bottom, right = box.top + box.height - charts.BOTTOM, box.left + box.width - charts.RIGHT
        drawn = int(mask[top:bottom, left:right].sum())
        assert drawn > 300, (chart_id, drawn)
