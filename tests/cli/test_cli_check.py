"""`scorecard check` and `scorecard fmt` as a user runs them: exit status and messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.syntax.cards import PRELUDE

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], capture_output=True, text=True, cwd=cwd or ROOT
    )


def test_clean_card_exits_zero(tmp_path: Path) -> None:
    card = tmp_path / "ok.scorecard"
    card.write_text(PRELUDE + "rule r when vip then 1\n")
    done = run("check", str(card))
    assert done.returncode == 0, done.stderr
    assert "ok" in done.stderr


def test_errors_exit_one_with_place_and_caret(tmp_path: Path) -> None:
    card = tmp_path / "bad.scorecard"
    card.write_text(PRELUDE + "rule r when agee > 30 then 5\nlet x = city + 1\n")
    done = run("check", str(card))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert f"{card}:13:13: error[E200]: unknown name `agee`: did you mean `age`?" in lines
    assert (
        f"{card}:14:9: error[E300]: `+` needs numbers on both sides, but this is a string" in lines
    )
    caret_line = lines[
        lines.index(f"{card}:13:13: error[E200]: unknown name `agee`: did you mean `age`?") + 2
    ]
    assert caret_line == " " * len("13 | ") + " " * 12 + "^^^^"
    assert "Traceback" not in done.stderr


def test_warnings_do_not_fail(tmp_path: Path) -> None:
    card = tmp_path / "warn.scorecard"
    card.write_text(PRELUDE + "bins b on age {\n  < 25 -> 1\n  >= 30 -> 2\n}\n")
    done = run("check", str(card))
    assert done.returncode == 0
    assert "warning[W500]" in done.stderr


@pytest.mark.slow  # whole processes
def test_usage_errors_exit_two(tmp_path: Path) -> None:
    assert run("check").returncode == 2
    assert run("check", "--no-such-option", "x").returncode == 2
    assert run("no-such-command").returncode == 2


def test_missing_and_binary_files_are_errors_not_tracebacks(tmp_path: Path) -> None:
    binary = tmp_path / "bin.scorecard"
    binary.write_bytes(b"\xff\xfe\x00rule")
    done = run("check", str(tmp_path / "absent.scorecard"), str(binary))
    assert done.returncode == 1
    assert "E001" in done.stderr and "E002" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow  # whole processes
def test_fmt_rewrites_and_check_mode(tmp_path: Path) -> None:
    card = tmp_path / "messy.scorecard"
    card.write_text(
        '# keep me\nscorecard   t{title "x"}\ninput{id:string key # the id\n age:int}\n'
        "rule   r   when age>3 then   1 # trailing\n"
    )
    before = card.read_text()
    assert run("fmt", "--check", str(card)).returncode == 1
    assert card.read_text() == before
    assert run("fmt", str(card)).returncode == 0
    after = card.read_text()
    assert after == (
        '# keep me\nscorecard t {\n  title "x"\n}\n\ninput {\n  id  : string key  # the id\n'
        "  age : int\n}\n\nrule r when age > 3 then 1  # trailing\n"
    )
    assert run("fmt", "--check", str(card)).returncode == 0
    assert run("check", str(card)).returncode == 0


@pytest.mark.slow  # whole processes
def test_check_loads_models(tmp_path: Path) -> None:
    """`check` reports what apply and compile would refuse: unpinned pickles, no SQL form."""
    import hashlib

    import joblib
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    joblib.dump(LogisticRegression().fit(x, y), tmp_path / "lr.joblib")
    joblib.dump(KNeighborsClassifier().fit(x, y), tmp_path / "knn.joblib")
    knn_sha = hashlib.sha256((tmp_path / "knn.joblib").read_bytes()).hexdigest()
    base = PRELUDE.replace("  vip    : bool\n", "  vip    : bool\n  score1 : float\n")
    unpinned = tmp_path / "unpinned.scorecard"
    unpinned.write_text(
        base
        + 'model m = sklearn "lr.joblib" {\n  features [income, score1]\n  output probability\n}\n'
    )
    done = run("check", str(unpinned))
    assert done.returncode == 1
    assert f"{unpinned}:14:1: error[E607]" in done.stderr
    assert run("check", "--trust-models", str(unpinned)).returncode == 0

    knn = tmp_path / "knn.scorecard"
    knn.write_text(
        base
        + 'model m = sklearn "knn.joblib" {\n  features [income, score1]\n  output probability\n'
        + f'  sha256 "{knn_sha}"\n}}\n'
    )
    done = run("check", str(knn))
    assert done.returncode == 0, done.stderr
    assert "warning[E615]" in done.stderr and "KNeighborsClassifier" in done.stderr
