"""The progress bar: on a terminal, rows done, rows per second and the steps; nothing on a
pipe. `--quiet` silences warnings. The terminal is a real pseudo-terminal (`pty`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl

from tests.cli.terminal import on_a_terminal

CARD = """
scorecard progress { }
input {
  id  : string key
  age : int
}
bins age_pts on age { < 30 -> 5  [30, 60) -> 2 }
"""

ROWS = 300_000


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "card.scorecard").write_text(CARD, encoding="utf-8")
    pl.DataFrame(
        {"id": [f"K{i}" for i in range(ROWS)], "age": [i % 90 for i in range(ROWS)]}
    ).write_csv(tmp_path / "data.csv")
    return tmp_path


def test_bar_on_a_terminal(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    shown = on_a_terminal(
        folder, "apply", "card.scorecard", "data.csv", "-o", "out.parquet"
    ).terminal
    assert "scoring" in shown and "rows/s" in shown
    assert f"/{ROWS}" in shown  # counted against the CSV file's row count
    assert pl.read_parquet(folder / "out.parquet").height == ROWS


def test_nothing_on_a_pipe_and_quiet_silences_warnings(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    env = dict(os.environ, SCORECARD_PROGRESS_DELAY="0")
    args = [sys.executable, "-m", "engine", "apply", "card.scorecard", "data.csv"]
    run = subprocess.run(
        [*args, "-o", "out.parquet"], cwd=folder, capture_output=True, text=True, env=env
    )
    assert run.returncode == 0
    assert "W500" in run.stderr  # the bins leave ages of 60 and more uncovered
    assert "rows/s" not in run.stderr and "\x1b[" not in run.stderr
    quiet = subprocess.run(
        [*args, "-o", "out.parquet", "--quiet"], cwd=folder, capture_output=True, text=True
    )
    assert quiet.returncode == 0 and "W500" not in quiet.stderr
    check = subprocess.run(
        [sys.executable, "-m", "engine", "check", "card.scorecard", "-q"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0 and "W500" not in check.stderr
