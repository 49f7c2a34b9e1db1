"""`scorecard quality` reads a French Excel export (`;`, decimal comma, cp1252) with the
reading options, and finds exactly the figures of the same table written as a plain CSV."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
CARD = ROOT / "scorecards" / "bins_points.scorecard"
DATA = ROOT / "scorecards" / "data" / "customers.csv"
SCORECARD = str(Path(sys.executable).parent / "scorecard")

pytestmark = pytest.mark.slow  # whole processes


def _figures(*args: str | Path) -> dict[str, object]:
    done = subprocess.run(
        [SCORECARD, "quality", str(CARD), *map(str, args), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    figures: dict[str, object] = json.loads(done.stdout)
    figures.pop("data")
    return figures


def test_a_french_export_gives_the_plain_figures(tmp_path: Path) -> None:
    table = pl.read_csv(DATA, infer_schema_length=0)
    french = table.with_columns(pl.col("income").str.replace(".", ",", literal=True))
    assert french["income"].str.contains(",").any()
    path = tmp_path / "export.csv"
    path.write_bytes(french.write_csv(separator=";").encode("cp1252"))

    want = _figures(DATA)
    got = _figures(path, "--sep", ";", "--decimal-comma", "--encoding", "cp1252")
    assert got == want
    # Without the options the separator is the first problem, and the message says so.
    refused = subprocess.run(
        [SCORECARD, "quality", str(CARD), str(path)], capture_output=True, text=True, timeout=300
    )
    assert refused.returncode == 1 and "--sep" in refused.stderr
