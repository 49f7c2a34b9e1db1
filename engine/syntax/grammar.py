"""The grammar file and the Lark parsers built from it (cached: Lark's own cache and ours).

The one LALR(1) grammar lives in `grammar/scorecard.lark` in a source tree and ships in the
wheel as `engine/_grammar/scorecard.lark`. Both the AST-building parser (`syntax.parser`) and
the plain-tree parser that names common mistakes (`syntax.messages`) come from here.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path

from lark import Lark

from engine.syntax.lexer import CardLexer


def grammar_path() -> Path:
    """The grammar shipped in the wheel, or the repository's `grammar/` in a source tree."""
    packaged = resources.files("engine").joinpath("_grammar/scorecard.lark")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "grammar" / "scorecard.lark"


@functools.cache
def lark_parser() -> Lark:
    """The same grammar building a plain Lark tree (for `match_examples` and debugging)."""
    return load_grammar(None)


def load_grammar(transformer: object | None, start: str = "start") -> Lark:
    """A parser of the grammar from rule `start` (a whole card, or one `expr`); with
    `transformer`, Lark calls it as it reduces each rule."""
    return Lark.open(
        str(grammar_path()),
        parser="lalr",
        lexer=CardLexer,
        keep_all_tokens=True,
        transformer=transformer,
        strict=True,
        cache=True,
        maybe_placeholders=True,
        start=start,
    )


@functools.cache
def keyword_terminals() -> dict[str, str]:
    """Every keyword of the grammar, as terminal name -> the word it spells (`_RULE` ->
    `rule`): the words editors highlight and complete, read from the one grammar file."""
    from lark.lexer import PatternStr

    words: dict[str, str] = {}
    for term in lark_parser().terminals:
        pattern = term.pattern
        if isinstance(pattern, PatternStr) and re.fullmatch(r"[^\W\d]\w*", pattern.value):
            words[term.name] = pattern.value
    return words
