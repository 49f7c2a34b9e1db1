"""Strings and quoted names are read by unrolled patterns (bounded memory on a 50 MB label);
they must match exactly what the plain patterns of the language reference match."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.syntax.lexer import _TOKEN
from tests.profiles import examples

PLAIN = re.compile(r"""(?P<STRING>"(?:[^"\\\n]|\\.)*")|(?P<QUOTED_NAME>`(?:[^`\n]|``)+`)""")
"""The readable forms: a string is quote, (plain character | backslash + any)*, quote; a
quoted name is backtick, (plain character | doubled backtick)+, backtick."""


@settings(max_examples=examples(2000), deadline=None)
@given(st.sampled_from('"`'), st.text(alphabet='ab"\\`\n x', max_size=14))
def test_unrolled_patterns_match_the_plain_ones(opening: str, rest: str) -> None:
    text = opening + rest
    plain = PLAIN.match(text)
    unrolled = _TOKEN.match(text)
    want = (plain.lastgroup, plain.group()) if plain else None
    got = (
        (unrolled.lastgroup, unrolled.group())
        if unrolled and unrolled.lastgroup in ("STRING", "QUOTED_NAME")
        else None
    )
    assert got == want
