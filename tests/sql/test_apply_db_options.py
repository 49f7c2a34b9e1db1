"""`scorecard apply --db`: the run summary counted on the result table, and the options of a
local run refused (exit 2, naming the option) instead of silently ignored."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from engine.cli import app
from tests.sql.helpers import duckdb_table

CARD = """\
scorecard db_summary {
  version "1"
}

input {
  id      : string key
  spend   : float
  visits  : int
  opt_in  : bool
}

exclude "No consent" when not opt_in
exclude "Never came" when visits = 0

rule big "Big spender" when spend > 500 then +30
rule often when visits >= 5 then +10

score = 100 + points + 0 * spend

segment "high" when score >= 130
segment "mid"  when score >= 110
"""


def _frame(n: int = 500) -> pl.DataFrame:
    rng = np.random.default_rng(7)
    spend = rng.uniform(0, 1000, n)
    spend[rng.random(n) < 0.1] = np.nan
    return pl.DataFrame(
        {
            "id": [f"K{i:05d}" for i in range(n)],
            "spend": spend,
            "visits": rng.integers(0, 9, n),
            "opt_in": rng.random(n) < 0.85,
        }
    )


@pytest.fixture
def warehouse(tmp_path: Path) -> tuple[Path, Path, pl.DataFrame]:
    card = tmp_path / "db_summary.scorecard"
    card.write_text(CARD, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    frame = _frame()
    con = duckdb.connect(str(db))
    duckdb_table(con, "customers", frame)
    con.close()
    return card, db, frame


def test_summary_counts_the_rows_written(warehouse: tuple[Path, Path, pl.DataFrame]) -> None:
    card, db, frame = warehouse
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "apply",
            str(card),
            "--db",
            f"duckdb:{db}",
            "--table",
            "customers",
            "--into",
            "scores",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # The expected figures, by hand from the input table (not from the engine's rows).
    spend = frame["spend"].fill_nan(None)
    no_consent = ~frame["opt_in"]
    never = frame["opt_in"] & (frame["visits"] == 0)
    kept = ~(no_consent | never)
    points = (spend > 500).fill_null(False).cast(pl.Int64) * 30 + (frame["visits"] >= 5).cast(
        pl.Int64
    ) * 10
    has_score = kept & spend.is_not_null()
    score = (100 + points).filter(has_score)
    high, mid = int((score >= 130).sum()), int(((score >= 110) & (score < 130)).sum())
    none = int(has_score.sum()) - high - mid + int((kept & ~has_score).sum())
    err = " ".join(done.stderr.split())
    assert (
        f"db_summary: {len(frame)} rows read, {int(has_score.sum())} scored, "
        f"{int((~kept).sum())} excluded, {int((kept & ~has_score).sum())} with a null score"
    ) in err
    assert f"excluded 'No consent': {int(no_consent.sum())}" in err
    assert f"excluded 'Never came': {int(never.sum())}" in err
    assert f"segment 'high': {high}" in err and f"segment 'mid': {mid}" in err
    assert f"segment (none): {none}" in err
    assert f"wrote {len(frame)} rows to scores (duckdb)" in err


@pytest.mark.parametrize(
    ("extra", "option"),
    [
        (["-o", "out.csv"], "-o"),
        (["--keep", "spend"], "--keep"),
        (["--explain"], "--explain"),
        (["--top", "10"], "--top"),
        (["--select", "class <= 2"], "--select"),
        (["--no-streaming"], "--streaming"),
    ],
)
def test_local_options_are_refused(
    warehouse: tuple[Path, Path, pl.DataFrame], extra: list[str], option: str
) -> None:
    card, db, _ = warehouse
    args = ["apply", str(card), "--db", f"duckdb:{db}", "--table", "customers"]
    result = CliRunner().invoke(app, [*args, "--into", "scores", *extra])
    assert result.exit_code == 2, result.output
    assert f"{option} cannot be used with --db" in " ".join(result.output.split())
    con = duckdb.connect(str(db))
    tables = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    con.close()
    assert "scores" not in tables  # refused before anything ran
