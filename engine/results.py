"""The names of a card's results, in one place: what `apply` writes and a card may not declare.

Every card's output holds its key, then `score`, `segment` (when the card has segments),
`class` (when it has classes), `reason_1`..`reason_K` (when it has reasons) and `excluded`.
`points` is the sum of the rules and bins, readable in the card; `NAME.fired` and `NAME.bin`
are the details `explain`, the examples and the reports read (the rule's condition was true,
the text of the bin that matched). The checker reserves these names, both backends write them,
and the run, explain and evaluate stages read them from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from engine.types import ScalarType

SCORE: Final = "score"
SEGMENT: Final = "segment"
CLASS: Final = "class"
EXCLUDED: Final = "excluded"
POINTS: Final = "points"
KEY_WORD: Final = "key"
"""Reserved because `key` marks the key column; the key's own name is the result column."""

REASON_PREFIX: Final = "reason_"
REASON_NAME: Final = re.compile(r"reason_(\d+)$")

RESERVED: Final = frozenset({POINTS, SCORE, SEGMENT, CLASS, EXCLUDED, KEY_WORD})
"""Names a card may not declare (with every `reason_N`)."""

TYPES: Final[dict[str, ScalarType]] = {
    SCORE: ScalarType.FLOAT,
    SEGMENT: ScalarType.STRING,
    CLASS: ScalarType.INT,
    EXCLUDED: ScalarType.STRING,
}
"""The type of each result column but the reasons (text) and the key (the column's own)."""
REASON_TYPE: Final = ScalarType.STRING


def reason(number: int) -> str:
    """The column of the `number`-th reason, counted from 1."""
    return f"{REASON_PREFIX}{number}"


def reason_number(name: str) -> int | None:
    """N for `reason_N`, None for any other name."""
    m = REASON_NAME.match(name)
    return None if m is None else int(m.group(1))


def is_reserved(name: str) -> bool:
    return name in RESERVED or REASON_NAME.match(name) is not None


def fired(rule: str) -> str:
    """The detail column telling whether the rule's condition was true."""
    return f"{rule}.fired"


def bin_matched(bins: str) -> str:
    """The detail column holding the text of the bin that matched (null for none)."""
    return f"{bins}.bin"


def columns(key: str, *, segments: bool, classes: bool, reasons: int) -> list[str]:
    """The result columns, in order: key, score, segment, class, reasons, excluded."""
    out = [key, SCORE]
    if segments:
        out.append(SEGMENT)
    if classes:
        out.append(CLASS)
    out.extend(reason(i) for i in range(1, reasons + 1))
    out.append(EXCLUDED)
    return out


def details(rules: Iterable[str], bins: Iterable[str]) -> list[str]:
    """The detail columns, in order: every rule's `.fired`, every bins' `.bin`, `points`."""
    return [*(fired(r) for r in rules), *(bin_matched(b) for b in bins), POINTS]
