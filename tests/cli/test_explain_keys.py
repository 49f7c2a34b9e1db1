"""`scorecard explain` with several keys: each row's contributions, computed by hand here,
with the raw input values beside them; keys from a file; a missing key named."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import engine

CARD = """
scorecard several { }
input {
  id     : int key
  income : float
  city   : string
}
let rich = income >= 3000.0
rule wealthy "Wealthy" when rich then 12.5
bins city_pts on city { = "Lyon" -> 4  else -> -1 }
"""

DATA = pl.DataFrame(
    {
        "id": list(range(1, 2001)),
        "income": [float(i * 3 % 5000) for i in range(1, 2001)],
        "city": ["Lyon" if i % 3 == 0 else "Nice" for i in range(1, 2001)],
    }
)


def _by_hand(key: int) -> tuple[float, float, float]:
    row = DATA.row(key - 1, named=True)
    wealthy = 12.5 if row["income"] >= 3000.0 else 0.0
    city = 4.0 if row["city"] == "Lyon" else -1.0
    return wealthy, city, wealthy + city


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("explain")
    (folder / "card.scorecard").write_text(CARD, encoding="utf-8")
    DATA.write_parquet(folder / "data.parquet", row_group_size=200)
    DATA.write_csv(folder / "data.csv")
    return folder


@pytest.mark.parametrize("table", ["data.parquet", "data.csv"])
def test_two_keys_through_the_api(folder: Path, table: str) -> None:
    card = engine.load(folder / "card.scorecard")
    first, second = card.explain_keys(folder / table, [1500, "999"])
    for explanation, key in ((first, 1500), (second, 999)):
        values = {name: value for _, name, value, _ in explanation.items}
        wealthy, city, points = _by_hand(key)
        assert (values["wealthy"], values["city_pts"], values["points"]) == (
            wealthy,
            city,
            points,
        )
        raw = DATA.row(key - 1, named=True)
        shown_income = raw["income"] if table.endswith("parquet") else str(raw["income"])
        assert explanation.raw_values("wealthy") == f"income = {shown_income!r}"
        assert explanation.raw_values("city_pts") == f"city = {raw['city']!r}"


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", "explain", "card.scorecard", *args],
        capture_output=True,
        text=True,
        cwd=folder,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.slow  # whole processes
def test_two_keys_on_the_command_line_and_from_a_file(folder: Path) -> None:
    run = _run(folder, "data.parquet", "--key", "1500", "--key", "999")
    assert run.returncode == 0, run.stderr
    assert run.stdout.index("several: 1500") < run.stdout.index("several: 999")
    block = run.stdout.split("several: 999")[1]
    assert "income = 2997.0" in block and "city = 'Lyon'" in block
    (folder / "keys.txt").write_text("id\n1500\n\n999\n", encoding="utf-8")
    from_file = _run(folder, "data.parquet", "--keys", "keys.txt")
    assert from_file.returncode == 0, from_file.stderr
    assert from_file.stdout == run.stdout


@pytest.mark.slow  # whole processes
def test_missing_keys_are_named(folder: Path) -> None:
    run = _run(folder, "data.parquet", "--key", "1500", "--key", "5000", "--key", "7000")
    assert run.returncode == 1
    assert "E835" in run.stderr and "id = 5000, 7000" in run.stderr
    (folder / "empty.txt").write_text("\n", encoding="utf-8")
    run = _run(folder, "data.parquet", "--keys", "empty.txt")
    assert run.returncode == 1 and "E849" in run.stderr
