"""`scorecard report`: one page, the manager's questions in order, parts without data skipped,
figures checked against a hand computation, rendered in headless Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from engine.cli.app import app, load_commands
from engine.evaluate.overview import QUESTIONS
from tests.evaluate.evalgen import CARD, make_table
from tests.evaluate.test_evaluate_report_render import CHROMIUM, drawn_pixels, screenshot

load_commands(None)

CARD_WITH_OUTCOME = CARD + "\noutcome churned\n"


def hand_scores(table: pl.DataFrame) -> np.ndarray:
    """The test card's score written out in numpy: NaN for excluded customers."""

    def numbers(name: str) -> np.ndarray:
        return np.array([np.nan if v is None else float(v) for v in table[name].to_list()])

    age, income, complaints = numbers("age"), numbers("income"), numbers("complaints")
    with np.errstate(invalid="ignore"):
        points = 30.0 * (complaints >= 2) + 10.0 * (age < 30)
        band = np.select([np.isnan(income), income < 20000, income < 50000], [5.0, 20.0, 10.0], 0.0)
    score = points + band
    score[(table["opt_in"] == "false").to_numpy()] = np.nan
    return score


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    (folder / "card.scorecard").write_text(CARD_WITH_OUTCOME, encoding="utf-8")
    (folder / "plain.scorecard").write_text(
        CARD.replace("gender     : string sensitive", "gender     : string"), encoding="utf-8"
    )
    rng = np.random.default_rng(9)
    for name, seed, shift in (("2026-01", 81, 0.0), ("2026-02", 82, 0.4)):
        table = make_table(seed, 1200, shift=shift)
        contacted = np.where(rng.random(1200) < 0.6, "1", "0")
        table.with_columns(pl.Series("contacted", contacted)).write_csv(folder / f"{name}.csv")
    return folder


def test_full_report_in_the_managers_order(folder: Path) -> None:
    page = folder / "full.html"
    args = ["report", folder / "card.scorecard", folder / "2026-01.csv", folder / "2026-02.csv"]
    args += ["--html", page, "--treatment", "contacted", "--by", "age", "--json"]
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["skipped"] == {}
    html = page.read_text(encoding="utf-8")
    assert re.findall(r"<h2>(.*?)</h2>", html) == list(QUESTIONS)
    assert "<script" not in html.lower() and not re.search(r"\b(src|href)\s*=", html)
    # does it rank: the AUC of the latest table, against scikit-learn on a numpy score
    latest = pl.read_csv(folder / "2026-02.csv", infer_schema=False)
    score = hand_scores(latest)
    churned = np.array([np.nan if v is None else float(v) for v in latest["churned"].to_list()])
    use = ~np.isnan(score) & ~np.isnan(churned)
    expected = roc_auc_score(churned[use], score[use])
    assert doc["Does it rank?"]["auc"] == pytest.approx(expected)
    # is it stable: both tables are periods; the first is the baseline
    periods = doc["Is it stable?"]["periods"]
    assert [p["period"] for p in periods] == ["2026-01", "2026-02"]
    assert [p["rows"] for p in periods] == [1200, 1200]
    # is it fair: by age, banded into quintiles
    assert "quintiles" in doc["Is it fair?"]["age"]["banding"]
    # did it pay: contacted and control counted as in the table
    total = doc["Did the campaign pay?"]["total"]
    treated = (latest["contacted"] == "1").to_numpy()
    assert total["contacted"] == int((treated & use).sum())
    assert total["control"] == int((~treated & use).sum())


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_full_report_renders_every_chart(folder: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    args = ["report", folder / "card.scorecard", folder / "2026-01.csv", folder / "2026-02.csv"]
    args += ["--html", page, "--treatment", "contacted"]
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.stderr
    ids = re.findall(r'id="chart-([a-z0-9-]+)"', page.read_text(encoding="utf-8"))
    assert ids[0] == "who-scores-high" and "gains" in ids and "selection-rate-1" in ids
    assert "psi-by-period" in ids and "qini" in ids
    drawn = drawn_pixels(screenshot(page, len(ids), tmp_path), ids)
    assert all(n > 200 for n in drawn.values()), drawn


def test_parts_without_data_are_skipped_with_the_reason(folder: Path) -> None:
    page = folder / "partial.html"
    args = ["report", folder / "plain.scorecard", folder / "2026-01.csv", "--html", page]
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.stderr
    html = page.read_text(encoding="utf-8")
    assert re.findall(r"<h2>(.*?)</h2>", html) == list(QUESTIONS)
    skipped = re.findall(r'<p class="note">Skipped: (.*?)</p>', html)
    assert len(skipped) == 4
    assert "no `outcome` statement" in skipped[0]
    assert "--period" in skipped[1]
    assert "sensitive" in skipped[2]
    assert "--treatment" in skipped[3]
    assert "Skipped: the card has no `outcome` statement" in result.stdout


def test_report_never_replaces_an_input(folder: Path) -> None:
    data = folder / "2026-01.csv"
    before = data.read_bytes()
    result = CliRunner().invoke(
        app, ["report", str(folder / "card.scorecard"), str(data), "--html", str(data)]
    )
    assert result.exit_code == 1
    assert "E80" in result.stderr
    assert data.read_bytes() == before


def test_bundled_cards_declare_their_outcome(tmp_path: Path) -> None:
    """The bundled churn card evaluates and reports on the bundled data without any flag."""
    root = Path(__file__).resolve().parents[2] / "scorecards"
    page = tmp_path / "churn.html"
    args = ["report", root / "churn_risk.scorecard", root / "data" / "customers.csv"]
    result = CliRunner().invoke(app, [str(a) for a in [*args, "--html", page, "--json"]])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert "Does it rank?" not in doc["skipped"]
    churned = pl.read_csv(root / "data" / "customers.csv", infer_schema=False)["churned"]
    coverage = doc["Does it rank?"]["coverage"]
    assert coverage["rows"] == churned.len()
    assert "bought_insurance" in (root / "appetence.scorecard").read_text(encoding="utf-8")
