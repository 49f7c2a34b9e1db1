"""Has the population moved? Population stability of the score, of each bins block and of each rule.

PSI = Σ over bins (current share − baseline share) × ln(current share / baseline share).
A share of 0 (a bin no current row falls into, or a bins entry never matched) would make the
term infinite, so it is replaced by `EMPTY_SHARE` (0.0001) in both the difference and the
logarithm, and the bin is marked empty. Rows without a score are left out of the score's PSI
and reported as their own share in each table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from engine.evaluate import bands
from engine.evaluate.metrics import ntile
from engine.evaluate.rows import FloatArray, IntArray, ReportError, ScoredRows

EMPTY_SHARE = 1e-4
SHIFT = 0.1
MAJOR_SHIFT = 0.25

Flag = Literal["stable", "shift", "major shift"]


def flag(psi: float) -> Flag:
    """PSI >= 0.25 is a major shift, >= 0.1 a shift, below that the population is stable."""
    if psi >= MAJOR_SHIFT:
        return "major shift"
    if psi >= SHIFT:
        return "shift"
    return "stable"


def psi_term(base_share: float, cur_share: float) -> float:
    b = base_share if base_share > 0 else EMPTY_SHARE
    c = cur_share if cur_share > 0 else EMPTY_SHARE
    return (c - b) * math.log(c / b)


@dataclass(frozen=True)
class PsiBin:
    """One bin of a PSI table: a score range, a bins entry, or fired / not fired."""

    label: str
    base_rows: int
    base_share: float
    cur_rows: int
    cur_share: float
    psi: float
    empty: bool


@dataclass(frozen=True)
class ScorePsi:
    cuts: list[float]
    """Bin 1 is score >= cuts[0], bin k is cuts[k-1] <= score < cuts[k-2], the last is below."""
    bins: list[PsiBin]
    psi: float
    flag: Flag
    base_unscored: int
    cur_unscored: int
    banded: bool = False
    """True when the bins are fixed score bands (`--bands`), not the baseline's classes."""


def _table(labels: list[str], base: list[int], cur: list[int]) -> tuple[list[PsiBin], float]:
    nb, nc = sum(base), sum(cur)
    out = []
    for label, b, c in zip(labels, base, cur, strict=True):
        bs = b / nb if nb else 0.0
        cs = c / nc if nc else 0.0
        out.append(PsiBin(label, b, bs, c, cs, psi_term(bs, cs), b == 0 or c == 0))
    return out, sum(x.psi for x in out)


def score_cuts(base_score: FloatArray, tiebreak: IntArray, n: int) -> list[float]:
    """The lowest baseline score of each of the baseline's classes 1..n−1 (highest first).

    Repeated cuts (ties across a class boundary) and a cut equal to the lowest baseline score
    are dropped, so every bin holds baseline rows and only the current table can have empty bins.
    """
    cls = ntile(base_score, tiebreak, n)
    lowest = float(base_score.min())
    cuts: list[float] = []
    for c in range(1, n):
        sel = cls == c
        if not sel.any():
            continue
        cut = float(base_score[sel].min())
        if cut > lowest and (not cuts or cut < cuts[-1]):
            cuts.append(cut)
    return cuts


def assign_bins(score: FloatArray, cuts: list[float]) -> np.ndarray:
    """1-based bin of each score: 1 + the number of cuts strictly above it."""
    ascending = np.asarray(sorted(cuts), dtype=np.float64)
    return 1 + len(cuts) - np.searchsorted(ascending, score, side="right")


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def score_psi(
    base: ScoredRows, cur: ScoredRows, n: int, band_cuts: Sequence[float] | None = None
) -> ScorePsi:
    """PSI of the score over bins cut at the baseline's classes (the card's N, or deciles),
    or over fixed score bands (`band_cuts`, engine.evaluate.bands), where the baseline too may
    leave a band empty."""
    b_ok, c_ok = base.has_score, cur.has_score
    bs, cs = base.score[b_ok], cur.score[c_ok]
    if bs.size == 0:
        raise ReportError("the baseline table has no scored rows: there is nothing to compare with")
    if cs.size == 0:
        raise ReportError("the current table has no scored rows: there is nothing to compare")
    if band_cuts is not None:
        cuts = sorted(band_cuts, reverse=True)
        labels = bands.labels(band_cuts)
    else:
        cuts = score_cuts(bs, base.tiebreak()[b_ok], n)
        labels = _bin_labels(cuts)
    nbins = len(cuts) + 1
    b_bin, c_bin = assign_bins(bs, cuts), assign_bins(cs, cuts)
    bins, total = _table(
        labels,
        [int((b_bin == k).sum()) for k in range(1, nbins + 1)],
        [int((c_bin == k).sum()) for k in range(1, nbins + 1)],
    )
    return ScorePsi(
        cuts,
        bins,
        total,
        flag(total),
        int((~b_ok).sum()),
        int((~c_ok).sum()),
        band_cuts is not None,
    )


def _bin_labels(cuts: list[float]) -> list[str]:
    """`>= c1`, `[c2, c1)`, ..., `< ck` for cuts in decreasing order."""
    nbins = len(cuts) + 1
    labels = []
    for k in range(1, nbins + 1):
        hi = None if k == 1 else cuts[k - 2]
        lo = None if k == nbins else cuts[k - 1]
        if hi is None and lo is not None:
            labels.append(f">= {_fmt(lo)}")
        elif lo is None and hi is not None:
            labels.append(f"< {_fmt(hi)}")
        elif lo is not None and hi is not None:
            labels.append(f"[{_fmt(lo)}, {_fmt(hi)})")
        else:
            labels.append("all")
    return labels


@dataclass(frozen=True)
class BlockStability:
    """A bins block's entry shares then and now, and how much that moves the average score."""

    name: str
    label: str | None
    on: str
    entries: list[PsiBin]
    points: list[float]
    psi: float
    flag: Flag
    score_shift: float
    """Σ (current share − baseline share) × entry points: the change in mean points it explains."""


def block_stability(base: ScoredRows, cur: ScoredRows) -> list[BlockStability]:
    out = []
    for b_block, c_block in zip(base.bins, cur.bins, strict=True):
        labels = [t for t, _ in b_block.entries] + ["(no entry)"]
        points = [p for _, p in b_block.entries] + [0.0]
        idx = [*range(1, len(b_block.entries) + 1), 0]
        b_counts = [int((b_block.matched == i).sum()) for i in idx]
        c_counts = [int((c_block.matched == i).sum()) for i in idx]
        if b_counts[-1] == 0 and c_counts[-1] == 0:
            labels, points, b_counts, c_counts = (
                labels[:-1],
                points[:-1],
                b_counts[:-1],
                c_counts[:-1],
            )
        entries, total = _table(labels, b_counts, c_counts)
        shift = sum((e.cur_share - e.base_share) * p for e, p in zip(entries, points, strict=True))
        out.append(
            BlockStability(
                b_block.name, b_block.label, b_block.on, entries, points, total, flag(total), shift
            )
        )
    return out


@dataclass(frozen=True)
class RuleShift:
    name: str
    label: str | None
    base_rate: float | None
    cur_rate: float | None
    change: float | None
    psi: float
    flag: Flag
    mean_points_shift: float
    """Current mean contribution − baseline mean contribution, over all rows of each table."""


def rule_shifts(base: ScoredRows, cur: ScoredRows) -> list[RuleShift]:
    out = []
    for b_rule, c_rule in zip(base.rules, cur.rules, strict=True):
        nb, nc = len(base), len(cur)
        bf, cf = int(b_rule.fired.sum()), int(c_rule.fired.sum())
        _, total = _table(["fired", "not fired"], [bf, nb - bf], [cf, nc - cf])
        br = bf / nb if nb else None
        cr = cf / nc if nc else None
        b_mean = float(b_rule.contribution.mean()) if nb else 0.0
        c_mean = float(c_rule.contribution.mean()) if nc else 0.0
        out.append(
            RuleShift(
                name=b_rule.name,
                label=b_rule.label,
                base_rate=br,
                cur_rate=cr,
                change=None if br is None or cr is None else cr - br,
                psi=total,
                flag=flag(total),
                mean_points_shift=c_mean - b_mean,
            )
        )
    return out


@dataclass(frozen=True)
class Stability:
    base_rows: int
    cur_rows: int
    score: ScorePsi
    blocks: list[BlockStability]
    rules: list[RuleShift]


def stability(
    base: ScoredRows, cur: ScoredRows, n_bins: int, band_cuts: Sequence[float] | None = None
) -> Stability:
    """Score PSI over scored rows; bins blocks and rules over every row that is not excluded."""

    def kept(rows: ScoredRows) -> ScoredRows:
        if rows.excluded is None:
            return rows
        return rows.take(np.array([x is None for x in rows.excluded], dtype=np.bool_))

    kb, kc = kept(base), kept(cur)
    return Stability(
        base_rows=len(base),
        cur_rows=len(cur),
        score=score_psi(base, cur, n_bins, band_cuts),
        blocks=block_stability(kb, kc),
        rules=rule_shifts(kb, kc),
    )
