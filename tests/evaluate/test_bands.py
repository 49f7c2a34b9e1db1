"""Fixed score bands (`--bands`): bands, tables by band and PSI by band against numpy."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from engine.cli.app import app, load_commands
from engine.diagnostics import ScorecardError
from engine.evaluate import bands, metrics, monitor, stability
from tests.evaluate.evalgen import CARD, hand_psi, make_rows, make_table

load_commands(None)

CUTS = [450.0, 500.0, 600.0]


def numpy_band(score: np.ndarray, cuts: list[float]) -> np.ndarray:
    """Band 1 = highest: np.digitize puts x in [cuts[i-1], cuts[i]) at index i."""
    return len(cuts) + 1 - np.digitize(score, cuts, right=False)


def test_parse_and_labels() -> None:
    assert bands.parse(" 300, 350,400 ") == [300.0, 350.0, 400.0]
    assert bands.parse("-1.5") == [-1.5]
    assert bands.labels([300, 350, 400]) == [
        "[400, +inf)",
        "[350, 400)",
        "[300, 350)",
        "(-inf, 300)",
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("300,abc", "'abc' is not a number"),
        ("300,,400", "empty cut"),
        ("", "empty cut"),
        ("400,300", "not increasing"),
        ("300,300", "repeated"),
        ("300,inf", "not a finite number"),
        ("nan", "not a finite number"),
    ],
)
def test_bad_cuts_are_e1009(text: str, words: str) -> None:
    with pytest.raises(ScorecardError) as info:
        bands.parse(text)
    (diag,) = info.value.diagnostics
    assert diag.code == "E1009"
    assert words in diag.message


def test_band_of_matches_numpy_digitize_on_the_cuts_themselves() -> None:
    rng = np.random.default_rng(3)
    score = np.concatenate([rng.normal(500, 80, 1000).round(-1), np.array(CUTS), [-1e9, 1e9]])
    assert (bands.band_of(score, CUTS) == numpy_band(score, CUTS)).all()
    assert bands.band_of(np.array([450.0, 449.999, 600.0]), CUTS).tolist() == [3, 4, 1]


@pytest.mark.parametrize("direction", ["more", "fewer"])
def test_evaluation_by_band_against_numpy(direction: str) -> None:
    rows, target = make_rows(41)
    event, known = metrics.to_events("churned", target)
    ev = metrics.evaluate(
        rows, event, known, value=30.0, cost=4.0, high_score_means=direction, band_cuts=CUTS
    )
    use = rows.has_score & known
    score, ev_np = rows.score[use], event[use]
    band = numpy_band(score, CUTS)
    order = [4, 3, 2, 1] if direction == "fewer" else [1, 2, 3, 4]
    assert [r.cls for r in ev.classes] == order
    assert ev.class_source == "bands"
    assert ev.band_labels[0] == "[600, +inf)"
    cum_rows = cum_events = 0
    for r in ev.classes:
        inside = band == r.cls
        assert r.rows == int(inside.sum())
        assert r.events == int(ev_np[inside].sum())
        assert r.event_rate == pytest.approx(ev_np[inside].mean())
        assert r.lift == pytest.approx(ev_np[inside].mean() / ev_np.mean())
        cum_rows += int(inside.sum())
        cum_events += int(ev_np[inside].sum())
        assert r.cum_capture == pytest.approx(cum_events / ev_np.sum())
    assert ev.campaign is not None
    profits = [row.profit for row in ev.campaign.rows]
    assert profits[-1] == pytest.approx(ev_np.sum() * 30.0 - ev_np.size * 4.0)


def test_psi_by_band_against_numpy_with_an_empty_baseline_band() -> None:
    base, _ = make_rows(42)
    cur, _ = make_rows(43, shift=0.5)
    cuts = [300.0, 450.0, 500.0, 600.0, 5000.0]  # nobody scores 5000 or more
    st = stability.stability(base, cur, 10, cuts)
    bs, cs = base.score[base.has_score], cur.score[cur.has_score]
    b_counts = [int((numpy_band(bs, cuts) == k).sum()) for k in range(1, 7)]
    c_counts = [int((numpy_band(cs, cuts) == k).sum()) for k in range(1, 7)]
    assert [b.base_rows for b in st.score.bins] == b_counts
    assert [b.cur_rows for b in st.score.bins] == c_counts
    assert b_counts[0] == 0 and st.score.bins[0].empty
    assert st.score.psi == pytest.approx(hand_psi(b_counts, c_counts))
    assert [b.label for b in st.score.bins][:2] == ["[5000, +inf)", "[600, 5000)"]
    assert st.score.banded


def test_monitor_event_rates_by_band_against_numpy() -> None:
    a, ta = make_rows(44)
    b, tb = make_rows(45, shift=0.3)
    ea, ka = metrics.to_events("churned", ta)
    eb, kb = metrics.to_events("churned", tb)
    mo = monitor.monitor(
        [monitor.PeriodRows("jan", a, ea, ka), monitor.PeriodRows("feb", b, eb, kb)],
        10,
        band_cuts=CUTS,
    )
    for p, rows, ev, kn in ((mo.periods[0], a, ea, ka), (mo.periods[1], b, eb, kb)):
        use = rows.has_score & kn
        band = numpy_band(rows.score[use], CUTS)
        expected = [ev[use][band == k].mean() for k in range(1, 5)]
        assert p.band_event_rates == pytest.approx(expected)
    bs, cs = a.score[a.has_score], b.score[b.has_score]
    psi = hand_psi(
        [int((numpy_band(bs, CUTS) == k).sum()) for k in range(1, 5)],
        [int((numpy_band(cs, CUTS) == k).sum()) for k in range(1, 5)],
    )
    assert mo.periods[1].psi == pytest.approx(psi)
    assert mo.periods[0].psi == pytest.approx(0.0)


def test_commands_take_bands(tmp_path: Path) -> None:
    card = tmp_path / "retention.scorecard"
    card.write_text(CARD, encoding="utf-8")
    base, cur = tmp_path / "base.csv", tmp_path / "cur.csv"
    make_table(51, 800).write_csv(base)
    make_table(52, 800, shift=0.5).write_csv(cur)
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["evaluate", str(card), str(base), "--target", "churned", "--bands", "10,20,40", "--json"],
    )
    assert result.exit_code == 0, result.stderr
    evaluation = json.loads(result.stdout)["evaluation"]
    assert evaluation["band_labels"] == ["[40, +inf)", "[20, 40)", "[10, 20)", "(-inf, 10)"]
    assert sum(r["rows"] for r in evaluation["classes"]) == evaluation["coverage"]["evaluated"]
    result = runner.invoke(
        app, ["stability", str(card), str(base), str(cur), "--bands", "10,20,40", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    bins = json.loads(result.stdout)["stability"]["score"]["bins"]
    assert [b["label"] for b in bins] == ["[40, +inf)", "[20, 40)", "[10, 20)", "(-inf, 10)"]
    result = runner.invoke(
        app,
        ["monitor", str(card), str(base), str(cur), "--target", "churned", "--bands", "10,20,40"],
    )
    assert result.exit_code == 0, result.stderr
    assert "Event rate by score band" in result.stdout
    result = runner.invoke(app, ["evaluate", str(card), str(base), "--bands", "20,10"])
    assert result.exit_code == 1
    assert "E1009" in result.stderr and "not increasing" in result.stderr
