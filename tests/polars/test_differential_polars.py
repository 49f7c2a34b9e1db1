"""Differential test: random cards and tables, Polars backend against a plain-Python evaluator.

The cards are generated as text (tests/strategies.py) and go through the whole pipeline:
parser, checker, Polars compiler, runner. The expected rows come from tests/reference_eval.py,
which reads the generator's own description of the card and shares no code with the engine.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings

import engine
from engine.api import run_to_file
from tests.profiles import examples
from tests.reference_eval import reference_results, row_values
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


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards_with_data())
def test_polars_matches_reference(case: GeneratedCase) -> None:
    card = engine.loads(case.text)
    result = card.apply(case.frame)
    assert_same_rows(case, result.to_dicts())


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards_with_data(max_rows=12))
def test_explain_columns_match_reference(case: GeneratedCase) -> None:
    """Every let and every rule/bins contribution, row by row (also on excluded rows)."""
    card = engine.loads(case.text)
    result = card.apply(case.frame, explain=True).to_dicts()
    names = [n for n, _ in case.spec.lets] + [c.name for c in case.spec.contributions]
    for i, row in enumerate(case.rows):
        env = row_values(case.spec, row)
        for name in names:
            assert same(env[name], result[i][name]), (
                f"row {i} {name}: expected {env[name]!r}, got {result[i][name]!r}\n{case.text}"
            )


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cards_with_data(max_rows=15))
def test_streaming_file_run_matches_reference(case: GeneratedCase, tmp_path_factory: Any) -> None:
    """The streaming path (sink to Parquet) gives the same rows as the reference."""
    folder = tmp_path_factory.mktemp("stream")
    data, out = folder / "in.parquet", folder / "out.parquet"
    case.frame.write_parquet(data)
    run_to_file([engine.loads(case.text)], data, out, streaming=True)
    assert_same_rows(case, pl.read_parquet(out).to_dicts())
