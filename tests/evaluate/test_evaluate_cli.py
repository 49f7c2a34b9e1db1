"""The three commands end to end on a real card and CSV files, checked against figures computed
here from the data with numpy, scikit-learn and scipy (the score is recomputed by hand)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.stats import ks_2samp
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from engine.cli import app
from tests.evaluate.evalgen import CARD, hand_classes, hand_cuts, hand_psi, make_table


def expected_scores(table: pl.DataFrame) -> np.ndarray:
    """The card's score computed by hand; NaN for excluded rows."""
    out = []
    for row in table.iter_rows(named=True):
        if row["opt_in"] == "false":
            out.append(np.nan)
            continue
        points = 0.0
        if row["complaints"] and int(row["complaints"]) >= 2:
            points += 30
        if row["age"] and int(row["age"]) < 30:
            points += 10
        if not row["income"]:
            points += 5
        else:
            inc = float(row["income"])
            points += 20 if inc < 20000 else 10 if inc < 50000 else 0
        out.append(points)
    return np.array(out)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli")
    card = folder / "retention.scorecard"
    card.write_text(CARD, encoding="utf-8")
    base, cur = folder / "base.csv", folder / "current.csv"
    make_table(1, 3000).write_csv(base)
    make_table(2, 2500, shift=0.5).write_csv(cur)
    return {"card": card, "base": base, "current": cur, "folder": folder}


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_evaluate_json_matches_independent_figures(files: dict[str, Path]) -> None:
    code, out, err = invoke(
        "evaluate", files["card"], files["base"], "--target", "churned", "--json",
        "--value", "50", "--cost", "4",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)["evaluation"]
    table = pl.read_csv(files["base"], infer_schema=False)
    score = expected_scores(table)
    target = table["churned"].to_list()
    keys = table["id"].to_list()
    scored = ~np.isnan(score)
    known = np.array([t is not None for t in target])
    use = scored & known
    s = score[use]
    y = np.array([t == "1" for t in target])[use]
    cov = doc["coverage"]
    assert cov["unscored"] == int((~scored).sum())
    assert cov["unknown_outcome"] == int((scored & ~known).sum())
    assert cov["evaluated"] == int(use.sum())
    assert doc["auc"] == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert doc["gini"] == pytest.approx(2 * roc_auc_score(y, s) - 1, abs=1e-12)
    assert doc["ks"]["statistic"] == pytest.approx(ks_2samp(s[y], s[~y]).statistic, abs=1e-12)
    # the card's classes: NTILE(5) over every scored row, then counted over evaluated rows
    idx = np.flatnonzero(scored)
    cls_scored = hand_classes(score[idx], [keys[i] for i in idx], 5)
    cls = np.zeros(len(score), dtype=int)
    cls[idx] = cls_scored
    assert doc["class_source"] == "card"
    cum_e = cum_n = 0
    for row in doc["classes"]:
        sel = use & (cls == row["cls"])
        ev = np.array([t == "1" for t in target])
        cum_e += int(ev[sel].sum())
        cum_n += int(sel.sum())
        assert row["rows"] == int(sel.sum())
        assert row["events"] == int(ev[sel].sum())
        assert row["lift"] == pytest.approx(ev[sel].mean() / y.mean())
        assert row["cum_capture"] == pytest.approx(cum_e / y.sum())
    profits = [r["profit"] for r in doc["campaign"]["rows"]]
    assert doc["campaign"]["best_cut"] == int(np.argmax(profits)) + 1
    # rules and bins over the evaluated rows
    comp = np.array([float(c) if c else np.nan for c in table["complaints"].to_list()])
    fired = (np.nan_to_num(comp, nan=-1) >= 2)[use]
    rule = next(r for r in doc["rules"] if r["name"] == "complainer")
    assert rule["fired"] == int(fired.sum())
    assert rule["event_rate_fired"] == pytest.approx(y[fired].mean())
    inc = np.array([float(x) if x else np.nan for x in table["income"].to_list()])[use]
    (block,) = doc["bins"]
    missing = next(e for e in block["entries"] if e["text"] == "missing")
    assert missing["rows"] == int(np.isnan(inc).sum())
    low = next(e for e in block["entries"] if e["text"] == "< 20000")
    assert low["event_rate"] == pytest.approx(y[inc < 20000].mean())


def test_evaluate_tables_and_html(files: dict[str, Path]) -> None:
    html = files["folder"] / "eval.html"
    code, out, err = invoke(
        "evaluate", files["card"], files["base"], "--target", "churned", "--classes", "4",
        "--html", html,
    )  # fmt: skip
    assert code == 0, err
    assert "AUC" in out and "By class: 4 classes" in out and "complainer" in out
    page = html.read_text(encoding="utf-8")
    for chart in ("score-distribution", "gains", "lift"):
        assert f'id="chart-{chart}"' in page
    assert "<script" not in page


def test_stability_json_matches_hand_psi(files: dict[str, Path]) -> None:
    code, out, err = invoke("stability", files["card"], files["base"], files["current"], "--json")
    assert code == 0, err
    doc = json.loads(out)["stability"]
    base = pl.read_csv(files["base"], infer_schema=False)
    cur = pl.read_csv(files["current"], infer_schema=False)
    bs, cs = expected_scores(base), expected_scores(cur)
    b_ok = ~np.isnan(bs)
    keys = [k for k, ok in zip(base["id"].to_list(), b_ok, strict=True) if ok]
    cuts = hand_cuts([float(x) for x in bs[b_ok]], keys, 5)
    assert doc["score"]["cuts"] == cuts

    def counts(scores: np.ndarray) -> list[int]:
        out = [0] * (len(cuts) + 1)
        for x in scores[~np.isnan(scores)]:
            out[sum(1 for c in cuts if x < c)] += 1
        return out

    assert doc["score"]["psi"] == pytest.approx(hand_psi(counts(bs), counts(cs)))
    # the complainer rule fires more often in the current table (more complaints)
    rule = next(r for r in doc["rules"] if r["name"] == "complainer")

    def rate(t: pl.DataFrame) -> float:
        kept = t.filter(pl.col("opt_in") != "false")
        c = kept["complaints"].to_list()
        return sum(1 for x in c if x and int(x) >= 2) / kept.height

    assert rule["base_rate"] == pytest.approx(rate(base))
    assert rule["cur_rate"] == pytest.approx(rate(cur))
    assert rule["flag"] in ("shift", "major shift")


@pytest.mark.parametrize("top", [None, "200", "15%"])
def test_fairness_json_matches_hand_rates(files: dict[str, Path], top: str | None) -> None:
    args = ["fairness", files["card"], files["base"], "--by", "gender", "--json"]
    if top:
        args += ["--top", top]
    code, out, err = invoke(*args)
    assert code == 0, err
    doc = json.loads(out)["fairness"]
    table = pl.read_csv(files["base"], infer_schema=False)
    score = expected_scores(table)
    keys = table["id"].to_list()
    scored = [i for i in range(len(score)) if not np.isnan(score[i])]
    if top is None:
        chosen = {i for i in scored if score[i] >= 30}
    else:
        k = 200 if top == "200" else math.ceil(len(scored) * 0.15)
        chosen = set(sorted(scored, key=lambda i: (-score[i], keys[i]))[:k])
    gender = table["gender"].to_list()
    rates = {}
    for g in doc["groups"]:
        members = [i for i in range(len(gender)) if gender[i] == g["group"]]
        rates[g["group"]] = sum(1 for i in members if i in chosen) / len(members)
        assert g["rows"] == len(members)
        assert g["selection_rate"] == pytest.approx(rates[g["group"]])
        assert g["mean_score"] == pytest.approx(np.nanmean(score[members]))
    assert doc["disparate_impact"] == pytest.approx(min(rates.values()) / max(rates.values()))


def test_user_errors_exit_1_with_a_message(files: dict[str, Path], tmp_path: Path) -> None:
    code, _, err = invoke("evaluate", files["card"], files["base"], "--target", "nope")
    assert code == 1 and "--target 'nope'" in err and "Traceback" not in err
    code, _, err = invoke("fairness", files["card"], files["base"], "--by", "id")
    assert code == 1 and "E1001" in err and "already uses this name" in err
    bad = tmp_path / "bad.csv"
    pl.read_csv(files["base"], infer_schema=False).with_columns(
        pl.when(pl.int_range(pl.len()) == 6).then(pl.lit("2")).otherwise(pl.col("churned"))
        .alias("churned")
    ).write_csv(bad)  # fmt: skip
    code, _, err = invoke("evaluate", files["card"], bad, "--target", "churned")
    assert code == 1 and "row 7: '2'" in err
    no_segments = tmp_path / "plain.scorecard"
    no_segments.write_text(CARD.replace('segment "high" when score >= 30', "").replace(
        'segment "low"  otherwise', ""), encoding="utf-8")  # fmt: skip
    code, _, err = invoke("fairness", no_segments, files["base"], "--by", "gender")
    assert code == 1 and "--top" in err
    code, _, err = invoke("fairness", files["card"], files["base"], "--by", "gender", "--top", "x")
    assert code == 2
    clash = tmp_path / "clash.csv"
    pl.read_csv(files["base"], infer_schema=False).rename({"churned": "young"}).write_csv(clash)
    code, _, err = invoke("evaluate", files["card"], clash, "--target", "young")
    assert code == 1 and "already uses this name" in err
    unknown = tmp_path / "unknown.csv"
    pl.read_csv(files["base"], infer_schema=False).with_columns(
        pl.lit(None, dtype=pl.String).alias("churned")
    ).write_csv(unknown)
    code, _, err = invoke("evaluate", files["card"], unknown, "--target", "churned")
    assert code == 1 and "nothing to evaluate" in err


def test_html_write_is_atomic_and_reports_a_missing_folder(files: dict[str, Path]) -> None:
    target = files["folder"] / "no-such-dir" / "r.html"
    code, _, err = invoke(
        "fairness", files["card"], files["base"], "--by", "gender", "--html", target
    )
    assert code == 1 and "Traceback" not in err
    assert not target.parent.exists()


def test_integer_keys_break_ties_in_number_order(tmp_path: Path) -> None:
    """Ties are split by key as numbers (2 before 10), the same for the card's classes
    (computed by `apply`) and for `--classes N` and `--top K` (computed by the report)."""
    card = tmp_path / "ints.scorecard"
    card.write_text(
        CARD.replace("id         : string key", "id         : int key").replace(
            "classes 5", "classes 4"
        ),
        encoding="utf-8",
    )
    n = 203
    rng = np.random.default_rng(5)
    table = make_table(7, n).with_columns(
        pl.Series("id", [str(i) for i in rng.permutation(n) + 1]),
        pl.Series("churned", [str(int(x)) for x in rng.random(n) < 0.3]),
    )
    data = tmp_path / "ints.csv"
    table.write_csv(data)
    score = expected_scores(table)
    keys = [int(k) for k in table["id"].to_list()]
    idx = [i for i in range(n) if not np.isnan(score[i])]
    expected = hand_classes(score[idx], [keys[i] for i in idx], 4)
    y = np.array([t == "1" for t in table["churned"].to_list()])[idx]
    expected_events = [int(y[np.array(expected) == c].sum()) for c in range(1, 5)]
    for extra in ([], ["--classes", "4"]):
        code, out, err = invoke("evaluate", card, data, "--target", "churned", "--json", *extra)
        assert code == 0, err
        doc = json.loads(out)["evaluation"]
        assert doc["class_source"] == ("override" if extra else "card")
        assert [r["events"] for r in doc["classes"]] == expected_events
    code, out, err = invoke("fairness", card, data, "--by", "gender", "--top", "25", "--json")
    assert code == 0, err
    chosen = set(sorted(idx, key=lambda i: (-score[i], keys[i]))[:25])
    gender = table["gender"].to_list()
    for g in json.loads(out)["fairness"]["groups"]:
        assert g["selected"] == sum(1 for i in chosen if gender[i] == g["group"])
