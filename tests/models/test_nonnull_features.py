"""Tree models whose null tests fold away (`engine.nonnull`): a `required` feature and a
`coalesce` let lose their tests, a nullable feature keeps them, and `apply` (Polars) and the
compiled SQL (DuckDB) still give scikit-learn's `predict_proba` and `predict` to the bit on
data with missing values routed both ways (`missing_go_to_left`)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
import skops.io as sio
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeRegressor

import engine
from engine import ir
from tests.sql.helpers import duckdb_table, run_duckdb

CARD = """
scorecard m { }
input {
  id : int key
  a  : float required
  b  : float
  c  : float
}
let c_f = coalesce(c, 0.5)
model rf = sklearn "rf.skops" { features [a, b, c_f] output probability }
model dt = sklearn "dt.skops" { features [a, b, c_f] output prediction }
score = 1000.0 * rf + dt
"""


def _features(rng: np.random.Generator, n: int, nan_rate: float) -> np.ndarray:
    x = np.column_stack([rng.normal(size=n), rng.normal(size=n), rng.uniform(0, 1, size=n)])
    x[rng.random(x.shape) < nan_rate] = np.nan
    return x


@pytest.fixture(scope="module")
def fitted(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, RandomForestClassifier, DecisionTreeRegressor]:
    folder = tmp_path_factory.mktemp("nonnull")
    rng = np.random.default_rng(3)
    x = _features(rng, 4000, 0.15)  # NaN in every feature: splits send it both ways
    z = np.nan_to_num(x, nan=0.3)
    y = (z[:, 0] + z[:, 1] - z[:, 2] + rng.normal(scale=0.4, size=len(z)) > 0).astype(int)
    rf = RandomForestClassifier(n_estimators=8, max_depth=6, random_state=0).fit(x, y)
    dt = DecisionTreeRegressor(max_depth=7, random_state=0).fit(x, z @ [1.0, 2.0, -3.0])
    sio.dump(rf, folder / "rf.skops")
    sio.dump(dt, folder / "dt.skops")
    (folder / "m.scorecard").write_text(CARD, encoding="utf-8")
    return folder, rf, dt


def _missing_sides(trees: list[object]) -> dict[int, set[bool]]:
    """Per feature, the directions its splits send missing values (internal nodes only)."""
    sides: dict[int, set[bool]] = {0: set(), 1: set(), 2: set()}
    for t in trees:
        tree = t.tree_  # type: ignore[attr-defined]
        for node in range(tree.node_count):
            if tree.children_left[node] != -1:
                sides[int(tree.feature[node])].add(bool(tree.missing_go_to_left[node]))
    return sides


def _data(rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray]:
    # Fewer rows than SMALL_TABLE_ROWS: apply runs the cached expressions, not scikit-learn.
    """Scoring rows (a never missing, b and c missing often) and the matrix scikit-learn sees."""
    x = _features(rng, 3000, 0.25)
    x[:, 0] = np.nan_to_num(x[:, 0], nan=0.1)
    c = x[:, 2].copy()
    frame = pl.DataFrame({"id": np.arange(len(x)), "a": x[:, 0], "b": x[:, 1], "c": c})
    frame = frame.with_columns(  # a null as well as NaN: both are missing
        pl.when(pl.col("id") % 7 == 0).then(None).otherwise(pl.col("b")).alias("b"),
        pl.when(pl.col("id") % 11 == 0).then(None).otherwise(pl.col("c")).alias("c"),
    )
    b = frame["b"].fill_null(np.nan).to_numpy()
    c = frame["c"].fill_null(np.nan).to_numpy()
    seen = np.column_stack([x[:, 0], b, np.where(np.isnan(c), 0.5, c)])
    return frame, seen


def test_fitted_trees_send_missing_values_both_ways(
    fitted: tuple[Path, RandomForestClassifier, DecisionTreeRegressor],
) -> None:
    _, rf, dt = fitted
    sides = _missing_sides([*rf.estimators_, dt])
    assert all(s == {True, False} for s in sides.values()), sides


def test_only_the_nullable_feature_keeps_its_tests(
    fitted: tuple[Path, RandomForestClassifier, DecisionTreeRegressor],
) -> None:
    folder, _, _ = fitted
    card = engine.load(folder / "m.scorecard")
    statement = card.to_sql("duckdb", "scoring")  # also fills the cache of expressions
    assert '("b" IS NULL)' in statement
    assert '("a" IS NULL)' not in statement and '("c_f" IS NULL)' not in statement
    for validated, tested in ((True, {"b"}), (False, {"a", "b"})):
        program = card.prepare(validated=validated, small_table=True).program
        for name in ("rf", "dt"):
            expr = program.definition(name).expr
            assert not any(isinstance(n, ir.ModelBatch) for n in ir.walk(expr))
            missing = {
                r.name
                for n in ir.walk(expr)
                if isinstance(n, ir.IsMissing)
                for r in ir.walk(n.operand)
                if isinstance(r, ir.Ref)
            }
            assert missing == tested, (name, validated)


def test_apply_and_duckdb_equal_scikit_learn(
    fitted: tuple[Path, RandomForestClassifier, DecisionTreeRegressor],
) -> None:
    folder, rf, dt = fitted
    frame, seen = _data(np.random.default_rng(5))
    want_rf = rf.predict_proba(seen)[:, 1]
    want_dt = dt.predict(seen)
    card = engine.load(folder / "m.scorecard")
    statement = card.to_sql("duckdb", "scoring")  # the cache then serves apply the expressions
    out = card.apply(frame, explain=True).sort("id")
    assert np.array_equal(out["rf"].to_numpy(), want_rf)
    assert np.array_equal(out["dt"].to_numpy(), want_dt)
    want_score = 1000.0 * want_rf + want_dt
    assert np.array_equal(out["score"].to_numpy(), want_score)
    con = duckdb.connect()
    duckdb_table(con, "scoring", frame)
    rows = sorted(run_duckdb(con, statement.rstrip().rstrip(";")), key=lambda r: int(r["id"]))
    assert np.array_equal(np.array([r["score"] for r in rows]), want_score)
