"""What the server says about the language comes from the engine's own registries."""

from __future__ import annotations

import re

from engine.functions import FUNCTIONS
from engine.lsp.functions import function_markdown
from engine.syntax.grammar import grammar_path, keyword_terminals


def test_every_function_shows_its_signature_and_summary() -> None:
    for name, function in FUNCTIONS.items():
        text = function_markdown(name)
        assert function.signature in text and function.summary[1:] in text, name


def test_the_keywords_are_the_grammar_files_quoted_words() -> None:
    text = grammar_path().read_text(encoding="utf-8")
    declared = dict(re.findall(r'^(\w+): "([a-z_0-9]+)"$', text, re.M))
    assert keyword_terminals() == declared
