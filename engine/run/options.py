"""How a run is asked for: one value passed down instead of the same keywords at every call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeAlias

import polars as pl

from engine.io.reading import Source
from engine.ranking import Top
from engine.run.dedupe import Keep

Data: TypeAlias = pl.DataFrame | pl.LazyFrame | str | Path | Source
"""A table in memory, a data file's path, or a `Source` (a path and how to read it)."""


class Progress(Protocol):
    """What a long run tells whoever shows its progress (the command line's bar)."""

    def phase(self, name: str, total: int | None, unit: str = "rows") -> None:
        """A new step ("reading", "checking", "scoring", "binning", "writing"...), with how
        many `unit`s it will count when known (None: a step shown without a count)."""

    def advance(self, rows: int) -> None:
        """`rows` more units done (called from Polars' threads, once per batch)."""


@dataclass(frozen=True)
class RunOptions:
    """What to compute besides the results, and which rows to keep."""

    keep: tuple[str, ...] = ()
    """Input columns passed through to the output."""
    explain: bool = False
    """A column per let, rule, bins and model."""
    details: bool = False
    """`NAME.fired` and `NAME.bin` for every rule and bins block (reports and examples)."""
    top: Top | None = None
    """Keep the N (or P% of the) best-scored rows, in rank order (score desc, key asc)."""
    select: str | None = None
    """A condition in the card language over the output's columns (`class <= 4`)."""
    dedupe: Keep | None = None
    """Keep the first or the last row of each normalised key instead of refusing duplicate
    keys (E814); the summary tells how many rows were dropped."""
    check_data: bool = True
    """Validate the table against the card's inputs first (off only for example rows)."""
    progress: Progress | None = None
    """Told of each step and of the rows scored, batch by batch."""
    small_table: bool | None = None
    """Whether the table is small enough for any cached model expression (see
    `engine.run.card.Card.prepare`); None: judged from the data (a file's size, a frame's
    height). `explain` says True: it scores only the rows of the keys asked for."""
