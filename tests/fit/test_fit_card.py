"""The written card is the fitted model: its scores, in Polars and in DuckDB, are the
regression's log-odds through the scaling; it checks, formats and tests clean; it is the same
byte for byte on the same data."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

import engine
from engine.cli import app
from engine.fitting import CreditScaling, FitResult, RangeScaling
from engine.syntax import ast, parse_card
from engine.syntax.printer import format_card
from tests.fit.fitgen import make_table
from tests.fit.helpers import bins_blocks, match, woe_table
from tests.sql.helpers import assert_same_rows, duckdb_table, run_duckdb

OPTIONS = {"sensitive": ["gender"], "exclude": ["month"], "special": {"income": ["-999"]}}


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    return make_table(5000, seed=2)


@pytest.fixture(scope="module")
def credit(table: pl.DataFrame) -> FitResult:
    return engine.fit(table, "bad", holdout=0, scaling=CreditScaling(20, 50, 600), **OPTIONS)


@pytest.fixture(scope="module")
def marketing(table: pl.DataFrame) -> FitResult:
    return engine.fit(table, "bad", holdout=0, scaling=RangeScaling(0, 1000), **OPTIONS)


def woe_matrix(result: FitResult, table: pl.DataFrame) -> tuple[np.ndarray, list[np.ndarray]]:
    """Rows × characteristics in the estimator's order, WoE computed here; and each one's
    WoE per bin."""
    blocks = {b.on.name: b for b in bins_blocks(result.card).values()}
    event = table["bad"].to_numpy() == 1
    columns, per_bin = [], []
    for name in result.regression.features:
        stmt = blocks[name]
        index = match(stmt, table[name])
        woe = woe_table(index, len(stmt.entries), event)["woe"]
        columns.append(woe[index])
        per_bin.append(woe)
    return np.column_stack(columns), per_bin


def card_scores(result: FitResult, table: pl.DataFrame) -> np.ndarray:
    card = engine.loads(result.card)
    scored = card.apply(table)
    assert scored["customer_id"].to_list() == table["customer_id"].to_list()
    return scored["score"].to_numpy()


def test_credit_card_scores_are_the_regression_through_the_pdo_scaling(
    table: pl.DataFrame, credit: FitResult
) -> None:
    matrix, _ = woe_matrix(credit, table)
    log_odds = credit.regression.estimator.decision_function(matrix)
    factor = 20 / math.log(2)
    offset = 600 - factor * math.log(50)
    expected = offset - factor * log_odds  # log-odds of an event = -ln(non-event odds)
    np.testing.assert_allclose(card_scores(credit, table), expected, rtol=0, atol=1e-9)


def test_marketing_card_scores_are_the_regression_mapped_onto_0_1000(
    table: pl.DataFrame, marketing: FitResult
) -> None:
    matrix, per_bin = woe_matrix(marketing, table)
    est = marketing.regression.estimator
    log_odds = est.decision_function(matrix)
    beta = est.coef_[0]
    low = est.intercept_[0] + sum(min(b * w) for b, w in zip(beta, per_bin, strict=True))
    high = est.intercept_[0] + sum(max(b * w) for b, w in zip(beta, per_bin, strict=True))
    expected = (log_odds - low) / (high - low) * 1000
    scores = card_scores(marketing, table)
    np.testing.assert_allclose(scores, expected, rtol=0, atol=1e-9)
    assert scores.min() >= -1e-9 and scores.max() <= 1000 + 1e-9


def test_the_regression_is_scikit_learns_default_logistic_regression(
    table: pl.DataFrame, credit: FitResult
) -> None:
    """Refitted here with another solver on the WoE computed here: the same coefficients."""
    from sklearn.linear_model import LogisticRegression

    matrix, _ = woe_matrix(credit, table)
    ours = LogisticRegression(solver="lbfgs", max_iter=5000, tol=1e-12)
    ours.fit(matrix, table["bad"].to_numpy())
    np.testing.assert_allclose(ours.coef_[0], credit.regression.coefficients, atol=1e-4)


def test_rounded_points_are_whole_numbers(table: pl.DataFrame) -> None:
    result = engine.fit(
        table, "bad", holdout=0, round_points=True, scaling=CreditScaling(), **OPTIONS
    )
    card, _ = parse_card(result.card)
    assert card is not None
    for stmt in card.statements:
        if isinstance(stmt, ast.BinsStmt):
            assert all(isinstance(e.points, ast.IntLit) for e in stmt.entries)
    assert float(result.figures.base_points).is_integer()
    scores = card_scores(result, table)
    np.testing.assert_allclose(scores, np.round(scores))


def test_the_card_checks_formats_and_tests_clean(tmp_path: Path, credit: FitResult) -> None:
    path = tmp_path / "risk.scorecard"
    path.write_text(credit.card, encoding="utf-8")
    for args in (["check", path], ["fmt", "--check", path], ["test", path]):
        result = CliRunner().invoke(app, [str(a) for a in args])
        assert result.exit_code == 0, (args, result.output, result.stderr)
        assert "warning" not in result.stderr, result.stderr
    parsed, _ = parse_card(credit.card)
    assert parsed is not None and format_card(parsed, credit.card) == credit.card
    assert credit.card.count("\nexample ") == 3
    assert "classes 10" in credit.card and "reasons 3 lowest" in credit.card
    header = [line for line in credit.card.splitlines() if line.startswith("# fit: ")]
    assert any("AUC" in line and "Gini" in line and "KS" in line for line in header)
    assert header[0].startswith("# fit: scorecard fit")


def test_each_bin_line_states_share_event_rate_and_woe(credit: FitResult) -> None:
    lines = [line for line in credit.card.splitlines() if "->" in line]
    assert lines and all(
        ("# share " in line and "WoE" in line) or "no training rows" in line for line in lines
    )


def test_compiled_card_gives_the_same_rows_in_duckdb(
    tmp_path: Path, table: pl.DataFrame, credit: FitResult
) -> None:
    path = tmp_path / "risk.scorecard"
    path.write_text(credit.card, encoding="utf-8")
    sql = tmp_path / "risk.sql"
    result = CliRunner().invoke(
        app, ["compile", str(path), "--dialect", "duckdb", "--table", "customers", "-o", str(sql)]
    )
    assert result.exit_code == 0, result.stderr
    con = duckdb.connect()
    duckdb_table(con, "customers", table)
    got = run_duckdb(con, sql.read_text(encoding="utf-8"))
    want = engine.loads(credit.card).apply(table).to_dicts()
    columns = ["score", "class", "reason_1", "reason_2", "reason_3", "excluded"]
    assert_same_rows(got, want, "customer_id", columns, context="duckdb")


def test_same_data_and_options_give_a_byte_identical_card(
    tmp_path: Path, table: pl.DataFrame
) -> None:
    data = tmp_path / "history.csv"
    table.write_csv(data)
    out = tmp_path / "risk.scorecard"
    args = [
        "fit",
        str(data),
        "--target",
        "bad",
        "--sensitive",
        "gender",
        "--special",
        "income=-999",
        "-o",
        str(out),
    ]
    outputs = []
    for _ in range(2):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    # the Python API on the same file, for the same output, gives the very same text
    again = engine.fit(
        data, "bad", sensitive=["gender"], special={"income": ["-999"]}, output=str(out)
    )
    assert again.card.encode("utf-8") == outputs[0]
