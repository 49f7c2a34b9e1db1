"""Every built-in function is declared once (`engine.functions`) and translated once per backend.

A function added to the registry without a Polars or SQL translation, without a case in the
bundled tour card (which the differential tests run on every engine), or without its line in
the language reference fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from engine.backends.polars import expressions as polars_expressions
from engine.backends.sql import expressions as sql_expressions
from engine.functions import FUNCTIONS
from engine.syntax import ast, parse_card

ROOT = Path(__file__).resolve().parents[2]


def test_each_backend_translates_exactly_the_registered_functions() -> None:
    registered = set(FUNCTIONS)
    assert set(polars_expressions._CALLS) == registered
    assert set(sql_expressions._CALLS) == registered


def _called(dumped: object, found: set[str]) -> None:
    """Function names called anywhere in a dumped AST (`ast.without_spans`)."""
    if isinstance(dumped, dict):
        if dumped.get("kind") == "call":
            found.add(dumped["func"])
        dumped = list(dumped.values())
    if isinstance(dumped, list):
        for item in dumped:
            _called(item, found)


def test_the_tour_card_calls_every_function() -> None:
    """scorecards/functions.scorecard runs in the differential tests on every engine."""
    card, diagnostics = parse_card(
        (ROOT / "scorecards" / "functions.scorecard").read_text(encoding="utf-8")
    )
    assert card is not None, diagnostics
    found: set[str] = set()
    _called(ast.without_spans(card), found)
    assert set(FUNCTIONS) <= found, sorted(set(FUNCTIONS) - found)


def test_the_language_reference_documents_every_function() -> None:
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    section = text[text.index("\n## Functions") : text.index("\n## Missing values")]
    documented = set(re.findall(r"^\| `([a-z_0-9]+)\(", section, flags=re.MULTILINE))
    assert documented == set(FUNCTIONS)


def test_signatures_name_the_function_and_fit_the_arity() -> None:
    for name, function in FUNCTIONS.items():
        assert function.signature.startswith(f"{name}("), name
        assert function.accepts(function.min_args)
        assert not function.accepts(function.min_args - 1)
