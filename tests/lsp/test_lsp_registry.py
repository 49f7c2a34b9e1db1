"""What the server says about the language comes from the engine's own registries."""

from __future__ import annotations

from engine.check.expressions import FUNCTION_SIGNATURES
from engine.ir import FUNCTIONS
from engine.lsp.functions import FUNCTION_DOCS
from engine.syntax.grammar import grammar_path, keyword_terminals


def test_every_function_has_its_doc_and_signature() -> None:
    assert set(FUNCTION_DOCS) == set(FUNCTIONS) == set(FUNCTION_SIGNATURES)
    assert all(doc.strip() for doc in FUNCTION_DOCS.values())


def test_the_keywords_are_the_grammar_files_quoted_words() -> None:
    import re

    text = grammar_path().read_text(encoding="utf-8")
    declared = dict(re.findall(r'^(\w+): "([a-z_0-9]+)"$', text, re.M))
    assert keyword_terminals() == declared
