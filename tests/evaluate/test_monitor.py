"""`scorecard monitor`: figures per period, checked against numpy, scikit-learn and the
two-table `stability` command (itself checked against a numpy PSI) on the same periods."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

import engine
from engine.cli.app import app, load_commands

load_commands(None)

CARD = """
scorecard churn {
}
input {
  id         : string key
  last_order : date
  orders     : int
  vip        : bool
}
param as_of : date = 2026-01-01
let recency = days_between(last_order, as_of)
exclude "vip" when vip
rule recent when recency <= 30 then -40
rule many when orders >= 5 then -20
bins orders_pts on orders {
  missing -> 5
  < 2     -> 30
  [2, 5)  -> 10
  >= 5    -> 0
}
score = 500 + points + recency / 10
classes 4
outcome churned
"""


def _history(seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for m, month in enumerate([dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]):
        n = 400
        back = rng.integers(1, 120, n) + (30 * m if m == 2 else 0)
        orders = rng.integers(0, 9, n).astype(float)
        orders[rng.random(n) < 0.05] = np.nan
        churn_p = 1 / (1 + np.exp(-(back / 40 - orders / 3)))
        parts.append(
            pl.DataFrame(
                {
                    "id": [f"m{m}-{i:04d}" for i in range(n)],
                    "month": [month] * n,
                    "last_order": [month - dt.timedelta(days=int(b)) for b in back],
                    "orders": pl.Series(orders).cast(pl.Int64, strict=False),
                    "vip": rng.random(n) < 0.1,
                    "churned": (rng.random(n) < churn_p).astype(np.int64),
                }
            )
        )
    empty = pl.DataFrame(
        {
            "id": ["m3-0000"],
            "month": [dt.date(2026, 4, 1)],
            "last_order": [dt.date(2026, 3, 20)],
            "orders": [3],
            "vip": [True],
            "churned": [0],
        }
    )
    return pl.concat([*parts, empty])


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path, pl.DataFrame]:
    card = tmp_path / "churn.scorecard"
    card.write_text(CARD, encoding="utf-8")
    frame = _history(3)
    data = tmp_path / "history.parquet"
    frame.write_parquet(data)
    return card, data, frame


def test_periods_against_independent_figures(
    files: tuple[Path, Path, pl.DataFrame], tmp_path: Path
) -> None:
    card_path, data, frame = files
    result = CliRunner().invoke(
        app,
        [
            "monitor",
            str(card_path),
            str(data),
            "--period",
            "month",
            "--param",
            "as_of=@period",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr + result.stdout
    mo = json.loads(result.stdout)["monitoring"]
    periods = mo["periods"]
    assert [p["period"] for p in periods] == [
        "2026-01-01",
        "2026-02-01",
        "2026-03-01",
        "2026-04-01",
    ]
    card = engine.load(card_path)
    months = sorted(frame["month"].unique().to_list())
    base = frame.filter(pl.col("month") == months[0])
    for p, month in zip(periods, months, strict=True):
        rows = frame.filter(pl.col("month") == month)
        scored = card.apply(rows, params={"as_of": month}, keep=["churned"])
        ok = scored.filter(pl.col("score").is_not_null())
        assert p["rows"] == rows.height and p["scored"] == ok.height
        if ok.height == 0:  # every customer of April is excluded: no figures, no failure
            assert p["psi"] is None and p["auc"] is None
            continue
        s = ok["score"].to_numpy()
        assert p["mean_score"] == pytest.approx(s.mean(), rel=1e-12)
        assert p["p50"] == pytest.approx(np.quantile(s, 0.5), rel=1e-12)
        y = ok["churned"].to_numpy()
        assert p["event_rate"] == pytest.approx(y.mean(), rel=1e-12)
        assert p["auc"] == pytest.approx(roc_auc_score(y, s), abs=1e-12)
        # the same PSI as `stability` gives for the baseline month against this month,
        # each scored as of its own month
        b_file, c_file = tmp_path / "b.parquet", tmp_path / "c.parquet"
        base.write_parquet(b_file)
        rows.write_parquet(c_file)
        st = _stability(card_path, b_file, c_file, months[0], month)
        assert p["psi"] == pytest.approx(st["score"]["psi"], abs=1e-12)
        blocks = {b["name"]: b["psi"] for b in st["blocks"]}
        assert {b["name"]: b["psi"] for b in p["blocks"]} == pytest.approx(blocks, abs=1e-12)
    # March's customers ordered a month later: its PSI flags a shift the others do not show
    assert periods[2]["flag"] != "stable" and periods[1]["flag"] == "stable"


def _stability(card: Path, base: Path, cur: Path, b_month: dt.date, c_month: dt.date) -> dict:  # type: ignore[type-arg]
    """`scorecard stability`'s figures for the two tables, each scored as of its own month."""
    from engine.evaluate import stability
    from engine.evaluate.run import score_rows

    card_obj = engine.load(card)
    b_rows = score_rows(card_obj, base, params={"as_of": b_month})
    c_rows = score_rows(card_obj, cur, params={"as_of": c_month})
    result = stability.stability(b_rows, c_rows, 4)
    return {
        "score": {"psi": result.score.psi},
        "blocks": [{"name": b.name, "psi": b.psi} for b in result.blocks],
    }


def test_one_file_per_period_and_errors(
    files: tuple[Path, Path, pl.DataFrame], tmp_path: Path
) -> None:
    card, _, frame = files
    paths = []
    for month in sorted(frame["month"].unique().to_list())[:3]:
        path = tmp_path / f"{month.isoformat()}.csv"
        frame.filter(pl.col("month") == month).drop("month").write_csv(path)
        paths.append(str(path))
    result = CliRunner().invoke(
        app, ["monitor", str(card), *paths, "--param", "as_of=@period", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    labels = [p["period"] for p in json.loads(result.stdout)["monitoring"]["periods"]]
    assert labels == ["2026-01-01", "2026-02-01", "2026-03-01"]
    result = CliRunner().invoke(app, ["monitor", str(card), *paths, "--param", "asof=@period"])
    assert result.exit_code == 1 and "error[E1008]" in result.stderr
    result = CliRunner().invoke(app, ["monitor", str(card), *paths, "--baseline", "2025"])
    assert result.exit_code == 1 and "error[E1008]" in result.stderr
    page = tmp_path / "m.html"
    result = CliRunner().invoke(app, ["monitor", str(card), *paths, "--html", str(page)])
    assert result.exit_code == 0, result.stderr
    assert page.read_text(encoding="utf-8").count("<svg") == 3  # score, PSI, AUC by period
