"""Hover, completion, definition, references, rename, formatting, outline and the examples
code lens, asked of `scorecard lsp` over stdio on the bundled cards."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine.check.source import check_source
from tests.lsp.client import ROOT, Client, LspError, position

CARDS = ROOT / "scorecards"
CHURN = CARDS / "churn_risk.scorecard"
RULES = CARDS / "rules_only.scorecard"


def _open(lsp: Client, path: Path, text: str | None = None) -> tuple[str, str]:
    text = path.read_text(encoding="utf-8") if text is None else text
    lsp.open(path.as_uri(), text)
    return path.as_uri(), text


def _at(uri: str, text: str, needle: str, offset: int = 0) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": position(text, needle, offset)}


def _apply(text: str, edits: list[dict[str, Any]]) -> str:
    """The text after LSP edits (UTF-16 positions), applied from the last to the first."""
    lines = text.split("\n")

    def offset(pos: dict[str, int]) -> int:
        line = lines[pos["line"]] if pos["line"] < len(lines) else ""
        chars = len(line.encode("utf-16-le")[: pos["character"] * 2].decode("utf-16-le"))
        return sum(len(s) + 1 for s in lines[: pos["line"]]) + chars

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


def _code_words(text: str, word: str) -> int:
    """How often `word` stands as a name outside comments and strings (an independent count)."""
    code = "\n".join(re.sub(r'"[^"]*"', '""', line).split("#", 1)[0] for line in text.split("\n"))
    return len(re.findall(rf"(?<![\w`]){re.escape(word)}(?![\w`])", code))


# ---------------------------------------------------------------- hover


def _hover(lsp: Client, uri: str, text: str, needle: str, offset: int = 0) -> str:
    result = lsp.request("textDocument/hover", _at(uri, text, needle, offset))
    assert result is not None, needle
    assert result["contents"]["kind"] == "markdown"
    return str(result["contents"]["value"])


def test_hover_says_what_each_name_is(lsp: Client) -> None:
    uri, text = _open(lsp, CHURN)
    # an input: its type and modifiers
    assert "input tenure_months : int required" in _hover(lsp, uri, text, "when tenure_months", 6)
    # a param with its value
    assert "param as_of : date = 2026-11-01" in _hover(lsp, uri, text, "last_order, as_of", 13)
    # a let with its expression and type
    let = _hover(lsp, uri, text, "when avg_basket", 6)
    assert "let avg_basket = if orders_12m > 0 then revenue_12m / orders_12m else 0.0" in let
    assert "Type: `float`" in let
    # a rule with its label and points (hovered where an example expects it)
    rule = _hover(lsp, uri, text, "loyal = -25", 1)
    assert 'rule loyal "Customer for 3+ years"' in rule
    assert "when `tenure_months >= 36`" in rule and "**-25** points" in rule
    # bins with their table, in the card's order
    table = _hover(lsp, uri, text, "age_band = 30", 2)
    rows = re.findall(r"^\| `(.+?)` \| (.+?) \|$", table, re.M)
    assert rows == [
        ("missing", "10"),
        ("< 25", "30"),
        ("[25, 40)", "15"),
        ("[40, 60)", "0"),
        (">= 60", "-5"),
    ]
    # a model with its file and features
    model = _hover(lsp, uri, text, "300 * churn", 7)
    assert "models/churn_gbm.skops" in model
    assert "`age`, `income`, `tenure_months`, `recency_days`, `orders_12m`" in model
    assert "output: probability" in model
    # a function with its signature and doc
    function = _hover(lsp, uri, text, "clip(round", 1)
    assert "clip(x, low, high)" in function and "brought into [low, high]" in function
    # nothing under a comment
    assert lsp.request("textDocument/hover", _at(uri, text, "# Churn risk", 3)) is None


# ---------------------------------------------------------------- completion


def _labels(lsp: Client, uri: str, text: str, needle: str, offset: int | None = None) -> list[str]:
    at = _at(uri, text, needle, len(needle) if offset is None else offset)
    result = lsp.request("textDocument/completion", at)
    return [item["label"] for item in result["items"]]


def test_completion_in_context(lsp: Client, tmp_path: Path) -> None:
    uri, text = _open(lsp, CHURN)
    declared = ["age", "recency_days", "avg_basket", "recent_buyer", "age_band", "churn", "base"]
    # a condition: declared names, functions, expression keywords; no statement keyword
    condition = _labels(lsp, uri, text, 'rule loyal        "Customer for 3+ years"       when ')
    assert set(declared) | {"points", "days_between", "coalesce", "not", "if"} <= set(condition)
    assert "rule" not in condition and "score" not in condition
    # `score` may be read in a segment only
    assert "score" in _labels(lsp, uri, text, 'segment "medium" when ')
    # a type after `:` in the inputs, and only types
    types_ = _labels(lsp, uri, text, "  age           : ")
    assert sorted(types_) == ["bool", "date", "datetime", "float", "int", "string"]
    # after a column's type: its modifiers
    assert {"key", "required", "sensitive"} <= set(
        _labels(lsp, uri, text, "  tenure_months : int ")
    )
    # bins: the column (inputs and lets only), then the bin forms
    assert set(_labels(lsp, uri, text, "bins csp_points on ")) == {
        "customer_id",
        "age",
        "income",
        "csp",
        "tenure_months",
        "last_order",
        "orders_12m",
        "revenue_12m",
        "complaints_6m",
        "email_opt_in",
        "gender",
        "recency_days",
        "avg_basket",
    }
    forms = _labels(lsp, uri, text, "bins csp_points on csp {\n")
    assert {"missing ->", "else ->", "< n ->", "[a, b) ->", "in [...] ->"} <= set(forms)
    # an example's expectations: lets, rules, bins, models and the results
    expect = _labels(lsp, uri, text, "  expect recency_days = 12, ")
    assert {"avg_basket", "loyal", "age_band", "churn", "segment", "class", "reason_3"} <= set(
        expect
    )
    assert "income" not in expect
    # a new name being declared: nothing to offer
    assert _labels(lsp, uri, text, "let ") == []
    # the start of a statement: the statement keywords, as the grammar lists them
    start = _labels(lsp, uri, text, "classes 10\n")
    assert {"rule", "let", "bins", "segment", "example", "score", "model"} <= set(start)


def test_completion_while_the_card_is_broken(lsp: Client, tmp_path: Path) -> None:
    path = tmp_path / "typing.scorecard"
    text = CHURN.read_text(encoding="utf-8").replace("classes 10", "rule new when re")
    uri, text = _open(lsp, path, text)
    labels = _labels(lsp, uri, text, "rule new when re")
    assert {"recency_days", "revenue_12m", "recent_buyer"} <= set(labels)


# ---------------------------------------------------------------- definition, references


def test_definition_of_a_let_a_bins_block_and_an_input(lsp: Client) -> None:
    uri, text = _open(lsp, CHURN)
    lines = text.split("\n")
    for needle, offset, name, declared in [
        ("when recency_days", 6, "recency_days", "let recency_days ="),
        ("age_band = 30", 0, "age_band", "bins age_band on"),
        ("features [age", 10, "age", "  age           : int"),
    ]:
        loc = lsp.request("textDocument/definition", _at(uri, text, needle, offset))
        assert loc["uri"] == uri
        line = lines[loc["range"]["start"]["line"]]
        assert line.startswith(declared), (needle, line)
        start, end = loc["range"]["start"]["character"], loc["range"]["end"]["character"]
        assert line[start:end] == name


def test_references_are_every_use_in_the_card(lsp: Client) -> None:
    uri, text = _open(lsp, CHURN)
    for name in ("orders_12m", "recency_days", "age_band", "as_of"):
        found = lsp.request(
            "textDocument/references",
            {**_at(uri, text, f" {name}", 1), "context": {"includeDeclaration": True}},
        )
        assert len(found) == _code_words(text, name), name
        lines = text.split("\n")
        for loc in found:
            r = loc["range"]
            assert (
                lines[r["start"]["line"]][r["start"]["character"] : r["end"]["character"]] == name
            )
        without = lsp.request(
            "textDocument/references",
            {**_at(uri, text, f" {name}", 1), "context": {"includeDeclaration": False}},
        )
        assert len(without) == len(found) - 1


# ---------------------------------------------------------------- rename


@pytest.mark.parametrize(
    ("card", "at", "old", "new"),
    [
        # a let used before it is declared
        (RULES, "let recency_days", "recency_days", "days_since_order"),
        # a rule (complaints_6m starts with its name)
        (RULES, "rule complaints ", "complaints", "complained"),
        # bins, renamed from an example's expectation; a name with a blank gets backticks
        (CHURN, "age_band = 30", "age_band", "age points"),
    ],
)
def test_rename_rewrites_every_use_and_the_card_still_checks(
    lsp: Client, card: Path, at: str, old: str, new: str
) -> None:
    uri, text = _open(lsp, card)
    at = _at(uri, text, at, at.index(old) + 1)
    prepared = lsp.request("textDocument/prepareRename", at)
    assert prepared["start"] == at["position"] or prepared["end"]["character"] > 0
    edit = lsp.request("textDocument/rename", {**at, "newName": new})
    edits = edit["changes"][uri]
    assert len(edits) == _code_words(text, old)
    renamed = _apply(text, edits)
    written = new if re.fullmatch(r"\w+", new) else f"`{new}`"
    assert _code_words(renamed, old) == 0
    assert renamed.count(written) == text.count(written) + len(edits)
    result = check_source(renamed, card)
    assert result.ok, [d.headline() for d in result.diagnostics]


def test_rename_refuses_inputs_reserved_and_taken_names(lsp: Client) -> None:
    uri, text = _open(lsp, CHURN)
    with pytest.raises(LspError, match="input"):
        lsp.request("textDocument/prepareRename", _at(uri, text, "when tenure_months", 6))
    at = _at(uri, text, "rule loyal", 5)
    with pytest.raises(LspError, match="already declared"):
        lsp.request("textDocument/rename", {**at, "newName": "complainer"})
    with pytest.raises(LspError, match="reserved"):
        lsp.request("textDocument/rename", {**at, "newName": "score"})
    with pytest.raises(LspError, match="not a name"):
        lsp.request("textDocument/rename", {**at, "newName": "two\nlines"})


# ---------------------------------------------------------------- formatting, outline


def test_formatting_gives_what_scorecard_fmt_writes(lsp: Client, tmp_path: Path) -> None:
    original = CHURN.read_text(encoding="utf-8")
    # Scramble the layout of the statements (comments are kept as written): squeeze
    # blanks, drop indentation.
    scrambled = "\n".join(
        line if line.startswith("#") else re.sub(r"\s+", " ", line).strip()
        for line in original.split("\n")
    )
    assert scrambled != original
    path = tmp_path / "churn_risk.scorecard"
    path.write_text(scrambled, encoding="utf-8")
    shutil.copytree(CARDS / "models", tmp_path / "models")
    uri, _ = _open(lsp, path, scrambled)
    edits = lsp.request(
        "textDocument/formatting",
        {"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}},
    )
    formatted = _apply(scrambled, edits)
    subprocess.run([sys.executable, "-m", "engine", "fmt", str(path)], check=True, cwd=ROOT)
    assert formatted == path.read_text(encoding="utf-8")
    assert formatted == original  # the bundled card is in fmt's layout
    # a card already formatted gets no edit
    uri, _ = _open(lsp, CHURN)
    assert (
        lsp.request(
            "textDocument/formatting",
            {"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}},
        )
        == []
    )


def test_the_outline_lists_the_statements_in_file_order(lsp: Client) -> None:
    uri, _ = _open(lsp, CHURN)
    symbols = lsp.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    names = [s["name"] for s in symbols]
    assert names[:4] == ["churn_risk", "input", "as_of", "base"]
    for name in (
        "recency_days",
        "No marketing consent",
        "loyal",
        "age_band",
        "churn",
        "score",
        "high",
        "low",
        "classes",
        "reasons",
        "recent loyal buyer",
        "no consent",
    ):
        assert name in names
    inputs = next(s for s in symbols if s["name"] == "input")
    assert [c["name"] for c in inputs["children"]][:3] == ["customer_id", "age", "income"]
    assert inputs["children"][0]["detail"] == "string key"
    age_band = next(s for s in symbols if s["name"] == "age_band")
    assert [c["name"] for c in age_band["children"]] == [
        "missing",
        "< 25",
        "[25, 40)",
        "[40, 60)",
        ">= 60",
    ]


# ---------------------------------------------------------------- code lens


def _lens_titles(lsp: Client, uri: str) -> list[str]:
    lenses = lsp.request("textDocument/codeLens", {"textDocument": {"uri": uri}})
    assert all(lens["command"]["command"] == "scorecard.runExamples" for lens in lenses)
    return [lens["command"]["title"] for lens in lenses]


@pytest.mark.slow  # a language server running the examples in processes
def test_the_examples_lens_runs_them_and_shows_pass_or_fail(lsp: Client, tmp_path: Path) -> None:
    uri, text = _open(lsp, CHURN)
    assert _lens_titles(lsp, uri) == ["▶ run examples"] * 4
    outcomes = lsp.request(
        "workspace/executeCommand", {"command": "scorecard.runExamples", "arguments": [uri]}
    )
    assert [o["passed"] for o in outcomes] == [True] * 4
    assert all(t.startswith("✓ passed") for t in _lens_titles(lsp, uri))
    assert any(r["method"] == "workspace/codeLens/refresh" for r in lsp.server_requests)

    # A wrong expectation: `loyal` gives -25 for 60 months of tenure (rule loyal, >= 36).
    shutil.copytree(CARDS / "models", tmp_path / "models")
    path = tmp_path / "churn_risk.scorecard"
    wrong = text.replace(
        "recent_buyer = -40, loyal = -25, complainer = 0",
        "recent_buyer = -40, loyal = -20, complainer = 0",
    )
    path.write_text(wrong, encoding="utf-8")
    uri, _ = _open(lsp, path, wrong)
    outcomes = lsp.request(
        "workspace/executeCommand", {"command": "scorecard.runExamples", "arguments": [uri]}
    )
    assert [o["passed"] for o in outcomes] == [False, True, True, True]
    assert outcomes[0]["message"] == "loyal: expected -20.0, got -25.0"
    titles = _lens_titles(lsp, uri)
    assert titles[0].startswith("✗ loyal: expected -20.0, got -25.0")
    # after an edit the outcomes are stale: the lens offers to run again
    lsp.change(uri, wrong + "\n", 2)
    lsp.wait_for("textDocument/publishDiagnostics", uri)
    assert _lens_titles(lsp, uri) == ["▶ run examples"] * 4
