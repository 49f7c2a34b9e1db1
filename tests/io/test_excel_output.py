"""`-o scores.xlsx` and `--excel-csv`: the files open with openpyxl and pandas with the right
types and the same figures as a Parquet output of the same run."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import polars as pl
import pytest

CARD = """
scorecard excel_out { }
input {
  id     : string key
  income : float
  since  : date
  opt_in : bool
}
rule rich    when income >= 2500.5 then 10.25
rule recent  when since >= 2024-06-01 then 7
rule consent when opt_in then 3
segment "high" when score >= 10
segment "low" otherwise
"""

N = 300


def _scorecard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], capture_output=True, text=True, cwd=cwd
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("excel-out")
    (folder / "card.scorecard").write_text(CARD, encoding="utf-8")
    rng = np.random.default_rng(7)
    start = dt.date(2023, 1, 1)
    pl.DataFrame(
        {
            "id": [f"K{i:04d}" for i in range(N)],
            "income": np.round(rng.uniform(0, 5000, N), 2),
            "since": [start + dt.timedelta(days=int(d)) for d in rng.integers(0, 900, N)],
            "opt_in": rng.random(N) < 0.5,
        }
    ).write_csv(folder / "data.csv")
    run = _scorecard("apply", "card.scorecard", "data.csv", "-o", "ref.parquet", cwd=folder)
    assert run.returncode == 0, run.stderr
    return folder


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def test_xlsx_output_has_typed_cells_a_frozen_filtered_header_and_a_summary(
    folder: Path,
) -> None:
    run = _scorecard(
        "apply",
        "card.scorecard",
        "data.csv",
        "-o",
        "scores.xlsx",
        "--keep",
        "since,income",
        cwd=folder,
    )
    assert run.returncode == 0, run.stderr
    reference = pl.read_parquet(folder / "ref.parquet")
    source = pl.read_csv(folder / "data.csv", try_parse_dates=True)
    book = openpyxl.load_workbook(folder / "scores.xlsx")
    assert book.sheetnames == ["results", "summary"]
    sheet = book["results"]
    assert sheet.freeze_panes == "A2"
    (table,) = sheet.tables.values()
    assert table.autoFilter is not None and table.ref.startswith("A1:")
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == N
    col = {name: i for i, name in enumerate(header)}
    # numbers as numbers (openpyxl gives a whole number stored in a cell as an int)
    assert all(_number(r[col["score"]]) and _number(r[col["income"]]) for r in body)
    assert all(isinstance(r[col["since"]], dt.datetime) for r in body)
    np.testing.assert_allclose(
        [r[col["score"]] for r in body], reference["score"].to_numpy(), rtol=0, atol=0
    )
    assert [r[col["segment"]] for r in body] == reference["segment"].to_list()
    assert [r[col["since"]].date() for r in body] == source["since"].to_list()
    summary = {row[1]: row[2] for row in book["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["rows read"] == N and summary["scored"] == N
    assert summary["segment high"] == int((reference["segment"] == "high").sum())


def test_excel_csv_round_trips_through_pandas(folder: Path) -> None:
    run = _scorecard(
        "apply", "card.scorecard", "data.csv", "-o", "fr.csv", "--excel-csv", cwd=folder
    )
    assert run.returncode == 0, run.stderr
    raw = (folder / "fr.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    read = pd.read_csv(folder / "fr.csv", sep=";", decimal=",", encoding="utf-8-sig")
    reference = pl.read_parquet(folder / "ref.parquet")
    assert list(read.columns) == reference.columns
    assert read["score"].dtype == np.float64
    np.testing.assert_array_equal(read["score"].to_numpy(), reference["score"].to_numpy())
    assert read["id"].tolist() == reference["id"].to_list()
    assert any("," in line for line in raw.decode("utf-8-sig").splitlines()[1:])


def test_excel_csv_needs_a_csv_output_and_nothing_is_written(folder: Path) -> None:
    run = _scorecard(
        "apply", "card.scorecard", "data.csv", "-o", "x.parquet", "--excel-csv", cwd=folder
    )
    assert run.returncode == 1 and "E848" in run.stderr
    assert not (folder / "x.parquet").exists()
