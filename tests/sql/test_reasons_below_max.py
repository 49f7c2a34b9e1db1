"""`reasons K below max` (adverse-action reasons): a hand computation in numpy, the Polars
backend, DuckDB and PostgreSQL give the same reasons on every row."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import psycopg
import pytest

from engine.backends.sql import compile_program
from engine.check.source import check_source
from engine.program import Program
from tests.sql.helpers import (
    assert_same_rows,
    duckdb_table,
    pg_table,
    polars_rows,
    run_duckdb,
    run_pg,
)

CARD = """
scorecard credit { title "Credit" }

input {
  id         : string key
  age        : int
  income     : float
  tenure     : int
  complaints : int
  region     : string
}

param bonus : float = 15

let scaled = income / 100000

rule loyal "Long tenure" when tenure >= 24 then 40
rule north when region = "north" then bonus
rule complainer when complaints >= 3 then -20
rule wealth when true then clip(scaled, 0, 1) * 30

bins age_pts on age {
  missing  -> 10
  < 25     -> 10
  [25, 40) -> 25
  [40, 60) -> 35
  >= 60    -> 30
}

bins income_pts on income {
  < 20000        -> 5
  [20000, 50000) -> 20
  >= 50000       -> 20
}

score = 300 + points

reasons 3 below max
"""

NAMES = ["loyal", "north", "complainer", "wealth", "age_pts", "income_pts"]


def make_frame(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, n).astype(float)
    age[rng.random(n) < 0.1] = np.nan
    income = np.round(rng.choice([15000.0, 30000.0, 60000.0, 120000.0], n), 2)
    income[rng.random(n) < 0.1] = np.nan
    tenure = rng.integers(0, 60, n).astype(float)
    complaints = rng.integers(0, 6, n).astype(float)
    complaints[rng.random(n) < 0.1] = np.nan

    def ints(a: np.ndarray) -> list[int | None]:
        return [None if np.isnan(x) else int(x) for x in a]

    return pl.DataFrame(
        {
            "id": [f"k{i:04d}" for i in range(n)],
            "age": pl.Series(ints(age), dtype=pl.Int64),
            "income": pl.Series([None if np.isnan(x) else x for x in income], dtype=pl.Float64),
            "tenure": pl.Series(ints(tenure), dtype=pl.Int64),
            "complaints": pl.Series(ints(complaints), dtype=pl.Int64),
            "region": rng.choice(["north", "south", "east"], n),
        }
    )


def hand_reasons(frame: pl.DataFrame, bonus: float = 15.0) -> list[dict[str, object]]:
    """Each contribution and its maximum written out in numpy; the 3 largest positive
    shortfalls, ties in file order (a stable sort on −shortfall)."""

    def col(name: str) -> np.ndarray:
        return frame[name].cast(pl.Float64).fill_null(np.nan).to_numpy()

    age, income, tenure, complaints = col("age"), col("income"), col("tenure"), col("complaints")
    region = frame["region"].to_numpy()
    with np.errstate(invalid="ignore"):
        contrib = {
            "loyal": np.where(tenure >= 24, 40.0, 0.0),
            "north": np.where(region == "north", bonus, 0.0),
            "complainer": np.where(complaints >= 3, -20.0, 0.0),
            "wealth": np.clip(income / 100000, 0, 1) * 30,  # null income: null
            "age_pts": np.select(
                [np.isnan(age), age < 25, age < 40, age < 60], [10.0, 10.0, 25.0, 35.0], 30.0
            ),
            "income_pts": np.select(
                [np.isnan(income), income < 20000, income < 50000], [0.0, 5.0, 20.0], 20.0
            ),
        }
    most = {"loyal": 40, "north": bonus, "complainer": 0, "wealth": 30, "age_pts": 35}
    most["income_pts"] = 20
    short = np.column_stack([most[n] - contrib[n] for n in NAMES])
    out = []
    for i, key in enumerate(frame["id"].to_list()):
        row = short[i]
        candidates = [j for j in range(len(NAMES)) if not np.isnan(row[j]) and row[j] > 0]
        ranked = sorted(candidates, key=lambda j: -row[j])  # stable: ties keep file order
        names = [NAMES[j] for j in ranked[:3]] + [None] * 3
        out.append({"id": key, "reason_1": names[0], "reason_2": names[1], "reason_3": names[2]})
    return out


@pytest.fixture(scope="module")
def program() -> Program:
    result = check_source(CARD)
    assert result.program is not None, result.diagnostics
    return result.program


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return make_frame(600, 11)


COLUMNS = ["reason_1", "reason_2", "reason_3"]


def test_polars_matches_the_hand_computation(program: Program, frame: pl.DataFrame) -> None:
    rows = polars_rows(program, frame)
    assert_same_rows(rows, hand_reasons(frame), "id", COLUMNS, context="polars vs numpy")
    firsts = {r["reason_1"] for r in rows}
    assert {"loyal", "wealth", "age_pts"} <= firsts  # the ranking really varies


def test_duckdb_matches_polars(program: Program, frame: pl.DataFrame) -> None:
    con = duckdb.connect()
    duckdb_table(con, "customers", frame)
    rows = run_duckdb(con, compile_program(program, "duckdb", "customers"))
    columns = program.result_columns()
    assert_same_rows(rows, polars_rows(program, frame), "id", columns, context="duckdb")
    assert_same_rows(rows, hand_reasons(frame), "id", COLUMNS, context="duckdb vs numpy")


@pytest.mark.postgres
def test_postgres_matches_polars(
    pg: psycopg.Connection, program: Program, frame: pl.DataFrame
) -> None:
    pg_table(pg, "customers_below_max", frame)
    rows = run_pg(pg, compile_program(program, "postgres", "customers_below_max"))
    assert_same_rows(rows, polars_rows(program, frame), "id", program.result_columns())


def test_a_param_changes_the_maximum(program: Program, frame: pl.DataFrame) -> None:
    from engine.program import bind_params

    bound = bind_params(program, {"bonus": 100.0})
    from engine.backends.polars.runner import CardRun, build

    lf, layout = build(frame.lazy(), [CardRun(bound)])
    rows = lf.select(layout.result_columns).collect().to_dicts()
    assert_same_rows(rows, hand_reasons(frame, 100.0), "id", COLUMNS, context="bonus=100")


def test_the_card_prints_back_and_the_shortfalls_stay_out_of_the_namespace() -> None:
    from engine.syntax.parser import parse_text
    from engine.syntax.printer import format_card

    parsed = parse_text(CARD)
    assert parsed.card is not None
    assert "reasons 3 below max" in format_card(parsed.card, CARD)
    clash = CARD.replace("let scaled", "let `loyal below max` = 1\nlet scaled")
    result = check_source(clash)
    assert result.program is not None
    assert result.program.reasons is not None
    assert "loyal below max" not in result.program.reasons.ranked


def test_unbounded_rule_points_are_e410() -> None:
    bad = CARD.replace("clip(scaled, 0, 1) * 30", "scaled * 30")
    result = check_source(bad)
    assert result.program is None
    (diag,) = [d for d in result.diagnostics if d.code == "E410"]
    assert "wealth" in diag.message
    assert (
        diag.span is not None
        and diag.span.line
        == bad.splitlines().index(
            next(line for line in bad.splitlines() if line.startswith("rule wealth"))
        )
        + 1
    )


MODEL_CARD = """
scorecard lender {}
input {
  id : string key
  a  : float
  b  : float
}
model churn = sklearn "m.skops" {
  features [a, b]
  output probability
}
rule model_risk "Model" when true then 60 * (1 - churn)
rule small_a when a < 0 then 10
bins b_pts on b {
  < -1    -> 0
  [-1, 1) -> 15
  >= 1    -> 25
}
score = 500 + points
reasons 2 below max
"""


def test_a_model_is_a_reason_through_its_rule(tmp_path: Path) -> None:
    """The model's rule gives at most 60 (probability 0): its shortfall is 60·p, ranked with
    the others', in numpy, Polars and DuckDB alike."""
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    import engine

    rng = np.random.default_rng(4)
    x = rng.normal(size=(500, 2))
    y = (x[:, 0] - x[:, 1] + rng.normal(scale=0.8, size=500) > 0).astype(int)
    model = LogisticRegression().fit(x, y)
    sio.dump(model, tmp_path / "m.skops")
    (tmp_path / "lender.scorecard").write_text(MODEL_CARD, encoding="utf-8")
    card = engine.load(tmp_path / "lender.scorecard")
    test_x = rng.normal(size=(300, 2))
    frame = pl.DataFrame(
        {"id": [f"r{i:03d}" for i in range(300)], "a": test_x[:, 0], "b": test_x[:, 1]}
    )
    p = model.predict_proba(test_x)[:, 1]
    a, b = test_x[:, 0], test_x[:, 1]
    short = np.column_stack(
        [60 * p, np.where(a < 0, 0.0, 10.0), 25 - np.select([b < -1, b < 1], [0.0, 15.0], 25.0)]
    )
    names = ["model_risk", "small_a", "b_pts"]
    want = []
    for i in range(300):
        ranked = sorted((j for j in range(3) if short[i, j] > 0), key=lambda j: -short[i, j])
        got = [names[j] for j in ranked[:2]] + [None, None]
        want.append({"id": f"r{i:03d}", "reason_1": got[0], "reason_2": got[1]})
    polars = card.apply(frame).to_dicts()
    assert_same_rows(polars, want, "id", ["reason_1", "reason_2"], context="polars vs numpy")
    assert any(r["reason_1"] == "model_risk" for r in polars)
    con = duckdb.connect()
    duckdb_table(con, "customers", frame)
    rows = run_duckdb(con, card.to_sql("duckdb", "customers"))
    assert_same_rows(rows, polars, "id", ["score", "reason_1", "reason_2"], context="duckdb")
