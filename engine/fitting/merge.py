"""Merging ordered pre-bins into bins: the highest information value under the constraints.

The pre-bins of a characteristic stand in a fixed order (numbers by value, categories by event
rate). A binning is a cut of that order into contiguous groups. Among the cuts where

- every group holds at least `min_rows` training rows,
- there are at most `max_bins` groups,
- the event rates of the groups follow the trend (strictly),

the one with the highest IV is chosen, by dynamic programming over (groups so far, last group,
phase), vectorised over the start of the previous group. IV only grows when a group is split,
so without the trend and size constraints every pre-bin would stay a bin; the constraints
decide how far the pre-bins are merged.

Trends: `ascending` and `descending` event rate; `peak` (rising, then falling) and `valley`
(falling, then rising), each allowed to turn once; `none` (sizes only). `auto` takes the best
of ascending and descending, or a peak or valley when it raises the IV by more than
`AUTO_TURN_GAIN` and by more than noise would (`TURN_NOISE`): a turn must earn its place.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from engine.fitting.woe import figures

Trend = Literal["auto", "ascending", "descending", "peak", "valley", "none"]
FittedTrend = Literal["ascending", "descending", "peak", "valley", "none"]
TRENDS: tuple[Trend, ...] = ("auto", "ascending", "descending", "peak", "valley", "none")

AUTO_TURN_GAIN = 0.10
"""`auto` picks a peak or valley only if its IV beats the best monotonic binning by 10%..."""
TURN_NOISE = 4.0
"""... and by more than noise would: TURN_NOISE × (bins − 1) × (1/events + 1/non-events),
a few times the IV a binning of pure noise has on average (it shrinks as the data grows)."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Merged:
    """Where the groups start (indexes of pre-bins, the first is 0) and what they give."""

    starts: tuple[int, ...]
    iv: float
    trend: FittedTrend


def _segments(
    rows: FloatArray, events: FloatArray, total_events: float, total_rows: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(rows, event rate, IV) of every candidate group [s, j), as (m+1)×(m+1) matrices."""
    cum_rows = np.concatenate([[0.0], np.cumsum(rows)])
    cum_events = np.concatenate([[0.0], np.cumsum(events)])
    seg_rows = cum_rows[None, :] - cum_rows[:, None]
    seg_events = cum_events[None, :] - cum_events[:, None]
    upper = np.triu(np.ones_like(seg_rows, dtype=bool), k=1)
    seg_rows = np.where(upper, seg_rows, 0.0)
    seg_events = np.where(upper, seg_events, 0.0)
    fig = figures(seg_rows.ravel(), seg_events.ravel(), total_events, total_rows)
    shape = seg_rows.shape
    return seg_rows, fig.event_rate.reshape(shape), fig.iv.reshape(shape)


# For each shape: the phases, and the allowed moves (from phase, to phase, comparison of
# the previous group's rate with the new group's rate).
_MOVES: dict[str, tuple[int, list[tuple[int, int, str]]]] = {
    "ascending": (1, [(0, 0, "<")]),
    "descending": (1, [(0, 0, ">")]),
    "peak": (2, [(0, 0, "<"), (0, 1, ">"), (1, 1, ">")]),
    "valley": (2, [(0, 0, ">"), (0, 1, "<"), (1, 1, "<")]),
    "none": (1, [(0, 0, "any")]),
}


@dataclass(frozen=True)
class _Tables:
    """best[k, phase, s, j]: the highest IV of a cut of [0, j) in k groups, the last [s, j),
    ending in `phase`; back_r and back_p say where the group before it started, in which phase."""

    best: FloatArray
    back_r: npt.NDArray[np.int64]
    back_p: npt.NDArray[np.int64]


def _solve(
    shape: str,
    seg_rows: FloatArray,
    rate: FloatArray,
    iv: FloatArray,
    min_rows: float,
    max_bins: int,
) -> _Tables:
    """The dynamic programme of one shape, over every number of groups and phase."""
    m = seg_rows.shape[0] - 1
    phases, moves = _MOVES[shape]
    valid = (seg_rows >= min_rows) & np.triu(np.ones_like(seg_rows, dtype=bool), k=1)
    k_max = max(1, min(max_bins, m))
    neg = -np.inf
    best = np.full((k_max + 1, phases, m + 1, m + 1), neg)
    back_r = np.full((k_max + 1, phases, m + 1, m + 1), -1, dtype=np.int64)
    back_p = np.full((k_max + 1, phases, m + 1, m + 1), -1, dtype=np.int64)
    best[1, 0, 0, :] = np.where(valid[0], iv[0], neg)
    # comparisons of a previous group [r, s) with the next one [s, j), for every r, s, j
    prev_rate = rate[:, :, None]
    next_rate = rate[None, :, :]
    tests = {"<": prev_rate < next_rate, ">": prev_rate > next_rate}
    for k in range(2, k_max + 1):
        for p_from, p_to, op in moves:
            previous = best[k - 1, p_from]  # [r, s]: best with k-1 groups, the last [r, s)
            if not np.isfinite(previous).any():
                continue
            if op == "any":
                cand = np.broadcast_to(previous[:, :, None], (m + 1, m + 1, m + 1))
            else:
                cand = np.where(tests[op], previous[:, :, None], neg)
            r_best = np.argmax(cand, axis=0)  # [s, j]
            v_best = np.take_along_axis(cand, r_best[None, :, :], axis=0)[0]
            total = np.where(valid & np.isfinite(v_best), v_best + iv, neg)
            total[0, :] = neg  # a second group cannot start at the first pre-bin
            better = total > best[k, p_to]
            best[k, p_to] = np.where(better, total, best[k, p_to])
            back_r[k, p_to] = np.where(better, r_best, back_r[k, p_to])
            back_p[k, p_to] = np.where(better, p_from, back_p[k, p_to])
    return _Tables(best, back_r, back_p)


def _cut(
    tables: _Tables, phases: tuple[int, ...] | None = None
) -> tuple[tuple[int, ...], float] | None:
    """The best cut ending in one of `phases` (all when None), or None when there is none."""
    best, back_r, back_p = tables.best, tables.back_r, tables.back_p
    m = best.shape[-1] - 1
    ends = best[:, :, :, m].copy()
    if phases is not None:
        for p in range(ends.shape[1]):
            if p not in phases:
                ends[:, p, :] = -np.inf
    if not np.isfinite(ends).any():
        return None
    flat = np.unravel_index(int(np.argmax(ends)), ends.shape)
    k, p, s = int(flat[0]), int(flat[1]), int(flat[2])
    value = float(ends[k, p, s])
    starts = [s]
    j = m
    while k > 1:
        r = int(back_r[k, p, s, j])
        p_prev = int(back_p[k, p, s, j])
        j, s, p, k = s, r, p_prev, k - 1
        starts.append(s)
    return tuple(sorted(starts)), value


def _shape_of(starts: tuple[int, ...], rate: FloatArray, m: int) -> FittedTrend:
    """The trend a cut actually shows (a peak that never turns is ascending)."""
    bounds = [*starts, m]
    rates = [rate[a, b] for a, b in itertools.pairwise(bounds)]
    if len(rates) < 2:
        return "ascending"
    diffs = np.sign(np.diff(rates))
    if (diffs > 0).all():
        return "ascending"
    if (diffs < 0).all():
        return "descending"
    turns = int((diffs[1:] != diffs[:-1]).sum())
    if turns == 1:
        return "peak" if diffs[0] > 0 else "valley"
    return "none"


def merge(
    rows: npt.ArrayLike,
    events: npt.ArrayLike,
    *,
    total_events: float,
    total_rows: float,
    min_rows: float,
    max_bins: int,
    trend: Trend,
) -> Merged:
    """The best cut of the pre-bins (`rows`, `events` per pre-bin, in their order)."""
    r = np.asarray(rows, dtype=np.float64)
    e = np.asarray(events, dtype=np.float64)
    m = r.shape[0]
    seg_rows, rate, iv = _segments(r, e, total_events, total_rows)
    whole: tuple[tuple[int, ...], float] = ((0,), float(iv[0, m]) if m else 0.0)
    if m <= 1 or seg_rows[0, m] < min_rows:
        return Merged((0,), whole[1], "ascending")
    if trend == "auto":
        found: list[tuple[tuple[tuple[int, ...], float], bool]] = []
        for shape in ("peak", "valley"):
            tables = _solve(shape, seg_rows, rate, iv, min_rows, max_bins)
            mono, turn = _cut(tables, (0,)), _cut(tables)
            if mono is not None:
                found.append((mono, False))
            if turn is not None:
                found.append((turn, True))
        monotone = [f for f, turns in found if not turns]
        best_mono = max(monotone, key=lambda f: f[1], default=whole)
        chosen = best_mono
        non_events = total_rows - total_events
        unit = (1 / total_events if total_events else 0.0) + (1 / non_events if non_events else 0.0)
        for cut, turns in found:
            noise = TURN_NOISE * (len(cut[0]) - 1) * unit
            earns = cut[1] > best_mono[1] * (1 + AUTO_TURN_GAIN) and cut[1] - best_mono[1] > noise
            if turns and earns and cut[1] > chosen[1]:
                chosen = cut
        return Merged(chosen[0], chosen[1], _shape_of(chosen[0], rate, m))
    solved = _cut(_solve(trend, seg_rows, rate, iv, min_rows, max_bins))
    if solved is None:
        return Merged((0,), whole[1], "ascending")
    shape = _shape_of(solved[0], rate, m)
    return Merged(solved[0], solved[1], shape if trend != "none" else "none")
