"""`scorecard profile` reads a French Excel export (`;`, decimal comma, cp1252) with the
reading options and finds exactly the portrait of the same table written as a plain CSV."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "scorecards" / "data" / "customers.csv"
SCORECARD = str(Path(sys.executable).parent / "scorecard")

pytestmark = pytest.mark.slow  # whole processes


def _portrait(*args: str | Path) -> dict[str, object]:
    done = subprocess.run(
        [SCORECARD, "profile", *map(str, args), "--group", "bought_insurance = 1", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(done.stdout)
    found.pop("data", None)
    return found


def test_a_french_export_gives_the_plain_portrait(tmp_path: Path) -> None:
    table = pl.read_csv(DATA, infer_schema_length=0)
    french = table.with_columns(pl.col("income").str.replace(".", ",", literal=True))
    path = tmp_path / "export.csv"
    path.write_bytes(french.write_csv(separator=";").encode("cp1252"))
    want = _portrait(DATA)
    got = _portrait(path, "--sep", ";", "--decimal-comma", "--encoding", "cp1252")
    assert got == want
    assert any(c["column"] == "income" for c in got["columns"])  # type: ignore[attr-defined]
