"""The Vim syntax file, run in a real headless Vim: every keyword of grammar/*.lark in the
fixtures gets the highlight group of its kind, and names, functions, numbers, dates, strings
and comments get theirs (synID over every word)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.editors.keywords import FUNCTION_WORDS, RESULT_WORDS, ROOT, grammar_keywords

VIM = ROOT / "editors" / "vim"
FIXTURES = ROOT / "editors" / "vscode" / "tests" / "grammar"

# Each keyword's kind, written here from the language reference (not read from the Vim file).
KINDS: dict[str, set[str]] = {
    "scorecardStatement": {
        "scorecard", "input", "param", "let", "exclude", "rule", "bins", "model",
        "classes", "reasons", "outcome", "example",
    },
    "scorecardConditional": {"if", "then", "else", "when", "otherwise"},
    "scorecardOperatorWord": {"and", "or", "not", "in", "is"},
    "scorecardClause": {
        "on", "sklearn", "features", "output", "probability", "prediction", "sha256",
        "highest", "lowest", "below", "max", "event", "high", "means", "more", "fewer", "events", "given",
        "expect",
    },
    "scorecardModifier": {"key", "required", "sensitive"},
    "scorecardConstant": {"true", "false", "missing", "inf"},
    "scorecardMeta": {"title", "version", "owner", "description"},
    "scorecardType": {"int", "float", "string", "bool", "date", "datetime"},
}  # fmt: skip
STATEMENT_OR_RESULT = {"score", "segment"}


def test_the_kinds_cover_the_grammar_exactly() -> None:
    listed = set().union(*KINDS.values()) | STATEMENT_OR_RESULT
    assert listed == grammar_keywords()


def test_every_keyword_is_in_the_vim_file() -> None:
    text = (VIM / "syntax" / "scorecard.vim").read_text("utf-8")
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith('"'))
    words = set(re.findall(r"[a-z_0-9]+", code))
    assert grammar_keywords() - words == set()
    assert (VIM / "ftdetect" / "scorecard.vim").read_text("utf-8").count("*.scorecard") == 1


def _groups(card: Path, tmp_path: Path) -> list[tuple[int, str, str, str]]:
    out = tmp_path / "dump.txt"
    subprocess.run(
        [
            "vim", "-Nu", "NONE", "-i", "NONE", "-es",
            "-c", f"set rtp^={VIM}", "-c", "filetype plugin on", "-c", "syntax on",
            "-c", f"edit {card}", "-c", f"source {Path(__file__).parent / 'syntax_dump.vim'}",
            "-c", "qa!",
        ],
        check=True,
        env={**os.environ, "DUMP_OUT": str(out)},
        timeout=60,
    )  # fmt: skip
    rows = []
    for line in out.read_text("utf-8").splitlines():
        number, column, word, group = line.split("\t")
        rows.append((int(number), column, word, group))
    return rows


@pytest.mark.skipif(shutil.which("vim") is None, reason="needs Vim (installed by .ci/run)")
def test_keywords_get_their_kind_in_vim(tmp_path: Path) -> None:
    expected = {word: group for group, words in KINDS.items() for word in words}
    seen: set[str] = set()
    for fixture in ("complete_card.scorecard", "other_forms.scorecard"):
        lines = (FIXTURES / fixture).read_text("utf-8").splitlines()
        for number, column, word, group in _groups(FIXTURES / fixture, tmp_path):
            if group in ("scorecardComment", "scorecardString") or word not in grammar_keywords():
                continue
            seen.add(word)
            where = f"{fixture}:{number}:{column}: {lines[number - 1]}"
            rest = lines[number - 1][int(column) - 1 + len(word) :]
            if word in FUNCTION_WORDS and rest.lstrip().startswith("("):  # `max(...)`
                assert group == "scorecardFunction", where
            elif word in STATEMENT_OR_RESULT:
                starts = lines[number - 1].lstrip().startswith(word)
                assert group == ("scorecardStatement" if starts else "scorecardResult"), where
            else:
                assert group == expected[word], where
    assert seen == grammar_keywords()


@pytest.mark.skipif(shutil.which("vim") is None, reason="needs Vim (installed by .ci/run)")
def test_names_numbers_strings_and_comments_in_vim(tmp_path: Path) -> None:
    card = ROOT / "scorecards" / "churn_risk.scorecard"
    rows = {(n, w): g for n, _, w, g in _groups(card, tmp_path)}
    lines = card.read_text("utf-8").splitlines()

    def group_of(line_start: str, word: str) -> str:
        number = next(i + 1 for i, text in enumerate(lines) if text.startswith(line_start))
        return rows[(number, word)]

    assert group_of("rule recent_buyer", "recent_buyer") == "scorecardDeclared"
    assert group_of("bins age_band", "age_band") == "scorecardDeclared"
    assert group_of("let recency_days", "days_between") == "scorecardFunction"
    assert group_of("score =", "clip") == "scorecardFunction"
    assert group_of("param as_of", "2026-11-01") == "scorecardDate"
    assert group_of("let avg_basket", "0.0") == "scorecardFloat"
    assert group_of("classes", "10") == "scorecardNumber"
    assert group_of("exclude", '"') == "scorecardString"
    assert group_of("# Churn risk", "Churn") == "scorecardComment"
    assert group_of("let avg_basket", "revenue_12m") == ""  # a plain name stays plain
    assert {"score", "segment"} <= RESULT_WORDS
