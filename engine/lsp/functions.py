"""What hover and completion say about a function of the language: its signature and its
one-line summary, both from the registry of built-in functions (`engine.functions`)."""

from __future__ import annotations

from engine.functions import FUNCTIONS


def function_markdown(name: str) -> str:
    """The hover text of a function: its signature in a code block, then what it gives."""
    function = FUNCTIONS.get(name)
    if function is None:
        return f"`{name}`: not a function of the language"
    summary = function.summary[:1].upper() + function.summary[1:]
    return f"```scorecard\n{function.signature}\n```\n{summary}."
