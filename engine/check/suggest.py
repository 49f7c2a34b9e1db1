"""'Did you mean ...?' for an unknown name: the one rule every stage uses to pick the name.

A name is suggested when `difflib` finds it close (ratio >= 0.6), or, failing that, when it
differs only in case. Cards, `--param` names and the columns of a data table all use it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate `name` was most likely meant to be, or None when nothing is close."""
    pool = list(dict.fromkeys(candidates))
    matches = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = {c.lower(): c for c in pool}
    return lowered.get(name.lower())


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`: did you mean `x`?`, the suffix of a card's message, or "" when nothing is close."""
    match = closest(name, candidates)
    return f": did you mean `{match}`?" if match is not None else ""
