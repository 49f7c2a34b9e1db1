"""PSI, characteristic stability, rule shifts, selection rates and disparate impact, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.evaluate import fairness, stability
from engine.evaluate.rows import ReportError, ScoredRows
from engine.ranking import Top
from tests.evaluate.evalgen import hand_cuts, hand_psi, make_rows


@pytest.mark.parametrize(("shift", "n"), [(0.0, 10), (0.4, 10), (1.0, 4)])
def test_score_psi_matches_hand_computation(shift: float, n: int) -> None:
    base, _ = make_rows(11)
    cur, _ = make_rows(12, n=1500, shift=shift)
    result = stability.stability(base, cur, n)
    ok = ~np.isnan(base.score)
    b_scores = [float(x) for x in base.score[ok]]
    b_keys = [k for k, o in zip(base.keys, ok, strict=True) if o]
    cuts = hand_cuts(b_scores, b_keys, n)
    assert result.score.cuts == cuts
    c_scores = [float(x) for x in cur.score if not math.isnan(x)]

    def counts(scores: list[float]) -> list[int]:
        out = [0] * (len(cuts) + 1)
        for x in scores:
            out[sum(1 for c in cuts if x < c)] += 1
        return out

    b_counts, c_counts = counts(b_scores), counts(c_scores)
    assert [b.base_rows for b in result.score.bins] == b_counts
    assert [b.cur_rows for b in result.score.bins] == c_counts
    expected = hand_psi(b_counts, c_counts)
    assert result.score.psi == pytest.approx(expected, rel=1e-12)
    assert result.score.flag == (
        "major shift" if expected >= 0.25 else "shift" if expected >= 0.1 else "stable"
    )
    assert result.score.base_unscored == int(np.isnan(base.score).sum())
    assert result.score.cur_unscored == int(np.isnan(cur.score).sum())
    if shift == 1.0:
        assert result.score.flag == "major shift"


def test_empty_current_bin_uses_the_floor_share() -> None:
    keys = [f"k{i}" for i in range(10)]
    base = ScoredRows(keys=keys, score=np.arange(10, dtype=np.float64))
    cur = ScoredRows(keys=keys[:4], score=np.array([9.0, 9.0, 0.0, 1.0]))
    result = stability.stability(base, cur, 2)
    assert result.score.cuts == [5.0]
    assert [(b.base_rows, b.cur_rows) for b in result.score.bins] == [(5, 2), (5, 2)]
    cur2 = ScoredRows(keys=keys[:3], score=np.array([9.0, 8.0, 7.0]))
    result2 = stability.stability(base, cur2, 2)
    bins = result2.score.bins
    assert bins[1].empty and bins[1].cur_rows == 0
    expected = (1 - 0.5) * math.log(1 / 0.5) + (0.0001 - 0.5) * math.log(0.0001 / 0.5)
    assert result2.score.psi == pytest.approx(expected)


def test_ties_at_a_class_boundary_collapse_bins() -> None:
    keys = [f"k{i}" for i in range(10)]
    base = ScoredRows(keys=keys, score=np.array([5.0] * 8 + [1.0, 2.0]))
    result = stability.stability(base, base, 10)
    assert result.score.cuts == [5.0, 2.0]
    assert [b.base_rows for b in result.score.bins] == [8, 1, 1]
    assert result.score.psi == 0.0


def test_bins_blocks_and_rules_shift_match_hand_computation() -> None:
    base, _ = make_rows(13)
    cur, _ = make_rows(14, shift=0.5)
    result = stability.stability(base, cur, 10)

    def kept(rows: ScoredRows) -> np.ndarray:
        assert rows.excluded is not None
        return np.array([x is None for x in rows.excluded])

    kb, kc = kept(base), kept(cur)
    (block,) = result.blocks
    b_m, c_m = base.bins[0].matched[kb], cur.bins[0].matched[kc]
    idx = [1, 2, 3, 0]
    b_counts = [int((b_m == i).sum()) for i in idx]
    c_counts = [int((c_m == i).sum()) for i in idx]
    assert [e.base_rows for e in block.entries] == b_counts
    assert [e.cur_rows for e in block.entries] == c_counts
    assert block.psi == pytest.approx(hand_psi(b_counts, c_counts))
    points = [5.0, 0.0, -5.0, 0.0]
    shift = sum(
        (c / sum(c_counts) - b / sum(b_counts)) * p
        for b, c, p in zip(b_counts, c_counts, points, strict=True)
    )
    assert block.score_shift == pytest.approx(shift)
    # the shift explains the change in the block's mean points
    b_pts = np.array([points[idx.index(int(i))] for i in b_m])
    c_pts = np.array([points[idx.index(int(i))] for i in c_m])
    assert block.score_shift == pytest.approx(c_pts.mean() - b_pts.mean())
    for stat, b_rule, c_rule in zip(result.rules, base.rules, cur.rules, strict=True):
        bf, cf = b_rule.fired[kb], c_rule.fired[kc]
        assert stat.base_rate == pytest.approx(bf.mean())
        assert stat.cur_rate == pytest.approx(cf.mean())
        assert stat.psi == pytest.approx(
            hand_psi([int(bf.sum()), int((~bf).sum())], [int(cf.sum()), int((~cf).sum())])
        )
        assert stat.mean_points_shift == pytest.approx(
            c_rule.contribution[kc].mean() - b_rule.contribution[kb].mean()
        )
    assert result.rules[0].flag != "stable"  # the `high` rule follows the shifted latent


def test_baseline_without_scores_is_an_error() -> None:
    rows = ScoredRows(keys=["a"], score=np.array([np.nan]))
    with pytest.raises(ReportError):
        stability.stability(rows, rows, 10)


@pytest.mark.parametrize("top", [None, "300", "25%"])
def test_fairness_matches_hand_computation(top: str | None) -> None:
    rows, _ = make_rows(15)
    groups = rows.extra["gender"]
    k = Top.parse(top) if top else None
    result = fairness.fairness(rows, "gender", groups, k)
    n = len(rows)
    scored = [i for i in range(n) if not math.isnan(rows.score[i])]
    if top is None:
        chosen = {i for i in range(n) if rows.segment is not None and rows.segment[i] == "high"}
    else:
        count = 300 if top == "300" else math.ceil(len(scored) * 0.25)
        ranked = sorted(scored, key=lambda i: (-rows.score[i], rows.keys[i]))
        chosen = set(ranked[:count])
    labels = ["(missing)" if g is None else str(g) for g in groups]
    assert [g.group for g in result.groups] == ["A", "B", "C", "(missing)"]
    rates = {}
    for g in result.groups:
        members = [i for i in range(n) if labels[i] == g.group]
        with_score = [i for i in members if i in scored]
        assert g.rows == len(members)
        assert g.scored == len(with_score)
        assert g.mean_score == pytest.approx(np.mean([rows.score[i] for i in with_score]))
        assert g.selected == sum(1 for i in members if i in chosen)
        rates[g.group] = g.selected / len(members)
        assert g.selection_rate == pytest.approx(rates[g.group])
    best = max(rates.values())
    for g in result.groups:
        assert g.impact_ratio == pytest.approx(rates[g.group] / best)
        assert g.flagged == (rates[g.group] / best < 0.8)
    assert result.disparate_impact == pytest.approx(min(rates.values()) / best)
    assert result.flagged == (min(rates.values()) / best < 0.8)
    assert result.flagged  # group A is built to score higher


def test_fairness_needs_a_segment_or_top() -> None:
    rows = ScoredRows(keys=["a", "b"], score=np.array([1.0, 2.0]))
    with pytest.raises(ReportError, match="--top"):
        fairness.fairness(rows, "g", ["x", "y"], None)
    for bad in ["0", "-3", "abc", "150%", "2.5"]:
        with pytest.raises(ValueError):
            Top.parse(bad)
