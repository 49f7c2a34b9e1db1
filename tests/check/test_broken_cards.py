"""Broken cards: each must give exactly these diagnostics (code, line, column).

Snippets are appended to a valid prelude (tests/syntax/cards.py); their lines are
given relative to the snippet, the column as the user sees it.
"""

from __future__ import annotations

import pytest

from engine.check.source import check_source
from tests.syntax.cards import PRELUDE, PRELUDE_LINES

# (id, snippet, [(code, line in snippet, column), ...]); the header/input may be replaced by
# starting the snippet with "!" (then the snippet is the whole card and lines are absolute).
CASES: list[tuple[str, str, list[tuple[str, int, int]]]] = [
    # ---- syntax
    ("missing-then", "rule r when age > 30 5", [("E100", 1, 22)]),
    ("missing-when", "rule r age > 30 then 5", [("E100", 1, 8)]),
    ("double-equals", "rule r when age == 30 then 5", [("E102", 1, 18)]),
    ("and-ampersand", "rule r when vip && age > 3 then 1", [("E104", 1, 17)]),
    ("single-quote", "let c = city = 'Paris'", [("E104", 1, 16)]),
    ("unclosed-string", 'exclude "oops when vip', [("E103", 1, 9)]),
    ("if-without-else", "let x = if vip then 1\nrule r when vip then 2", [("E100", 2, 1)]),
    ("bins-missing-arrow", "bins b on age {\n  < 30 10\n}", [("E100", 2, 8)]),
    ("bins-bad-entry", "bins b on age {\n  between 1 and 2 -> 3\n}", [("E100", 2, 3)]),
    ("bins-unclosed", "bins b on age {\n  < 30 -> 10\n", [("E101", 2, 11)]),
    (
        "unknown-type",
        "!scorecard t {}\ninput {\n  id : string key\n  age : integer\n}",
        [("E100", 4, 9)],
    ),
    ("missing-colon", "!scorecard t {}\ninput {\n  id string key\n}", [("E100", 3, 6)]),
    ("statement-without-keyword", "age_score = 5", [("E100", 1, 1)]),
    ("keyword-glued", "letter = 5", [("E100", 1, 1)]),
    ("segment-no-when", 'segment "a" score > 3', [("E100", 1, 13)]),
    ("exclude-no-when", 'exclude "x" vip', [("E100", 1, 13)]),
    (
        "two-syntax-errors",
        "rule a when age > 1 5\nrule b when age == 2 then 3",
        [("E100", 1, 21), ("E102", 2, 18)],
    ),
    ("let-colon", "let x : 5", [("E102", 1, 7)]),
    ("bad-date", "let d = days_between(joined, 2026-02-30)", [("E106", 1, 30)]),
    ("bad-escape", 'exclude "a\\q" when vip', [("E105", 1, 11)]),
    ("keyword-as-name", "rule r when vip and then 2", [("E100", 1, 21)]),
    ("model-bad-item", 'model m = sklearn "x.skops" {\n  inputs [age]\n}', [("E100", 2, 3)]),
    ("if-needs-parentheses", "let x = 1 + if vip then 10 else 0", [("E100", 1, 13)]),
    ("comparison-chain", "rule r when 1 < age < 3 then 1", [("E100", 1, 21)]),
    ("nested-too-deep", "let x = " + "-" * 300 + "age", [("E107", 1, 1)]),
    ("chain-too-long", "let x = " + " + ".join(["age"] * 300), [("E107", 1, 1)]),
    # ---- names
    ("unknown-name", "rule r when agee > 30 then 5", [("E200", 1, 13)]),
    ("unknown-in-let", "let x = incme * 2", [("E200", 1, 9)]),
    ("duplicate-rule", "rule r when vip then 1\nrule r when vip then 2", [("E201", 2, 6)]),
    ("let-shadows-input", "let age = 3", [("E201", 1, 5)]),
    ("let-cycle", "let a = b + 1\nlet b = a + 1", [("E202", 2, 9)]),
    ("self-cycle", "let a = a + 1", [("E202", 1, 9)]),
    ("reserved-name", "let score2 = 1\nlet points = 2", [("E203", 2, 5)]),
    ("reserved-reason", "rule reason_1 when vip then 1", [("E203", 1, 6)]),
    ("score-outside-segment", "rule r when score > 3 then 1", [("E204", 1, 13)]),
    ("unknown-function", "let x = lenght(city)", [("E205", 1, 9)]),
    ("wrong-arity", "let x = clip(age, 1)", [("E206", 1, 9)]),
    ("bins-on-rule", "rule r when vip then 1\nbins b on r {\n  else -> 1\n}", [("E207", 2, 11)]),
    ("points-cycle", "let p2 = points * 2\nrule r when p2 > 3 then 1", [("E202", 2, 13)]),
    # ---- types
    ("string-plus-number", "let x = city + 1", [("E300", 1, 9)]),
    ("string-ordering", 'rule r when city < "M" then 1', [("E301", 1, 13)]),
    ("mixed-in-list", 'rule r when city in ["a", 1] then 1', [("E302", 1, 27)]),
    ("condition-not-bool", "rule r when age then 1", [("E303", 1, 13)]),
    ("points-not-number", 'rule r when vip then "ten"', [("E304", 1, 22)]),
    ("score-not-number", "score = vip", [("E304", 1, 9)]),
    ("param-type", "param p : int = 2026-01-01", [("E305", 1, 17)]),
    ("round-digits", "let x = round(income, age)", [("E306", 1, 23)]),
    ("not-on-number", "rule r when not age then 1", [("E300", 1, 17)]),
    ("if-branch-types", 'let x = if vip then 1 else "a"', [("E300", 1, 9)]),
    ("date-vs-number", "rule r when joined > 3 then 1", [("E300", 1, 13)]),
    # ---- structure
    ("no-header", "!input {\n  id : string key\n}", [("E400", 1, 1)]),
    ("two-headers", "scorecard u {}", [("E401", 1, 1)]),
    ("no-key", "!scorecard t {}\ninput {\n  id : string\n}", [("E402", 2, 1)]),
    (
        "two-keys",
        "!scorecard t {}\ninput {\n  id : string key\n  id2 : int key\n}",
        [("E402", 4, 3)],
    ),
    ("sensitive-in-rule", 'rule r when gender = "F" then 1', [("E403", 1, 13)]),
    ("sensitive-in-bins", "bins b on gender {\n  else -> 1\n}", [("E403", 1, 11)]),
    ("sensitive-in-let", "let g = lower(gender)", [("E403", 1, 15)]),
    ("sensitive-in-segment", 'segment "f" when gender = "F"', [("E403", 1, 18)]),
    (
        "segment-after-otherwise",
        'segment "a" otherwise\nsegment "b" when score > 1',
        [("E404", 2, 1)],
    ),
    ("no-input", "!scorecard t {}", [("E405", 1, 1)]),
    ("classes-zero", "classes 0", [("E406", 1, 1)]),
    ("two-scores", "score = 1\nscore = 2", [("E401", 2, 1)]),
    # ---- bins
    ("bins-value-type", 'bins b on age {\n  = "x" -> 1\n  else -> 0\n}', [("E503", 2, 5)]),
    ("bins-string-order", "bins b on city {\n  < 3 -> 1\n}", [("E503", 2, 5)]),
    # ---- models
    (
        "model-missing-file",
        'model m = sklearn "nope.skops" {\n  features [age]\n  output probability\n}',
        [("E600", 1, 19)],
    ),
    (
        "model-bad-sha",
        'model m = sklearn "nope.skops" {\n  features [age]\n  output probability\n  sha256 "abc"\n}',
        [("E600", 1, 19), ("E601", 4, 10)],
    ),
    (
        "model-no-features",
        'model m = sklearn "nope.skops" {\n  output probability\n}',
        [("E603", 1, 1), ("E600", 1, 19)],
    ),
    (
        "model-sensitive-feature",
        'model m = sklearn "nope.skops" {\n  features [gender]\n  output prediction\n}',
        [("E600", 1, 19), ("E403", 2, 13)],
    ),
    # ---- examples
    ("example-unknown-column", 'example "e" {\n  given agee = 3\n}', [("E700", 2, 9)]),
    ("example-type", 'example "e" {\n  given age = "old"\n}', [("E701", 2, 15)]),
    (
        "example-unknown-expect",
        'rule r when vip then 1\nexample "e" {\n  given vip = true\n  expect rr = 1\n}',
        [("E700", 4, 10)],
    ),
    ("example-duplicate", 'example "e" {\n  given age = 1, age = 2\n}', [("E702", 3 - 1, 18)]),
]


def _card(snippet: str) -> tuple[str, int]:
    if snippet.startswith("!"):
        return snippet[1:], 0
    return PRELUDE + snippet + "\n", PRELUDE_LINES


@pytest.mark.parametrize(
    ("snippet", "expected"), [(s, e) for _, s, e in CASES], ids=[c[0] for c in CASES]
)
def test_broken_card(snippet: str, expected: list[tuple[str, int, int]]) -> None:
    text, offset = _card(snippet)
    result = check_source(text)
    errors = [d for d in result.diagnostics if d.is_error]
    got = [
        (d.code, d.span.line - offset if d.span else 0, d.span.column if d.span else 0)
        for d in errors
    ]
    assert got == expected, "\n".join(d.render(text) for d in result.diagnostics)
    assert result.program is None


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
    assert len({c[0] for c in CASES}) == len(CASES)


WARNING_CASES: list[tuple[str, str, list[tuple[str, int, int]]]] = [
    ("bins-gap", "bins b on age {\n  < 25 -> 1\n  >= 30 -> 2\n}", [("W500", 1, 6)]),
    (
        "bins-overlap",
        "bins b on age {\n  < 30 -> 1\n  [25, 40) -> 2\n  >= 40 -> 3\n}",
        [("W501", 3, 3)],
    ),
    (
        "bins-special-before-range",
        "bins b on age {\n  = -999 -> 1\n  in [-1, -2] -> 2\n  < 30 -> 3\n  >= 30 -> 4\n}",
        [],
    ),
    ("bins-point-overlap", "bins b on age {\n  = 5 -> 1\n  in [5, 6] -> 2\n  else -> 0\n}", []),
    (
        "bins-point-overlaps-point",
        "bins b on age {\n  = 5 -> 1\n  in [5, 6] -> 2\n  < 0 -> 3\n  >= 0 -> 4\n}",
        [("W501", 3, 3)],
    ),
    (
        "bins-point-overlaps-range",
        "bins b on age {\n  < 10 -> 1\n  in [5, 20] -> 2\n  >= 10 -> 3\n}",
        [("W501", 3, 3)],
    ),
    ("bins-dead", "bins b on age {\n  < 30 -> 1\n  < 20 -> 2\n  else -> 0\n}", [("W502", 3, 3)]),
    ("bins-after-else", "bins b on age {\n  else -> 0\n  < 20 -> 2\n}", [("W502", 3, 3)]),
    ("bins-empty-interval", "bins b on income {\n  [5, 5) -> 1\n  else -> 0\n}", [("W502", 2, 3)]),
    ("bins-int-no-gap", "bins b on age {\n  <= 24 -> 1\n  >= 25 -> 2\n}", []),
    ("bins-float-gap", "bins b on income {\n  <= 24 -> 1\n  >= 25 -> 2\n}", [("W500", 1, 6)]),
    (
        "bins-string-dead",
        'bins b on city {\n  in ["a", "b"] -> 1\n  = "a" -> 2\n}',
        [("W502", 3, 3)],
    ),
    ("reasons-too-many", "rule r when vip then 1\nreasons 3", [("W407", 2, 1)]),
]


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [(s, e) for _, s, e in WARNING_CASES],
    ids=[c[0] for c in WARNING_CASES],
)
def test_warnings(snippet: str, expected: list[tuple[str, int, int]]) -> None:
    text, offset = _card(snippet)
    result = check_source(text)
    got = [
        (d.code, d.span.line - offset if d.span else 0, d.span.column if d.span else 0)
        for d in result.diagnostics
    ]
    assert got == expected, "\n".join(d.render(text) for d in result.diagnostics)
    assert result.program is not None
