"""`apply --dedupe first|last` against a hand-written Polars `unique(keep=...)` on the
normalised key (trimmed, NFC, lower-cased with Python's own unicodedata and str.lower)."""

from __future__ import annotations

import random
import subprocess
import sys
import unicodedata
from pathlib import Path

import polars as pl
import pytest

from engine.api import load
from engine.run import execute
from engine.run.options import RunOptions

SCORECARD = str(Path(sys.executable).parent / "scorecard")

CARD = """\
scorecard dedupe_demo {
  title "Scores for the dedupe tests"
}

input {
  customer_id : string key
  spend       : float
  visits      : int
}

rule big_spender when spend >= 500 then +10
rule regular     when visits >= 5 then +5

score = points + spend / 100
"""


def make_table(n: int = 400, seed: int = 5) -> pl.DataFrame:
    rng = random.Random(seed)
    keys = [f"K{i:04d}" for i in range(n)]
    plants = {
        3: "FR1",
        4: " FR1",
        5: "fr1",
        6: "FR1",  # exact and normalised
        10: unicodedata.normalize("NFD", "Zoé"),
        11: "Zoé",
        12: "ZOÉ ",
        20: "K0021",  # an exact duplicate of row 22
        30: "\u00a0K0031",  # a no-break space before an existing key
    }
    for i, k in plants.items():
        keys[i] = k
    return pl.DataFrame(
        {
            "customer_id": keys,
            "spend": [round(rng.uniform(0, 1000), 2) for _ in range(n)],
            "visits": [rng.randint(0, 10) for _ in range(n)],
        }
    )


def expected(table: pl.DataFrame, keep: str) -> pl.DataFrame:
    def normalise(key: str) -> str:
        return unicodedata.normalize("NFC", key.strip()).lower()

    norm = table["customer_id"].map_elements(normalise, return_dtype=pl.String)
    return (
        table.with_columns(norm.alias("norm"))
        .unique(subset="norm", keep=keep, maintain_order=True)  # type: ignore[arg-type]
        .drop("norm")
    )


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path, pl.DataFrame]:
    table = make_table()
    data = tmp_path / "customers.csv"
    table.write_csv(data)
    card = tmp_path / "dedupe_demo.scorecard"
    card.write_text(CARD, encoding="utf-8")
    return card, data, table


@pytest.mark.parametrize("keep", ["first", "last"])
@pytest.mark.parametrize("streaming", [False, True])
def test_dedupe_keeps_what_unique_keeps(
    files: tuple[Path, Path, pl.DataFrame], keep: str, streaming: bool, tmp_path: Path
) -> None:
    card, data, table = files
    want = expected(table, keep)
    out = tmp_path / f"scores_{keep}.parquet"
    options = RunOptions(keep=("spend", "visits"), dedupe=keep)  # type: ignore[arg-type]
    (summary,) = execute.run_to_file([load(card)], data, out, None, options, streaming=streaming)
    got = pl.read_parquet(out)
    assert summary.deduplicated == table.height - want.height == 7
    assert summary.rows == want.height
    assert got["customer_id"].to_list() == want["customer_id"].to_list()
    assert got["spend"].cast(pl.Float64).to_list() == want["spend"].to_list()
    hand = (
        (want["spend"] >= 500).cast(pl.Float64) * 10
        + (want["visits"] >= 5).cast(pl.Float64) * 5
        + want["spend"] / 100
    )
    assert got["score"].to_list() == pytest.approx(hand.to_list())


@pytest.mark.slow  # whole processes
def test_cli_reports_the_drops_and_stopping_stays_the_default(
    files: tuple[Path, Path, pl.DataFrame], tmp_path: Path
) -> None:
    card, data, table = files
    refused = subprocess.run(
        [SCORECARD, "apply", str(card), str(data), "-o", str(tmp_path / "o.csv")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert refused.returncode == 1 and "E814" in refused.stderr
    assert "--dedupe" in refused.stderr and not (tmp_path / "o.csv").exists()

    out = tmp_path / "o.csv"
    done = subprocess.run(
        [SCORECARD, "apply", str(card), str(data), "-o", str(out), "--dedupe", "last"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    want = expected(table, "last")
    dropped = table.height - want.height
    assert f"--dedupe: {dropped} rows dropped" in " ".join(done.stderr.split())
    got = pl.read_csv(out, infer_schema=False)
    assert got["customer_id"].to_list() == want["customer_id"].to_list()

    bad = subprocess.run(
        [SCORECARD, "apply", str(card), str(data), "--dedupe", "middle"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 2


def test_api_run_in_memory(files: tuple[Path, Path, pl.DataFrame]) -> None:
    card, data, table = files
    result = execute.run([load(card)], data, None, RunOptions(dedupe="first"))
    want = expected(table, "first")
    assert result.frame["customer_id"].to_list() == want["customer_id"].to_list()
    assert result.summaries[0].deduplicated == table.height - want.height
