"""Generated cards print and parse back to the same tree; `fmt` is idempotent."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from engine.syntax import ast, parse_card
from engine.syntax.printer import format_card
from tests.profiles import examples
from tests.syntax.strategies import cards


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards())
def test_print_then_parse_gives_the_same_tree(card: ast.Card) -> None:
    text = format_card(card)
    parsed, diagnostics = parse_card(text)
    assert parsed is not None, text + "\n" + "\n".join(d.render(text) for d in diagnostics)
    assert ast.without_spans(parsed) == ast.without_spans(card), text
    # Printing the parsed card again changes nothing: the layout is a fixed point.
    assert format_card(parsed, text) == text
