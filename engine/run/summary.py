"""The run's summary: rows read, scored, excluded, per segment, without a bin; one query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from engine.backends.polars import runner
from engine.run.card import Card


@dataclass(frozen=True)
class Summary:
    """What a run did, printed on stderr by `scorecard apply`."""

    card: str
    rows: int
    scored: int
    excluded: dict[str, int]
    null_scores: int
    segments: dict[str, int]
    no_bin: dict[str, int]
    """Rows (not excluded) that matched no bin, per bins block without `else`."""
    seconds: float = 0.0
    deduplicated: int = 0
    """Rows dropped by `--dedupe` (a repeated normalised key) before scoring."""


def summary_query(lf: pl.LazyFrame, cards: Sequence[Card], layout: runner.Layout) -> pl.LazyFrame:
    """One aggregation over the (lazy) result that gives every figure of the summaries."""
    aggs: list[pl.Expr] = [pl.len().alias("rows")]
    for i, (card, cl) in enumerate(zip(cards, layout.cards, strict=True)):
        p = card.program
        score, excluded = pl.col(cl.score), pl.col(cl.excluded)
        aggs.append(score.is_not_null().sum().alias(f"{i}:scored"))
        aggs.append((score.is_null() & excluded.is_null()).sum().alias(f"{i}:null"))
        for x in dict.fromkeys(x.label for x in p.excludes):
            aggs.append((excluded == x).sum().alias(f"{i}:x:{x}"))
        if cl.segment is not None:
            for s in dict.fromkeys(s.name for s in p.segments):
                aggs.append((pl.col(cl.segment) == s).sum().alias(f"{i}:s:{s}"))
            aggs.append((pl.col(cl.segment).is_null() & excluded.is_null()).sum().alias(f"{i}:s:"))
        for b, hidden in cl.no_bin.items():
            aggs.append(pl.col(hidden).sum().alias(f"{i}:b:{b}"))
    return lf.select(aggs)


def read_summaries(
    row: Mapping[str, Any], cards: Sequence[Card], seconds: float, deduplicated: int = 0
) -> list[Summary]:
    out = []
    for i, card in enumerate(cards):

        def pick(prefix: str) -> dict[str, int]:
            return {k[len(prefix) :]: int(v) for k, v in row.items() if k.startswith(prefix)}

        segments = pick(f"{i}:s:")
        if "" in segments:
            segments["(none)"] = segments.pop("")
        out.append(
            Summary(
                card.name,
                int(row["rows"]),
                int(row[f"{i}:scored"]),
                pick(f"{i}:x:"),
                int(row[f"{i}:null"]),
                segments,
                pick(f"{i}:b:"),
                seconds,
                deduplicated,
            )
        )
    return out
