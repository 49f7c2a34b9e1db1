"""'Did you mean ...?' for unknown names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """` (did you mean `x`?)`-style suffix, or an empty string when nothing is close."""
    pool = list(dict.fromkeys(candidates))
    matches = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        if name.lower() in lowered:
            matches = [lowered[name.lower()]]
    return f": did you mean `{matches[0]}`?" if matches else ""
