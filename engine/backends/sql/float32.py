"""Float32 comparisons for engines without a 32-bit float (BigQuery, Snowflake).

scikit-learn's trees compare `float32(x) <= t` with a float64 threshold `t`. Without a 32-bit
type the comparison is rewritten on the float64 `x` itself: rounding to float32 is monotone, so
`float32(x) <= t` holds exactly when `x` is below the midpoint `m` between `lo` (the largest
float32 <= t) and the next float32 above it; at `x == m` the tie rounds to the even neighbour,
so the test is `x <= m` when `lo` is even and `x < m` when it is odd. Every midpoint needs one
bit more than a float32 has, so it is exact in float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.ir import CompareOp

_F32_MAX = float(np.finfo(np.float32).max)
_OVERFLOW = 2.0**128
"""Where round-to-nearest carries past the largest float32 (its would-be upper neighbour)."""


@dataclass(frozen=True, slots=True)
class Bound:
    """`x < value` (strict) or `x <= value`: what `float32(x) <= c` means on the float64 x."""

    value: float
    strict: bool


def _f32_at_or_below(t: float) -> float | None:
    """The largest float32 <= t (None below every finite float32: then nothing is <= t)."""
    if t >= _F32_MAX:
        return _F32_MAX
    if t < -_F32_MAX:
        return None
    lo = float(np.float32(t))
    if lo > t:
        lo = float(np.nextafter(np.float32(lo), np.float32(-np.inf)))
    return lo


def _is_even(f: float) -> bool:
    return int(np.float32(f).view(np.uint32)) % 2 == 0


def at_most(t: float) -> Bound | None:
    """The bound on float64 x equivalent to `float32(x) <= t`; None when it is never true."""
    lo = _f32_at_or_below(t)
    if lo is None:
        return None
    if t == float("inf"):
        return Bound(t, strict=False)
    up = float(np.nextafter(np.float32(lo), np.float32(np.inf)))
    hi = _OVERFLOW if lo == _F32_MAX else up
    mid = lo + (hi - lo) / 2
    # At x == mid the tie goes to the even neighbour: lo when lo is even.
    return Bound(mid, strict=not _is_even(lo))


def below(t: float) -> Bound | None:
    """The bound on float64 x equivalent to `float32(x) < t`."""
    lo = _f32_at_or_below(t)
    if lo is None:
        return None
    if lo == t:  # t is itself a float32: `< t` is `<=` the float32 just below it
        below_t = float(np.nextafter(np.float32(t), np.float32(-np.inf)))
        if np.isinf(below_t):
            return None
        return at_most(below_t)
    return at_most(t)


def rewrite(op: CompareOp, t: float) -> list[tuple[str, float]] | bool:
    """`float32(x) OP t` as a conjunction of float64 tests on x, or a constant truth value.

    Each test is `(sql_operator, bound)`; the caller joins them with AND (the `!=` case with
    OR, see `negated`). A null x stays null in each test, as in the original comparison.
    """
    match op:
        case "<=":
            return _as_tests(at_most(t), negate=False)
        case "<":
            return _as_tests(below(t), negate=False)
        case ">":
            return _as_tests(at_most(t), negate=True)
        case ">=":
            return _as_tests(below(t), negate=True)
        case "=" | "!=":
            raise ValueError("use equal() for = and !=")
    raise ValueError(f"unknown comparison operator {op!r}")


def _as_tests(bound: Bound | None, *, negate: bool) -> list[tuple[str, float]] | bool:
    if bound is None:  # `float32(x) <= t` is never true
        return negate
    if negate:
        return [(">=" if bound.strict else ">", bound.value)]
    return [("<" if bound.strict else "<=", bound.value)]


def equal(t: float) -> list[tuple[str, float]] | bool:
    """`float32(x) = t` as float64 tests on x (False when t is no float32)."""
    if float(np.float32(t)) != t or abs(t) > _F32_MAX:
        return False
    upper = at_most(t)
    lower = below(t)
    tests: list[tuple[str, float]] = []
    if upper is not None:
        tests.append(("<" if upper.strict else "<=", upper.value))
    if lower is not None:
        tests.append((">=" if lower.strict else ">", lower.value))
    return tests
