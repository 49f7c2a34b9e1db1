"""Differential test: random cards and tables, Polars backend against a plain-Python evaluator.

The cards are generated as text (tests/strategies.py) and go through the whole pipeline:
parser, checker, Polars compiler, runner. The expected rows come from tests/reference_eval.py,
which reads the generator's own description of the card and shares no code with the engine.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, given, settings

import engine
from tests.reference_eval import reference_results
from tests.strategies import GeneratedCase, cards_with_data


def same(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, float) or isinstance(actual, float):
        return math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-12)
    return bool(expected == actual)


def assert_same_rows(case: GeneratedCase, actual: list[dict[str, Any]]) -> None:
    expected = reference_results(case.spec, case.rows)
    assert len(actual) == len(expected)
    for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
        assert list(got) == list(want), f"row {i}: columns differ"
        for col, value in want.items():
            assert same(value, got[col]), (
                f"row {i} ({case.spec.key}={want[case.spec.key]!r}) column {col!r}: "
                f"expected {value!r}, got {got[col]!r}\n{case.text}"
            )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards_with_data())
def test_polars_matches_reference(case: GeneratedCase) -> None:
    card = engine.loads(case.text)
    result = card.apply(case.frame)
    assert_same_rows(case, result.to_dicts())
