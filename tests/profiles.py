"""Hypothesis example counts that follow the chosen profile.

Two profiles: `ci` (the default; every property test runs the count written beside it) and
`dev` (a tenth of it, at least 3), for the fast loop: `pytest -m "not slow"
--hypothesis-profile dev`. A test writes `max_examples=examples(150)` so that the count in
the file stays what CI runs.
"""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("ci", max_examples=100)
settings.register_profile("dev", max_examples=10)

_FULL = 100


def examples(count: int) -> int:
    """`count` under the `ci` profile; scaled down with the loaded profile's example budget."""
    budget = settings.default.max_examples
    return count if budget >= _FULL else max(3, count * budget // _FULL)
