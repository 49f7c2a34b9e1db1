"""The language server's incremental parse is the parse of the whole text: the same AST
(spans included) and the same diagnostics after every kind of edit, re-reading only the
statements an edit touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.check.source import check_source
from engine.syntax.incremental import IncrementalParser, statement_chunks
from engine.syntax.parser import parse_text

CARDS = sorted((Path(__file__).resolve().parents[2] / "scorecards").glob("*.scorecard"))


def _edits(text: str) -> list[str]:
    lines = text.split("\n")
    rule = next(i for i, line in enumerate(lines) if line.startswith(("rule ", "bins ")))
    return [
        text,
        text.replace(lines[rule], lines[rule] + "  # edited", 1),  # within a line
        "\n".join([*lines[:rule], "", "let added = 1", *lines[rule:]]),  # lines inserted
        "\n".join([*lines[:rule], *lines[rule + 1 :]]),  # a line removed
        text.replace(lines[rule], lines[rule] + " +", 1),  # a syntax error
        text.replace(lines[rule], lines[rule][: len(lines[rule]) // 2], 1),  # cut short
        "\n".join([*lines[:rule], "segment", *lines[rule:]]),  # a broken statement
        text,  # back
    ]


@pytest.mark.parametrize("card", CARDS, ids=lambda p: p.stem)
def test_each_edit_parses_as_the_whole_text(card: Path) -> None:
    parser = IncrementalParser()
    for text in _edits(card.read_text(encoding="utf-8")):
        assert "".join(chunk for _, chunk in statement_chunks(text)) == text
        incremental, whole = parser.parse(text), parse_text(text)
        assert incremental.card == whole.card
        assert sorted(map(repr, incremental.diagnostics)) == sorted(map(repr, whole.diagnostics))
        checked, plain = check_source(text, card, incremental), check_source(text, card)
        assert checked.diagnostics == plain.diagnostics


def test_an_edit_in_one_statement_reparses_only_it() -> None:
    text = CARDS[0].read_text(encoding="utf-8")
    parser = IncrementalParser()
    parser.parse(text)
    assert parser.reparsed == len(statement_chunks(text))
    line = next(x for x in text.split("\n") if x.startswith("rule "))
    parser.parse(text.replace(line, line + "  # edited", 1))
    assert parser.reparsed == 1
