"""The VS Code TextMate grammar against the card grammar: every keyword of grammar/*.lark is
highlighted, no word is highlighted that the language does not have, and the tokenisation
fixtures (run by vscode-tmgrammar-test in CI, `npm run test:grammar`) cover every keyword."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from tests.editors.keywords import FUNCTION_WORDS, RESULT_WORDS, ROOT, grammar_keywords

VSCODE = ROOT / "editors" / "vscode"
GRAMMAR = json.loads((VSCODE / "syntaxes" / "scorecard.tmLanguage.json").read_text("utf-8"))
FIXTURES = sorted((VSCODE / "tests" / "grammar").glob("*.scorecard"))


def _alternatives(pattern: str) -> set[str]:
    """The words of a `\\b(?:a|b|c)\\b` keyword pattern."""
    found = re.search(r"\((?:\?:)?([^()?]+)\)", pattern)
    assert found, pattern
    return set(found.group(1).split("|"))


def _keyword_lists() -> dict[str, set[str]]:
    repo = GRAMMAR["repository"]
    return {k: _alternatives(v["match"]) for k, v in repo.items() if k.startswith("keywords-")}


def test_every_grammar_keyword_has_one_highlighting() -> None:
    lists = _keyword_lists()
    for word in sorted(grammar_keywords()):
        holders = [name for name, words in lists.items() if word in words]
        if word in RESULT_WORDS:  # `segment "x" when ...` starts a line; elsewhere a result
            assert "keywords-result" in holders and len(holders) <= 2, (word, holders)
            continue
        assert len(holders) == 1, (word, holders)


def test_no_highlighted_word_is_foreign_to_the_language() -> None:
    lists = _keyword_lists()
    highlighted = set().union(*lists.values()) - {"reason_\\d+"}
    allowed = grammar_keywords() | RESULT_WORDS
    assert highlighted - allowed == set()
    assert "reason_\\d+" in GRAMMAR["repository"]["keywords-result"]["match"]


def test_the_builtin_functions_are_the_engines() -> None:
    pattern = GRAMMAR["repository"]["function-call"]["patterns"][0]["match"]
    assert _alternatives(pattern) == FUNCTION_WORDS


def test_the_fixtures_cover_every_keyword() -> None:
    source = "\n".join(
        line
        for path in FIXTURES
        for line in path.read_text("utf-8").splitlines()
        if not line.startswith("#")
    )
    words = set(re.findall(r"[^\W\d]\w*", source))
    assert grammar_keywords() - words == set()
    assert FIXTURES and all(
        p.read_text("utf-8").startswith('# SYNTAX TEST "source.scorecard"') for p in FIXTURES
    )


@pytest.mark.skipif(
    not (VSCODE / "node_modules" / ".bin" / "vscode-tmgrammar-test").exists()
    or shutil.which("node") is None,
    reason="run `npm ci` in editors/vscode (CI does)",
)
def test_the_tokenisation_fixtures_pass() -> None:
    proc = subprocess.run(
        ["npm", "run", "--silent", "test:grammar"],
        cwd=VSCODE,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
