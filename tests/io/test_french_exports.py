"""French and Excel exports of one customer table score exactly as the clean CSV does.

Each variant is built here from generated data, the way a French Excel or a CRM writes it:
`;`, decimal comma, `dd/mm/yyyy`, `oui`/`non`, Windows-1252 (without a BOM), UTF-8 with a BOM,
UTF-16 with a BOM, and an .xlsx workbook written with openpyxl. The scores are compared with
an independent numpy computation of the card's rules and with the clean CSV's scores.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

CARD = """
scorecard fr_export { }
input {
  id     : string key
  income : float
  age    : int
  since  : date
  opt_in : bool
  city   : string
}
rule rich    when income >= 2500.5 then 10
rule young   when age < 30 then 5
rule recent  when since >= 2024-06-01 then 7
rule consent when opt_in then 3
rule idf     when city = "Île-de-France" then 2
"""

N = 400
CITIES = ["Île-de-France", "Côte-d'Azur", "Lyon", "Besançon"]
SCORED = ["score"]


def _table() -> pl.DataFrame:
    rng = np.random.default_rng(15)
    income = np.round(rng.uniform(0, 5000, N), 2)
    age = rng.integers(18, 80, N)
    start = dt.date(2023, 1, 1)
    since = [start + dt.timedelta(days=int(d)) for d in rng.integers(0, 900, N)]
    opt_in = rng.random(N) < 0.6
    city = [CITIES[i] for i in rng.integers(0, len(CITIES), N)]
    frame = pl.DataFrame(
        {
            "id": [f"C{i:05d}" for i in range(N)],
            "income": income,
            "age": age,
            "since": since,
            "opt_in": opt_in,
            "city": city,
        }
    )
    # a few missing values in every nullable column
    return frame.with_columns(
        pl.when(pl.int_range(N) % 37 == 5).then(None).otherwise(pl.col(c)).alias(c)
        for c in ("income", "age", "since", "opt_in", "city")
    )


def _expected(frame: pl.DataFrame) -> np.ndarray:
    """The card's score by hand: a rule whose condition is missing does not fire."""
    income = frame["income"].to_numpy()
    age = frame["age"].to_numpy().astype(float)
    since = frame["since"].to_list()
    opt_in = frame["opt_in"].to_list()
    city = frame["city"].to_list()
    cut = dt.date(2024, 6, 1)
    points = (
        np.where(np.nan_to_num(income, nan=-1) >= 2500.5, 10, 0)
        + np.where(np.nan_to_num(age, nan=99) < 30, 5, 0)
        + np.array([7 if s is not None and s >= cut else 0 for s in since])
        + np.array([3 if o else 0 for o in opt_in])
        + np.array([2 if c == "Île-de-France" else 0 for c in city])
    )
    return points.astype(float)


def _french_text(frame: pl.DataFrame) -> str:
    out = frame.with_columns(
        pl.col("income").map_elements(lambda v: f"{v:.2f}".replace(".", ","), pl.String),
        pl.col("since").dt.strftime("%d/%m/%Y"),
        pl.col("opt_in").replace_strict({True: "OUI", False: "non"}, return_dtype=pl.String),
    )
    return out.write_csv(separator=";", line_terminator="\r\n")


FRENCH = ["--sep", ";", "--decimal-comma", "--date-format", "%d/%m/%Y"]
WORDS = ["--true", "oui,vrai", "--false", "non,faux"]


def _scorecard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], capture_output=True, text=True, cwd=cwd
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("french")
    (folder / "card.scorecard").write_text(CARD, encoding="utf-8")
    frame = _table()
    frame.write_parquet(folder / "truth.parquet")
    frame.write_csv(folder / "clean.csv")
    text = _french_text(frame)
    (folder / "cp1252.csv").write_bytes(text.encode("cp1252"))
    (folder / "bom.csv").write_bytes(text.encode("utf-8-sig"))
    (folder / "utf16.csv").write_bytes(text.encode("utf-16"))  # with its BOM
    _write_xlsx(frame, folder / "export.xlsx")
    return folder


def _write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "notes"
    notes.append(["exported from the CRM"])
    sheet = book.create_sheet("clients")
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        sheet.append(list(row))
    book.save(path)


def _scores(folder: Path, data: str, *options: str) -> pl.DataFrame:
    out = folder / f"scores-{data}-{len(options)}.parquet"
    run = _scorecard("apply", "card.scorecard", data, "-o", out.name, *options, cwd=folder)
    assert run.returncode == 0, run.stderr
    return pl.read_parquet(out)


@pytest.fixture(scope="module")
def clean(folder: Path) -> pl.DataFrame:
    scores = _scores(folder, "clean.csv")
    truth = pl.read_parquet(folder / "truth.parquet")
    assert scores["id"].to_list() == truth["id"].to_list()
    np.testing.assert_array_equal(scores["score"].to_numpy(), _expected(truth))
    return scores


@pytest.mark.parametrize(
    ("data", "options"),
    [
        ("cp1252.csv", [*FRENCH, *WORDS, "--encoding", "cp1252"]),
        ("bom.csv", [*FRENCH, *WORDS]),
        ("bom.csv", [*FRENCH, *WORDS, "--encoding", "cp1252"]),  # the BOM wins
        ("utf16.csv", [*FRENCH, *WORDS]),
        ("export.xlsx", ["--sheet", "clients"]),
    ],
)
def test_french_variants_score_as_the_clean_csv(
    folder: Path, clean: pl.DataFrame, data: str, options: list[str]
) -> None:
    scores = _scores(folder, data, *options)
    assert scores["id"].to_list() == clean["id"].to_list()
    np.testing.assert_array_equal(scores["score"].to_numpy(), clean["score"].to_numpy())


def test_settings_file_beside_the_card(folder: Path, clean: pl.DataFrame) -> None:
    sub = folder / "team"
    sub.mkdir()
    (sub / "card.scorecard").write_text(CARD, encoding="utf-8")
    (sub / "scorecard.toml").write_text(
        '[read]\nsep = ";"\ndecimal_comma = true\nencoding = "cp1252"\n'
        'date_format = "%d/%m/%Y"\ntrue = ["oui"]\nfalse = ["non"]\n',
        encoding="utf-8",
    )
    out = folder / "team.parquet"
    run = _scorecard("apply", "team/card.scorecard", "cp1252.csv", "-o", out.name, cwd=folder)
    assert run.returncode == 0, run.stderr
    np.testing.assert_array_equal(
        pl.read_parquet(out)["score"].to_numpy(), clean["score"].to_numpy()
    )
    # the command line wins over the file: a wrong separator given now is refused
    run = _scorecard("apply", "team/card.scorecard", "cp1252.csv", "--sep", ",", cwd=folder)
    assert run.returncode == 1
    assert "E840" in run.stderr


def test_semicolon_file_read_with_commas_names_the_option(folder: Path) -> None:
    run = _scorecard("apply", "card.scorecard", "bom.csv", cwd=folder)
    assert run.returncode == 1
    assert "error[E840]" in run.stderr
    assert "--sep ';'" in run.stderr and "--decimal-comma" in run.stderr


@pytest.mark.slow  # whole processes
def test_cp1252_file_read_as_utf8_names_byte_line_and_encoding(folder: Path) -> None:
    raw = (folder / "cp1252.csv").read_bytes()
    offset = next(i for i, b in enumerate(raw) if b >= 0x80)
    line = raw.count(b"\n", 0, offset) + 1
    run = _scorecard("apply", "card.scorecard", "cp1252.csv", *FRENCH, *WORDS, cwd=folder)
    assert run.returncode == 1
    assert "error[E841]" in run.stderr
    assert f"byte 0x{raw[offset]:02X} at offset {offset} (line {line})" in run.stderr
    assert "--encoding cp1252" in run.stderr


def test_values_left_unread_get_the_option_as_a_hint(folder: Path) -> None:
    run = _scorecard("apply", "card.scorecard", "bom.csv", "--sep", ";", cwd=folder)
    assert run.returncode == 1
    assert "E811" in run.stderr
    assert "use --decimal-comma" in run.stderr
    assert "--date-format %d/%m/%Y" in run.stderr
    assert "--true WORDS --false WORDS (here: non,oui)" in run.stderr


def test_ragged_rows_still_refused_with_another_separator(folder: Path) -> None:
    text = (folder / "bom.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    text[3] = text[3] + ";extra"
    (folder / "ragged.csv").write_bytes("\r\n".join(text).encode("cp1252"))
    run = _scorecard(
        "apply",
        "card.scorecard",
        "ragged.csv",
        *FRENCH,
        *WORDS,
        "--encoding",
        "cp1252",
        cwd=folder,
    )
    assert run.returncode == 1
    assert "E815" in run.stderr and "line 4: 7 fields" in run.stderr


@pytest.mark.slow  # whole processes
def test_bad_options_and_missing_sheet(folder: Path) -> None:
    run = _scorecard("apply", "card.scorecard", "clean.csv", "--sep", ";;", cwd=folder)
    assert run.returncode == 1 and "E844" in run.stderr
    run = _scorecard("apply", "card.scorecard", "clean.csv", "--encoding", "ebcdic", cwd=folder)
    assert run.returncode == 1 and "E844" in run.stderr
    run = _scorecard("apply", "card.scorecard", "export.xlsx", "--sheet", "nope", cwd=folder)
    assert run.returncode == 1 and "E845" in run.stderr and "'clients'" in run.stderr


@pytest.mark.slow  # whole processes
def test_null_markers(folder: Path) -> None:
    truth = pl.read_parquet(folder / "truth.parquet")
    text = truth.write_csv(null_value="N/A")
    (folder / "na.csv").write_text(text, encoding="utf-8")
    run = _scorecard("apply", "card.scorecard", "na.csv", cwd=folder)
    assert run.returncode == 1 and "E811" in run.stderr
    scores = _scores(folder, "na.csv", "--null", "N/A,NULL")
    np.testing.assert_array_equal(scores["score"].to_numpy(), _expected(truth))


@pytest.mark.slow  # whole processes
def test_fit_reads_the_french_export_as_the_clean_csv(folder: Path) -> None:
    """`fit` has no card: the options make a text column a number, bool or date when every
    filled value reads so; the fitted card equals the one fitted on the clean CSV."""
    truth = pl.read_parquet(folder / "truth.parquet")
    noise = pl.int_range(pl.len()) % 7 == 0
    rich = pl.col("income").fill_null(0) > 3000
    late = pl.col("since").fill_null(dt.date(2023, 1, 1)) >= dt.date(2024, 6, 1)
    table = truth.with_columns(((rich | late) ^ noise).cast(pl.Int8).alias("bad"))
    table.write_csv(folder / "fit-clean.csv")
    (folder / "fit-french.csv").write_bytes(_french_text(table).encode("cp1252"))
    common = ["--target", "bad", "--key", "id", "--holdout", "0"]
    clean = _scorecard("fit", "fit-clean.csv", *common, "-o", "a.scorecard", cwd=folder)
    assert clean.returncode == 0, clean.stderr
    french = _scorecard(
        "fit", "fit-french.csv", *common, "-o", "b.scorecard",
        *FRENCH, *WORDS, "--encoding", "cp1252", cwd=folder,
    )  # fmt: skip
    assert french.returncode == 0, french.stderr

    def body(path: str) -> list[str]:
        lines = (folder / path).read_text(encoding="utf-8").splitlines()
        text = [line.replace("fit-clean.csv", "X").replace("fit-french.csv", "X") for line in lines]
        return [line for line in text if not line.startswith(("#", "scorecard "))]

    assert body("a.scorecard") == body("b.scorecard")
    inputs = "\n".join(body("b.scorecard"))
    assert "income" in inputs and "float" in inputs
