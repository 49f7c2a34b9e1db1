"""Number literals outside what the engines hold: `check` refuses them with their position.

An `int` is a signed 64-bit integer in every backend (Polars Int64, SQL BIGINT/INT64), so an
integer literal outside [-2^63, 2^63 - 1] cannot be run anywhere; a float literal that is
infinite once read (`1e400`) has no SQL spelling the language allows. `-9223372036854775808`
is the one literal whose digits alone are out of range: the minus makes it int64's minimum.
The same limits apply to `--param NAME=VALUE` on the command line and to params passed from
Python.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import engine
from engine import ir
from engine.check.source import check_source
from engine.cli import app
from engine.diagnostics import ScorecardError
from engine.types import ScalarType
from tests.syntax.cards import PRELUDE, PRELUDE_LINES

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

# (id, snippet, [(code, line in snippet, column)])
REFUSED: list[tuple[str, str, list[tuple[str, int, int]]]] = [
    ("int-above-max", "let x = age * 9223372036854775808", [("E110", 1, 15)]),
    ("int-far-above", "let x = 99999999999999999999999 + age", [("E110", 1, 9)]),
    ("int-below-min", "let x = age - -9223372036854775809", [("E110", 1, 16)]),
    ("int-plus-sign", "let x = +9223372036854775808", [("E110", 1, 10)]),
    ("int-in-list", "rule r when age in [1, 18446744073709551616] then 1", [("E110", 1, 24)]),
    ("int-bin-bound", "bins b on age {\n  < 9223372036854775808 -> 1\n}", [("E110", 2, 5)]),
    ("int-bin-points", "bins b on age {\n  else -> 9223372036854775808\n}", [("E110", 2, 11)]),
    ("int-param", "param p : int = 9223372036854775808", [("E110", 1, 17)]),
    (
        "int-example",
        'example "e" {\n  given id = "a", age = 9223372036854775808\n}',
        [("E110", 2, 25)],
    ),
    ("int-round-digits", "let x = round(income, 99999999999999999999)", [("E110", 1, 23)]),
    ("float-overflow", "let x = income * 1e400", [("E109", 1, 18)]),
    ("float-overflow-negative", "let x = -1.5e309", [("E109", 1, 10)]),
    ("float-param", "param p : float = -2e308", [("E109", 1, 20)]),
    ("float-bin-bound", "bins b on income {\n  >= 1e999 -> 1\n}", [("E109", 2, 6)]),
    (
        "two-literals",
        "let x = 9223372036854775808\nlet y = 1e400",
        [("E110", 1, 9), ("E109", 2, 9)],
    ),
]


def _card(snippet: str) -> str:
    return PRELUDE + snippet + "\n"


@pytest.mark.parametrize(
    ("snippet", "expected"), [(s, e) for _, s, e in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_refused(snippet: str, expected: list[tuple[str, int, int]]) -> None:
    text = _card(snippet)
    result = check_source(text)
    got = [
        (d.code, d.span.line - PRELUDE_LINES if d.span else 0, d.span.column if d.span else 0)
        for d in result.diagnostics
        if d.is_error
    ]
    assert got == expected, "\n".join(d.render(text) for d in result.diagnostics)
    assert result.program is None


def test_message_names_the_range() -> None:
    result = check_source(_card("let x = age * 9223372036854775808"))
    (diag,) = result.diagnostics
    assert "9223372036854775808" in diag.message
    assert "-9223372036854775808" in diag.message and "9223372036854775807" in diag.message


ACCEPTED = [
    "let x = age + -9223372036854775808",
    "let x = age - 9223372036854775807",
    "rule r when age in [-9223372036854775808, 9223372036854775807] then 1",
    "bins b on age {\n  < -9223372036854775808 -> 1\n  else -> 0\n}",
    "param p : int = -9223372036854775808",
    "let x = income * 1.7976931348623157e308",
    "let x = income * 1e-400",  # underflows to 0.0: a finite value
    'example "e" {\n  given id = "a", age = -9223372036854775808\n}',
]


@pytest.mark.parametrize("snippet", ACCEPTED)
def test_accepted(snippet: str) -> None:
    text = _card(snippet)
    result = check_source(text)
    assert result.ok, "\n".join(d.render(text) for d in result.diagnostics)


def test_minimum_literal_keeps_its_value() -> None:
    result = check_source(
        _card("param p : int = -9223372036854775808\nlet x = -9223372036854775808")
    )
    assert result.program is not None
    assert result.program.params[0].value == INT64_MIN
    let = result.program.definition("x").expr
    assert let == ir.Literal(INT64_MIN, ScalarType.INT)


# ---------------------------------------------------------------- params from outside

PARAM_CARD = """scorecard p { }
input {
  id  : string key
  age : int
}
param k : int = 3
param f : float = 1.5
rule r when age * k < 10 then f
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    card = tmp_path / "p.scorecard"
    card.write_text(PARAM_CARD, encoding="utf-8")
    data = tmp_path / "d.csv"
    pl.DataFrame({"id": ["a", "b"], "age": [3, 4]}).write_csv(data)
    return card, data


@pytest.mark.parametrize(
    ("assignment", "words"),
    [
        ("k=9223372036854775808", "-9223372036854775808 to 9223372036854775807"),
        ("k=-99999999999999999999", "-9223372036854775808 to 9223372036854775807"),
        ("f=1e400", "finite"),
    ],
)
def test_cli_param_out_of_range(files: tuple[Path, Path], assignment: str, words: str) -> None:
    card, data = files
    out = card.parent / "out.csv"
    result = CliRunner().invoke(
        app, ["apply", str(card), str(data), "-o", str(out), "--param", assignment]
    )
    assert result.exit_code == 1, result.output
    assert "E822" in result.output and words in result.output, result.output
    assert "internal error" not in result.output
    assert not out.exists()


def test_cli_param_at_the_limits(files: tuple[Path, Path]) -> None:
    card, data = files
    out = card.parent / "out.csv"
    result = CliRunner().invoke(
        app, ["apply", str(card), str(data), "-o", str(out), "--param", f"k={INT64_MIN}"]
    )
    assert result.exit_code == 0, result.output
    # age * k: 3 * min and 4 * min leave int64's range, so the rule's condition is null
    assert pl.read_csv(out)["score"].to_list() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"k": 2**63}, "-9223372036854775808 to 9223372036854775807"),
        ({"k": "99999999999999999999"}, "-9223372036854775808 to 9223372036854775807"),
        ({"f": 10**400}, "finite"),
        ({"f": float("inf")}, "finite"),
        ({"f": float("nan")}, "finite"),
    ],
)
def test_api_param_out_of_range(
    files: tuple[Path, Path], values: dict[str, object], words: str
) -> None:
    card, data = files
    with pytest.raises(ScorecardError) as caught:
        engine.load(card).apply(pl.read_csv(data), params=values)
    text = " ".join(d.message for d in caught.value.diagnostics)
    assert all(d.code == "E822" for d in caught.value.diagnostics), text
    assert words in text
