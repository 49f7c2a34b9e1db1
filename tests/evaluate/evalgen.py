"""Generated scored rows for the evaluation tests: ties, null scores, null outcomes."""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from engine.evaluate.rows import BinsColumn, RuleColumn, ScoredRows


def make_rows(
    seed: int, n: int = 2000, null_share: float = 0.05, shift: float = 0.0
) -> tuple[ScoredRows, list[object]]:
    """Scores rounded to whole tens (many ties), some null; an outcome that follows the score."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(loc=shift, size=n)
    score = np.round(500 + 100 * latent, -1)
    score[rng.random(n) < null_share] = np.nan
    p = 1 / (1 + np.exp(-(latent * 1.5 - 1.5)))
    event = rng.random(n) < p
    target: list[object] = [int(e) for e in event]
    for i in np.flatnonzero(rng.random(n) < 0.03):
        target[i] = None
    keys = [f"c{i:05d}" for i in rng.permutation(n)]
    fired_a = latent > 0.5
    fired_b = rng.random(n) < 0.2
    matched = np.digitize(rng.normal(size=n), [-1.0, 0.0, 1.0]).astype(np.int64)  # 0..3
    null = np.isnan(score)
    excluded = [("No consent" if null[i] and i % 2 == 0 else None) for i in range(n)]
    segment = [
        None if null[i] else "high" if score[i] >= 600 else "medium" if score[i] >= 450 else "low"
        for i in range(n)
    ]
    group_of = np.where(latent + rng.normal(scale=0.5, size=n) > 0.3, "A", "B")
    group: list[object] = [str(g) for g in group_of]
    for i in np.flatnonzero(rng.random(n) < 0.1):
        group[i] = "C"
    for i in np.flatnonzero(rng.random(n) < 0.02):
        group[i] = None
    rows = ScoredRows(
        keys=keys,
        score=score,
        segment=segment,
        segments=("high", "medium", "low"),
        excluded=excluded,
        extra={"gender": group},
        rules=(
            RuleColumn("high", "High latent", fired_a, np.where(fired_a, 40.0, 0.0)),
            RuleColumn("noise", None, fired_b, np.where(fired_b, -10.0, 0.0)),
        ),
        bins=(
            BinsColumn(
                "band",
                "Band",
                "x",
                (("< 0", 5.0), ("[0, 1)", 0.0), (">= 1", -5.0)),
                matched,
            ),
        ),
    )
    return rows, target


def hand_classes(s: np.ndarray, keys: list[str], n: int) -> list[int]:
    """NTILE by hand: sort, then deal rows out, the first (rows mod n) classes one row bigger."""
    order = sorted(range(len(s)), key=lambda i: (-s[i], keys[i]))
    sizes = [len(s) // n + (1 if c < len(s) % n else 0) for c in range(n)]
    out = [0] * len(s)
    pos = 0
    for c, size in enumerate(sizes, start=1):
        for i in order[pos : pos + size]:
            out[i] = c
        pos += size
    return out


def hand_psi(base: list[int], cur: list[int]) -> float:
    """PSI written out term by term; a zero share counts as 0.0001."""
    total = 0.0
    for b, c in zip(base, cur, strict=True):
        bs = b / sum(base) or 0.0001
        cs = c / sum(cur) or 0.0001
        total += (cs - bs) * math.log(cs / bs)
    return total


def hand_cuts(score: list[float], keys: list[str], n: int) -> list[float]:
    """Cut points: sort the baseline, high scores first; class k ends after ceil-dealt rows."""
    ordered = sorted(zip(score, keys, strict=True), key=lambda t: (-t[0], t[1]))
    sizes = [len(score) // n + (1 if c < len(score) % n else 0) for c in range(n)]
    cuts: list[float] = []
    end = 0
    for size in sizes[:-1]:
        end += size
        if size == 0:
            continue
        cut = ordered[end - 1][0]
        if cut > min(score) and cut not in cuts:
            cuts.append(cut)
    return cuts


CARD = """
scorecard retention { title "Test card" }

input {
  id         : string key
  age        : int
  income     : float
  complaints : int
  opt_in     : bool
  gender     : string sensitive
}

exclude "No consent" when not opt_in

rule complainer "Two or more complaints" when complaints >= 2 then 30
rule young when age < 30 then 10

bins income_band on income "Income band" {
  missing        -> 5
  < 20000        -> 20
  [20000, 50000) -> 10
  >= 50000       -> 0
}

segment "high" when score >= 30
segment "low"  otherwise

classes 5
"""


def make_table(seed: int, n: int, shift: float = 0.0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, n).astype(float)
    age[rng.random(n) < 0.05] = np.nan
    income = np.round(rng.lognormal(10.4 - shift, 0.6, n), 2)
    income[rng.random(n) < 0.05] = np.nan
    complaints = rng.poisson(0.8 + shift, n).astype(float)
    complaints[rng.random(n) < 0.05] = np.nan
    opt_in = np.where(rng.random(n) < 0.1, "false", "true")
    risk = -2.5 + 1.2 * (np.nan_to_num(complaints) >= 2) + 0.8 * (np.nan_to_num(age, nan=50) < 30)
    churned = (rng.random(n) < 1 / (1 + np.exp(-risk))).astype(int).astype(str).astype(object)
    churned[rng.random(n) < 0.03] = None
    gender = np.where(rng.random(n) < 0.5 + 0.1 * (np.nan_to_num(complaints) >= 2), "F", "M")
    return pl.DataFrame(
        {
            "id": [f"C{i:05d}" for i in rng.permutation(n)],
            "age": [None if math.isnan(a) else str(int(a)) for a in age],
            "income": [None if math.isnan(x) else str(x) for x in income],
            "complaints": [None if math.isnan(c) else str(int(c)) for c in complaints],
            "opt_in": opt_in,
            "gender": gender,
            "churned": [None if c is None else str(c) for c in churned],
        }
    )
