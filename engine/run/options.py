"""How a run is asked for: one value passed down instead of the same keywords at every call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import polars as pl

from engine.ranking import Top
from engine.run.dedupe import Keep

Data: TypeAlias = pl.DataFrame | pl.LazyFrame | str | Path


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
