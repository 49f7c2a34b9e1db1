"""Every figure of `evaluate` against an independent computation on data with ties and nulls."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp
from sklearn.metrics import roc_auc_score

from engine.evaluate import metrics
from engine.evaluate.rows import ScoredRows
from tests.evaluate.evalgen import hand_classes, make_rows
from tests.profiles import examples


def evaluated(rows: ScoredRows, target: list[object]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The evaluated population computed by hand: score and outcome both known."""
    keep = [i for i in range(len(rows)) if not math.isnan(rows.score[i]) and target[i] is not None]
    return (
        rows.score[keep],
        np.array([target[i] == 1 for i in keep]),
        [rows.keys[i] for i in keep],
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_auc_gini_ks_match_sklearn_and_scipy(seed: int) -> None:
    rows, target = make_rows(seed)
    event, known = metrics.to_events("y", target)
    result = metrics.evaluate(rows, event, known)
    s, e, _ = evaluated(rows, target)
    assert len(np.unique(s)) < len(s) / 10, "the data must have many ties"
    expected_auc = roc_auc_score(e, s)
    assert result.auc == pytest.approx(expected_auc, abs=1e-12)
    assert result.gini == pytest.approx(2 * expected_auc - 1, abs=1e-12)
    expected_ks = ks_2samp(s[e], s[~e], method="asymp").statistic
    assert result.ks is not None
    assert result.ks.statistic == pytest.approx(expected_ks, abs=1e-12)
    # the cut: share of events at or above it minus share of non-events is the statistic
    cut = result.ks.cut
    gap = abs(np.mean(s[e] >= cut) - np.mean(s[~e] >= cut))
    assert gap == pytest.approx(expected_ks, abs=1e-12)


def test_coverage_counts_nulls_separately() -> None:
    rows, target = make_rows(4)
    event, known = metrics.to_events("y", target)
    cov = metrics.evaluate(rows, event, known).coverage
    no_score = np.isnan(rows.score)
    no_target = np.array([t is None for t in target])
    assert cov.rows == len(target)
    assert cov.unscored == int(no_score.sum())
    assert cov.unscored_events == sum(1 for i, t in enumerate(target) if no_score[i] and t == 1)
    assert cov.unknown_outcome == int((~no_score & no_target).sum())
    assert cov.evaluated == int((~no_score & ~no_target).sum())
    _, e, _ = evaluated(rows, target)
    assert cov.events == int(e.sum())
    assert cov.event_rate == pytest.approx(e.mean())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=examples(60), deadline=None)
@given(
    scores=st.lists(st.integers(0, 6), min_size=2, max_size=40),
    events=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_auc_and_ks_with_heavy_ties(scores: list[int], events: list[bool]) -> None:
    s = np.array(scores, dtype=np.float64)
    e = np.array(events[: len(scores)])
    a = metrics.auc(s, e)
    k = metrics.ks(s, e)
    if e.all() or not e.any():
        assert a is None and k is None
        return
    assert a == pytest.approx(roc_auc_score(e, s), abs=1e-12)
    assert k is not None
    assert k.statistic == pytest.approx(ks_2samp(s[e], s[~e], method="asymp").statistic, abs=1e-12)


@settings(max_examples=examples(40), deadline=None)
@given(
    scores=st.lists(st.integers(0, 5), min_size=1, max_size=60),
    n=st.integers(1, 12),
)
def test_ntile_matches_duckdb(scores: list[int], n: int) -> None:
    s = np.array(scores, dtype=np.float64)
    keys = [f"k{(i * 7919) % 1000:03d}" for i in range(len(scores))]
    got = metrics.ntile(s, ScoredRows(keys=keys, score=s).tiebreak(), n)
    con = duckdb.connect()
    con.execute("CREATE TABLE t (k VARCHAR, s DOUBLE)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(zip(keys, scores, strict=True)))
    ref = dict(con.execute(f"SELECT k, NTILE({n}) OVER (ORDER BY s DESC, k ASC) FROM t").fetchall())
    assert [int(c) for c in got] == [ref[k] for k in keys]


@pytest.mark.parametrize("n", [None, 5])
def test_class_table_matches_hand_computation(n: int | None) -> None:
    rows, target = make_rows(5)
    event, known = metrics.to_events("y", target)
    result = metrics.evaluate(rows, event, known, n_classes=n, value=30.0, cost=4.0)
    s, e, keys = evaluated(rows, target)
    n_eff = n or 10
    assert result.class_source == ("override" if n else "deciles")
    cls = np.array(hand_classes(s, keys, n_eff))
    overall = e.mean()
    assert len(result.classes) == n_eff
    cum_rows = cum_events = 0
    for row in result.classes:
        sel = cls == row.cls
        cum_rows += sel.sum()
        cum_events += e[sel].sum()
        assert row.rows == sel.sum()
        assert row.events == e[sel].sum()
        assert row.event_rate == pytest.approx(e[sel].mean())
        assert row.lift == pytest.approx(e[sel].mean() / overall)
        assert row.min_score == s[sel].min() and row.max_score == s[sel].max()
        assert row.cum_capture == pytest.approx(cum_events / e.sum())
        assert row.cum_lift == pytest.approx((cum_events / cum_rows) / overall)
        assert row.cum_rows_share == pytest.approx(cum_rows / len(s))
    top, bottom = e[cls == 1].mean(), e[cls == n_eff].mean()
    assert result.top_bottom_ratio == pytest.approx(top / bottom)
    # campaign: profit of contacting classes 1..i; the best cut maximises it
    assert result.campaign is not None
    profits = []
    for i in range(1, n_eff + 1):
        sel = cls <= i
        profits.append(30.0 * e[sel].sum() - 4.0 * sel.sum())
    assert [r.profit for r in result.campaign.rows] == pytest.approx(profits)
    best = max(range(n_eff), key=lambda i: (profits[i], -i))
    assert result.campaign.best_cut == (best + 1 if profits[best] > 0 else 0)


def test_card_classes_are_used_as_given() -> None:
    rows, target = make_rows(6)
    rng = np.random.default_rng(0)
    cls = rng.integers(1, 5, size=len(rows)).astype(np.int64)
    cls[np.isnan(rows.score)] = 0
    with_cls = ScoredRows(keys=rows.keys, score=rows.score, cls=cls, n_classes=4)
    event, known = metrics.to_events("y", target)
    result = metrics.evaluate(with_cls, event, known)
    assert result.class_source == "card"
    use = ~np.isnan(rows.score) & np.array([t is not None for t in target])
    for row in result.classes:
        sel = use & (cls == row.cls)
        assert row.rows == sel.sum()
        assert row.events == sum(1 for i in np.flatnonzero(sel) if target[i] == 1)


def test_campaign_with_no_profit_contacts_no_one() -> None:
    rows, target = make_rows(7)
    event, known = metrics.to_events("y", target)
    result = metrics.evaluate(rows, event, known, value=1.0, cost=100.0)
    assert result.campaign is not None
    assert result.campaign.best_cut == 0 and result.campaign.best_profit == 0.0


def test_rule_and_bins_stats_match_numpy() -> None:
    rows, target = make_rows(8)
    event, known = metrics.to_events("y", target)
    result = metrics.evaluate(rows, event, known)
    use = ~np.isnan(rows.score) & np.array([t is not None for t in target])
    e = np.array([t == 1 for t in target])[use]
    overall = e.mean()
    for stat, rule in zip(result.rules, rows.rules, strict=True):
        f = rule.fired[use]
        assert stat.fired == f.sum()
        assert stat.firing_rate == pytest.approx(f.mean())
        assert stat.event_rate_fired == pytest.approx(e[f].mean())
        assert stat.event_rate_not_fired == pytest.approx(e[~f].mean())
        assert stat.lift_fired == pytest.approx(e[f].mean() / overall)
    (block,) = result.bins
    matched = rows.bins[0].matched[use]
    assert [x.index for x in block.entries] == [1, 2, 3, 0]
    assert sum(x.rows for x in block.entries) == use.sum()
    for entry in block.entries:
        sel = matched == entry.index
        assert entry.rows == sel.sum()
        assert entry.share == pytest.approx(sel.mean())
        assert entry.event_rate == pytest.approx(e[sel].mean())


def test_to_events_accepts_common_spellings_and_rejects_others() -> None:
    event, known = metrics.to_events("y", [1, 0, True, False, "yes", "0", None, 1.0, float("nan")])
    assert event.tolist() == [True, False, True, False, True, False, False, True, False]
    assert known.tolist() == [True] * 6 + [False, True, False]
    with pytest.raises(metrics.OutcomeError) as err:
        metrics.to_events("churned", [0, 1, 2, "maybe"])
    assert "row 3: 2" in str(err.value) and "row 4: 'maybe'" in str(err.value)


def test_undefined_figures_are_none() -> None:
    s = np.array([1.0, 2.0, 2.0])
    e = np.array([True, True, True])
    assert metrics.auc(s, e) is None and metrics.ks(s, e) is None
    rows = ScoredRows(keys=["a", "b", "c"], score=s)
    result = metrics.evaluate(rows, e, np.ones(3, dtype=bool), n_classes=2)
    assert result.gini is None
    assert result.top_bottom_ratio == pytest.approx(1.0)
