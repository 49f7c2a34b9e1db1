"""The columns each step of the statement passes on: only those a later step or the result reads.

Each step adds its columns to its source's. Written `SELECT *, ...`, every step would carry
every column computed so far (the inputs, each helper column, every rule) to the end of the
chain, and PostgreSQL forms each step's whole row: about 150 columns at each of about 20
steps of the reference card. Listing the carried columns instead, the statement takes 0.8x
the time in PostgreSQL (docs/performance.md). DuckDB prunes unread columns itself: there
the list changes nothing.

A column is read by a step when its quoted name occurs in the step's SQL text. Quoted names
end with their closing quote, so a name never matches inside another; text that merely
contains a quoted name (a label) keeps a column that is not needed, never drops one that is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engine.backends.sql.sqltext import Sql


@dataclass(frozen=True)
class Computed:
    """What `prune` needs of a step: the names of the columns it adds, and its SQL text."""

    names: tuple[Sql, ...]
    text: str


_QUOTES = '"`'


def reads(text: str, available: Iterable[Sql]) -> set[Sql]:
    """The names of `available` that occur in the step's SQL text.

    A name quoted as `"abc"` with no quote inside occurs exactly when `abc` is one of the
    pieces of the text split at `"`: one split per step instead of one search of the whole
    text per name (a 2,000-rule card has 2,000 names to look for)."""
    pieces: dict[str, set[str]] = {}
    found: set[Sql] = set()
    for name in available:
        quote, inner = name[:1], name[1:-1]
        if len(name) > 2 and quote in _QUOTES and name[-1] == quote and quote not in inner:
            if quote not in pieces:
                pieces[quote] = set(text.split(quote))
            if inner in pieces[quote]:
                found.add(name)
        elif name in text:  # unquoted (Snowflake's upper case) or holding its quote
            found.add(name)
    return found


def prune(
    steps: Sequence[Computed], first: Sequence[Sql], tail: Iterable[Sql]
) -> list[tuple[Sql, ...]]:
    """Per step of `steps` (each reading the one before; the first reads columns `first`),
    the columns it passes on: those a later step or the rest of the statement (`tail`: the
    names it reads) needs, in the order they were computed."""
    available: list[list[Sql]] = []
    known = list(first)
    for step in steps:
        available.append(list(known))
        known += step.names
    needed = set(tail)
    out: list[tuple[Sql, ...]] = []
    for step, before in zip(reversed(steps), reversed(available), strict=True):
        defined = set(step.names)
        out.append(tuple(name for name in before if name in needed and name not in defined))
        needed = (needed - defined) | reads(step.text, before)
    return out[::-1]
