"""`scorecard returns`: a campaign against its control group, by class, and the Qini curve.

Checked against scikit-uplift (`uplift_by_percentile`, `qini_curve`) on generated campaigns
where the contact works on high scores only, and against a numpy computation for the money.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from engine.cli.app import app, load_commands

load_commands(None)

CARD = """
scorecard appetence {
}
input {
  id : string key
  x  : float
}
score = 100 * x
classes 5
outcome bought
"""


def _campaign(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.random(n)
    treated = rng.random(n) < 0.6
    base = 0.05 + 0.05 * x
    lift = np.where(x > 0.6, 0.25 * x, 0.0)  # the contact moves only high scores
    bought = rng.random(n) < base + treated * lift
    return pl.DataFrame(
        {
            "id": [f"c{i:05d}" for i in range(n)],
            "x": x,
            "contacted": np.where(treated, "yes", "no"),
            "bought": bought.astype(np.int64),
        }
    )


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path, pl.DataFrame]:
    card = tmp_path / "app.scorecard"
    card.write_text(CARD, encoding="utf-8")
    frame = _campaign(3000, 7)
    data = tmp_path / "campaign.csv"
    frame.write_csv(data)
    return card, data, frame


def _run(card: Path, data: Path, *extra: str) -> dict[str, object]:
    result = CliRunner().invoke(
        app, ["returns", str(card), str(data), "--treatment", "contacted", "--json", *extra]
    )
    assert result.exit_code == 0, result.stderr + result.stdout
    return json.loads(result.stdout)["returns"]  # type: ignore[no-any-return]


def test_classes_match_scikit_uplift(files: tuple[Path, Path, pl.DataFrame]) -> None:
    from sklift.metrics import uplift_by_percentile

    card, data, frame = files
    rt = _run(card, data, "--value", "40", "--cost", "2")
    y = frame["bought"].to_numpy()
    t = (frame["contacted"] == "yes").to_numpy().astype(int)
    score = 100 * frame["x"].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = uplift_by_percentile(y, score, t, bins=5)
    rows = rt["rows"]
    assert [r["contacted"] for r in rows] == list(ref["n_treatment"])  # type: ignore[index]
    assert [r["control"] for r in rows] == list(ref["n_control"])  # type: ignore[index]
    for r, (_, want) in zip(rows, ref.iterrows(), strict=True):  # type: ignore[arg-type]
        assert r["contacted_rate"] == pytest.approx(want["response_rate_treatment"], abs=1e-12)
        assert r["control_rate"] == pytest.approx(want["response_rate_control"], abs=1e-12)
        assert r["uplift"] == pytest.approx(want["uplift"], abs=1e-12)
        incremental = want["uplift"] * want["n_treatment"]
        assert r["incremental"] == pytest.approx(incremental, abs=1e-9)
        profit = incremental * 40 - want["n_treatment"] * 2
        assert r["profit"] == pytest.approx(profit, abs=1e-9)
        assert r["roi"] == pytest.approx(profit / (want["n_treatment"] * 2), abs=1e-12)
        assert r["worth"] == (profit > 0)
    # the contact works on the high scores only: the top class is worth it, the bottom is not
    assert 1 in rt["worth_classes"] and 5 not in rt["worth_classes"]  # type: ignore[operator]


def test_qini_matches_scikit_uplift(files: tuple[Path, Path, pl.DataFrame]) -> None:
    from sklift.metrics import qini_curve

    card, data, frame = files
    rt = _run(card, data)
    y = frame["bought"].to_numpy()
    t = (frame["contacted"] == "yes").to_numpy().astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k, q = qini_curve(y, 100 * frame["x"].to_numpy(), t)
    n = len(y)
    ours = {round(share * n): value for share, value in rt["qini"]}  # type: ignore[union-attr]
    assert len(ours) >= 100
    for count, value in ours.items():
        assert value == pytest.approx(q[list(k).index(count)], abs=1e-9)
    area = float(np.trapezoid(q, k / n)) - q[-1] / 2
    assert rt["qini_coefficient"] == pytest.approx(area, abs=1e-9)
    assert rt["qini_coefficient"] > 0  # type: ignore[operator]
    # a ranking that ignores the score does not find the movable customers
    shuffled = frame.with_columns(pl.Series("x", np.random.default_rng(1).random(n)))
    shuffled.write_csv(data)
    noise = _run(card, data)
    assert abs(noise["qini_coefficient"]) < rt["qini_coefficient"] / 3  # type: ignore[operator]


def test_errors_and_html(files: tuple[Path, Path, pl.DataFrame], tmp_path: Path) -> None:
    card, data, frame = files
    frame.with_columns(pl.lit("yes").alias("contacted")).write_csv(data)
    result = CliRunner().invoke(app, ["returns", str(card), str(data), "--treatment", "contacted"])
    assert result.exit_code == 1 and "error[E1007]" in result.stderr
    assert "no control" in result.stderr
    result = CliRunner().invoke(app, ["returns", str(card), str(data), "--treatment", "nope"])
    assert result.exit_code == 1 and "error[E1001]" in result.stderr
    frame.write_csv(data)
    page = tmp_path / "returns.html"
    result = CliRunner().invoke(
        app,
        ["returns", str(card), str(data), "--treatment", "contacted", "--html", str(page)],
    )
    assert result.exit_code == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    assert "Qini curve" in text and "<script" not in text and text.count("<svg") == 2
