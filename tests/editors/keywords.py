"""The words of the language, read from the grammar file itself (not from the engine), for
checking the editors' syntax files against it."""

from __future__ import annotations

import re
from pathlib import Path

from engine import results
from engine.functions import FUNCTIONS

ROOT = Path(__file__).resolve().parents[2]


def grammar_keywords() -> set[str]:
    """Every word a terminal of grammar/*.lark spells (`_RULE: "rule"` -> `rule`)."""
    words: set[str] = set()
    for path in sorted((ROOT / "grammar").glob("*.lark")):
        text = path.read_text(encoding="utf-8")
        words |= set(re.findall(r'^\w+(?:\.\d+)?: "([^\W\d]\w*)"$', text, re.M))
    return words


RESULT_WORDS = set(results.RESERVED) - {results.KEY_WORD}
"""The results a card reads or expects, highlighted as such (`key` is a modifier keyword)."""

FUNCTION_WORDS = set(FUNCTIONS)
