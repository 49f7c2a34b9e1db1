"""Fixed score bands (`--bands 300,350,400`): the ranges a credit team reports on, the same for
every table and every month, where classes and deciles move with the population.

Cuts c1 < c2 < ... < ck give k + 1 bands, closed on the left like the card's bins:
`(-inf, c1)`, `[c1, c2)`, ..., `[ck, +inf)`. Band 1 is the highest (`[ck, +inf)`), as class 1
holds the highest scores, so the tables by band read like the tables by class.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from engine.diagnostics import ScorecardError, error
from engine.evaluate.rows import FloatArray, IntArray


def _fail(message: str) -> ScorecardError:
    return ScorecardError(
        [
            error(
                "E1009", f"--bands: {message}", None, "give increasing numbers: --bands 300,350,400"
            )
        ]
    )


def parse(text: str) -> list[float]:
    """`"300, 350,400"` → [300.0, 350.0, 400.0]; anything else is E1009 naming the bad cut."""
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(p == "" for p in parts):
        raise _fail(f"{text!r} has an empty cut")
    cuts = []
    for part in parts:
        try:
            cuts.append(float(part))
        except ValueError:
            raise _fail(f"{part!r} is not a number") from None
    return check(cuts)


def check(cuts: Sequence[float]) -> list[float]:
    """The cuts as floats, refused (E1009) unless finite and strictly increasing."""
    out = [float(c) for c in cuts]
    if not out:
        raise _fail("no cut given")
    for c in out:
        if not math.isfinite(c):
            raise _fail(f"{c} is not a finite number (the outer bands are open already)")
    for a, b in itertools.pairwise(out):
        if b <= a:
            what = "repeated" if a == b else "not increasing"
            raise _fail(f"{_fmt(a)} then {_fmt(b)}: cuts {what}")
    return out


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def band_of(score: FloatArray, cuts: Sequence[float]) -> IntArray:
    """1-based band of each score, 1 the highest: 1 + the number of cuts strictly above it."""
    ascending = np.asarray(cuts, dtype=np.float64)
    band: IntArray = 1 + len(cuts) - np.searchsorted(ascending, score, side="right")
    return band


def labels(cuts: Sequence[float]) -> list[str]:
    """The label of bands 1..k+1 (highest first): `[400, +inf)`, `[350, 400)`, `(-inf, 300)`."""
    edges = ["-inf", *(_fmt(c) for c in cuts), "+inf"]
    out = []
    for i in range(len(cuts), -1, -1):
        left = "(" if i == 0 else "["
        out.append(f"{left}{edges[i]}, {edges[i + 1]})")
    return out
