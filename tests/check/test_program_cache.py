"""A card checked before loads from its cached program (engine.check.cached): the same
program as a fresh check, without importing the parser, and never when the card, a model
file or the entry itself changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.check import program_json
from engine.check.cached import load_checked
from engine.check.source import check_file, check_source

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "scorecards").glob("*.scorecard"))


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "programs").glob("*.json"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SCORECARD_CACHE_DIR", str(folder))
    return folder


@pytest.mark.parametrize("card", BUNDLED, ids=lambda p: p.stem)
def test_every_bundled_program_survives_json(card: Path) -> None:
    """Encoding then decoding gives the same program, through real JSON text: equal, and
    the same `repr` (so every value has its type: a `ScalarType`, not the string that
    compares equal to it; a tuple, not a list)."""
    program = check_file(card).checked_program()
    text = json.dumps(program_json.encode(program))
    decoded = program_json.decode(json.loads(text))
    assert decoded == program and repr(decoded) == repr(program)


def test_values_of_every_kind_survive_json() -> None:
    """Dates, datetimes, non-finite floats, params and examples: what a card can hold."""
    card = check_source(
        "scorecard kinds {}\n"
        "input {\n  id : string key\n  d : date\n  t : datetime\n  x : float\n}\n"
        "param since : date = 2024-02-29\n"
        "param cap : float = 1e308\n"
        "rule recent when d >= since then 2\n"
        "rule late when t > 2024-01-01T10:30:00 then -1\n"
        "rule big when x > cap then 1\n"
        'example "e" {\n  given id = "a", d = 2024-03-01\n  expect score = 2\n}\n'
    ).checked_program()
    decoded = program_json.decode(json.loads(json.dumps(program_json.encode(card))))
    assert decoded == card and repr(decoded) == repr(card)


def test_second_load_is_from_the_cache_and_equal(cache: Path, tmp_path: Path) -> None:
    card = tmp_path / "c.scorecard"
    shutil.copy(ROOT / "scorecards" / "rules_only.scorecard", card)
    first = load_checked(card)
    assert len(_entries(cache)) == 1
    second = load_checked(card)
    assert second.card is None  # no AST: it came from the entry
    assert second.program == first.program == check_file(card).program
    assert repr(second.program) == repr(first.program)


def test_a_changed_card_is_checked_again(cache: Path, tmp_path: Path) -> None:
    card = tmp_path / "c.scorecard"
    text = (ROOT / "scorecards" / "rules_only.scorecard").read_text(encoding="utf-8")
    card.write_text(text, encoding="utf-8")
    load_checked(card)
    card.write_text(text + "\nrule extra when 1 = 1 then 1\n", encoding="utf-8")
    again = load_checked(card)
    assert again.program is not None and "extra" in [r.name for r in again.program.rules]
    card.write_text(text + "\nrule broken when then\n", encoding="utf-8")
    assert not load_checked(card).ok  # an error is never hidden by an old entry


def test_a_changed_model_file_is_checked_again(cache: Path, tmp_path: Path) -> None:
    """The checker reads model files (E600-E602): a model file changed or gone misses."""
    folder = tmp_path / "card"
    shutil.copytree(ROOT / "scorecards" / "models", folder / "models")
    card = folder / "churn_risk.scorecard"
    shutil.copy(ROOT / "scorecards" / "churn_risk.scorecard", card)
    load_checked(card)
    assert load_checked(card).card is None
    model = next((folder / "models").glob("*.skops"))
    model.write_bytes(model.read_bytes() + b"\0")
    assert load_checked(card).card is not None  # checked again (and stored again)
    model.unlink()
    gone = load_checked(card)
    assert not gone.ok and any(d.code == "E600" for d in gone.diagnostics)


def test_a_card_named_by_a_relative_path_is_kept(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the README runs it: `scorecards/churn_risk.scorecard` from the project's folder
    (the model's path is then relative to the working directory, not the card's)."""
    shutil.copytree(ROOT / "scorecards" / "models", tmp_path / "scorecards" / "models")
    shutil.copy(ROOT / "scorecards" / "churn_risk.scorecard", tmp_path / "scorecards")
    monkeypatch.chdir(tmp_path)
    card = Path("scorecards") / "churn_risk.scorecard"
    assert load_checked(card).card is not None
    assert len(_entries(cache)) == 1
    again = load_checked(card)
    assert again.card is None and again.program == check_file(card).program


def test_a_damaged_entry_is_checked_again(cache: Path, tmp_path: Path) -> None:
    card = tmp_path / "c.scorecard"
    shutil.copy(ROOT / "scorecards" / "rules_only.scorecard", card)
    load_checked(card)
    [entry] = _entries(cache)
    for damage in ('{"program": {"$": "os.system", "v": "echo"}, "models": {}}', "{", ""):
        entry.write_text(damage, encoding="utf-8")
        again = load_checked(card)
        assert again.card is not None and again.program == check_file(card).program


def test_a_card_with_warnings_is_never_stored(cache: Path, tmp_path: Path) -> None:
    """Its warnings are printed on every run, so it is checked every time."""
    card = tmp_path / "w.scorecard"
    card.write_text(
        "scorecard w {}\ninput {\n  id : string key\n  a : int\n}\n"
        "rule r when a > 1 then 1\nreasons 3\n",
        encoding="utf-8",
    )
    first = load_checked(card)
    assert first.ok and [d.code for d in first.diagnostics] == ["W407"]  # 3 reasons, 1 rule
    assert _entries(cache) == []


def test_a_run_from_the_cache_imports_no_parser(cache: Path, tmp_path: Path) -> None:
    """`scorecard apply` of a card checked before imports neither Lark, the AST nor the
    checker (what the cache is for), nor pydantic (which typer 0.29 imports to coerce every
    argument), and writes the same rows."""
    card = tmp_path / "c.scorecard"
    shutil.copy(ROOT / "scorecards" / "rules_only.scorecard", card)
    data = ROOT / "scorecards" / "data" / "customers.csv"
    probe = (
        "import sys; from engine.cli.app import main; sys.argv = ['scorecard', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "parser = {'lark', 'pydantic', 'engine.syntax.ast', 'engine.check.checker'} & set(sys.modules)\n"
        "print('PARSER:' + ','.join(sorted(parser)), file=sys.stderr)"
    )
    env = dict(os.environ, SCORECARD_CACHE_DIR=str(cache))
    outputs = []
    for run in range(2):
        out = tmp_path / f"out{run}.csv"
        done = subprocess.run(
            [sys.executable, "-c", probe, "apply", str(card), str(data), "-o", str(out)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            check=True,
        )
        outputs.append(out.read_bytes())
        parser = done.stderr.rsplit("PARSER:", 1)[1].strip()
        assert (parser == "") is (run == 1), (run, parser)
    assert outputs[0] == outputs[1]
