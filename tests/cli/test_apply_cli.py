"""`scorecard apply`, `test` and `explain` end to end, on files, against hand-computed results."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from engine.cli import app

CARD = """
scorecard city { }
input {
  id   : string key
  age  : int
  city : string
  note : string
}
param senior : int = 60
exclude "minor" when age < 18
rule old "Senior" when age >= senior then 10
bins city_pts on city "City" {
  in ["Paris"] -> 5
  = "Lyon"     -> 3
}
segment "hi" when score >= 10
segment "lo" otherwise
classes 2
reasons 2
example "senior in Paris" {
  given id = "x", age = 70, city = "Paris"
  expect score = 15, segment = "hi", reason_1 = "old", reason_2 = "city_pts", class = 1
}
"""

DATA = pl.DataFrame(
    {
        "id": ["e", "b", "a", "d", "c", "f"],
        "age": [70, 30, 65, 12, None, 40],
        "city": ["Paris", "Lyon", "Nice", "Paris", "Paris", None],
        "note": ["n1", "n2", "n3", "n4", "n5", "n6"],
    }
)
# By hand: e: 10+5=15; b: 3; a: 10+0 (Nice matches no bin); d: excluded; c: age null -> rule
# does not fire, Paris 5; f: 0 (null city matches no bin).
SCORES = [15.0, 3.0, 10.0, None, 5.0, 0.0]
SEGMENTS = ["hi", "lo", "hi", None, "lo", "lo"]
# Ranked by score desc, key asc: e(15) a(10) c(5) b(3) f(0): NTILE(2) -> 3 rows in 1, 2 in 2.
CLASSES = [1, 2, 1, None, 1, 2]
REASON_1 = ["old", "city_pts", "old", None, "city_pts", None]
REASON_2 = ["city_pts", None, None, None, None, None]
EXCLUDED = [None, None, None, "minor", None, None]


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    card = tmp_path / "city.scorecard"
    card.write_text(CARD, encoding="utf-8")
    data = tmp_path / "data.csv"
    DATA.write_csv(data)
    return card, data


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def check_result(frame: pl.DataFrame) -> None:
    assert frame.columns == ["id", "score", "segment", "class", "reason_1", "reason_2", "excluded"]
    assert frame["id"].to_list() == DATA["id"].to_list()
    assert frame["score"].to_list() == SCORES
    assert frame["segment"].to_list() == SEGMENTS
    assert frame["class"].to_list() == CLASSES
    assert frame["reason_1"].to_list() == REASON_1
    assert frame["reason_2"].to_list() == REASON_2
    assert frame["excluded"].to_list() == EXCLUDED


@pytest.mark.parametrize("ext", ["csv", "parquet", "ndjson", "arrow"])
def test_apply_writes_every_format(files: tuple[Path, Path], tmp_path: Path, ext: str) -> None:
    card, _ = files
    data = tmp_path / f"in.{ext}"
    writers = {
        "csv": DATA.write_csv,
        "parquet": DATA.write_parquet,
        "ndjson": DATA.write_ndjson,
        "arrow": DATA.write_ipc,
    }
    writers[ext](data)
    out = tmp_path / f"out.{ext}"
    code, _, err = invoke("apply", str(card), str(data), "-o", str(out))
    assert code == 0, err
    readers = {
        "csv": pl.read_csv,
        "parquet": pl.read_parquet,
        "ndjson": pl.read_ndjson,
        "arrow": pl.read_ipc,
    }
    check_result(readers[ext](out))
    assert "6 rows read, 5 scored, 1 excluded" in err
    assert "bins city_pts: 2 rows matched no bin" in err


def test_stdout_csv_and_preview(files: tuple[Path, Path]) -> None:
    card, data = files
    code, out, _ = invoke("apply", str(card), str(data), "-o", "-")
    assert code == 0
    import io

    check_result(pl.read_csv(io.StringIO(out)))
    code, out, err = invoke("apply", str(card), str(data))
    assert code == 0 and "city_pts" in out and "rows read" in err


def test_keep_explain_top_and_params(files: tuple[Path, Path], tmp_path: Path) -> None:
    card, data = files
    out = tmp_path / "o.csv"
    code, _, err = invoke(
        "apply", str(card), str(data), "-o", str(out), "--keep", "note,age", "--explain"
    )
    assert code == 0, err
    frame = pl.read_csv(out)
    assert frame["note"].to_list() == DATA["note"].to_list()
    assert frame["old"].to_list() == [10.0, 0.0, 10.0, 0.0, 0.0, 0.0]
    assert frame["city_pts"].to_list() == [5.0, 3.0, 0.0, 5.0, 5.0, 0.0]
    code, _, _ = invoke("apply", str(card), str(data), "-o", str(out), "--top", "2")
    assert code == 0
    assert pl.read_csv(out)["id"].to_list() == ["e", "a"]  # rank order
    code, _, _ = invoke("apply", str(card), str(data), "-o", str(out), "--top", "50%")
    assert pl.read_csv(out)["id"].to_list() == ["e", "a", "c"]  # ceil(5 * 0.5)
    code, _, _ = invoke("apply", str(card), str(data), "-o", str(out), "--param", "senior=18")
    assert pl.read_csv(out)["score"].to_list() == [15.0, 13.0, 10.0, None, 5.0, 10.0]
    code, _, _ = invoke("apply", str(card), str(data), "--top", "ten")
    assert code == 2


def test_several_cards_in_one_pass(files: tuple[Path, Path], tmp_path: Path) -> None:
    card, data = files
    other = tmp_path / "other.scorecard"
    other.write_text(
        "scorecard other { }\ninput { id : string key\n age : int }\nscore = age * 2.0\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.parquet"
    code, _, err = invoke("apply", str(card), str(other), str(data), "-o", str(out))
    assert code == 0, err
    frame = pl.read_parquet(out)
    assert frame.columns[:3] == ["id", "city_score", "city_segment"]
    assert frame["city_score"].to_list() == SCORES
    assert frame["other_score"].to_list() == [140.0, 60.0, 130.0, 24.0, None, 80.0]


def test_streaming_gives_the_same_rows(files: tuple[Path, Path], tmp_path: Path) -> None:
    card, data = files
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    assert invoke("apply", str(card), str(data), "-o", str(a), "--streaming")[0] == 0
    assert invoke("apply", str(card), str(data), "-o", str(b), "--no-streaming")[0] == 0
    check_result(pl.read_parquet(a))
    assert pl.read_parquet(a).equals(pl.read_parquet(b))


def test_failed_run_leaves_previous_output(files: tuple[Path, Path], tmp_path: Path) -> None:
    card, _ = files
    out = tmp_path / "o.csv"
    out.write_text("previous\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    DATA.with_columns(pl.col("age").cast(pl.String).fill_null("old")).write_csv(bad)
    code, _, err = invoke("apply", str(card), str(bad), "-o", str(out))
    assert code == 1 and "E811" in err
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["city.scorecard", "data.csv", "bad.csv", "o.csv"]
    )


def test_killed_streaming_run_never_touches_output(tmp_path: Path) -> None:
    """Kill a long streaming run while it writes: the earlier output stays whole."""
    card = tmp_path / "c.scorecard"
    card.write_text(
        "scorecard c { }\ninput { id : int key\n x : float }\n"
        "let y = sqrt(abs(x)) + ln(abs(x) + 1.0)\nrule r when y > 3 then 1\n",
        encoding="utf-8",
    )
    n = 3_000_000
    data = tmp_path / "big.parquet"
    pl.DataFrame({"id": range(n), "x": pl.int_range(n, eager=True) * 0.37}).write_parquet(data)
    out = tmp_path / "out.csv"
    out.write_text("previous\n", encoding="utf-8")
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "scorecard"),
            "apply",
            str(card),
            str(data),
            "-o",
            str(out),
            "--streaming",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            partial = [p for p in tmp_path.iterdir() if p.name.startswith(".out.csv.")]
            if partial and partial[0].stat().st_size > 0:
                break
            if proc.poll() is not None:
                pytest.skip("the run finished before it could be killed")
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert out.read_text(encoding="utf-8") == "previous\n"


def test_test_command(files: tuple[Path, Path], tmp_path: Path) -> None:
    card, _ = files
    code, out, _ = invoke("test", str(card))
    assert code == 0 and "PASS" in out
    wrong = tmp_path / "wrong.scorecard"
    wrong.write_text(CARD.replace("expect score = 15", "expect score = 16"), encoding="utf-8")
    code, out, _ = invoke("test", str(wrong))
    assert code == 1
    assert "FAIL" in out and "score: expected 16" in out and "got 15.0" in out


def test_explain_command(files: tuple[Path, Path]) -> None:
    card, data = files
    code, out, err = invoke("explain", str(card), str(data), "--key", "a")
    assert code == 0, err
    assert "did not fire" not in out.split("old")[1].split("\n")[0]
    assert "fired (Senior)" in out
    assert "no bin matched" in out
    code, _, err = invoke("explain", str(card), str(data), "--key", "zz")
    assert code == 1 and "E835" in err
