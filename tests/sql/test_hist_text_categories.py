"""Histogram gradient boosting on text categories, written the ways a user writes it, in every
command: `apply`, `test`, `evaluate` (Polars) and `compile` (DuckDB, PostgreSQL).

The models are trained here on generated data with two text columns; the rows scored then hold
categories the model never saw, nulls in every column, and the training categories. Each
card's value is compared with scikit-learn's `predict_proba` on the same rows, passed to the
estimator as its user would pass them (a pandas frame with the same column types as in `fit`),
within 1e-12.

1. native categories, `categorical_features="from_dtype"` (the default) on pandas categoricals;
2. native categories named, `categorical_features=["csp", "region"]`, on plain text columns;
3. a Pipeline whose ColumnTransformer ordinal-encodes the text (unknown categories to NaN) and
   passes the numbers through, then HistGradientBoosting told which columns are categories;
4. the same with unknown categories coded -1 and missing ones -2 (`encoded_missing_value`).

A model with no expression form cannot take text on the batch path (it passes numbers):
`check` itself refuses such a card, saying why.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import psycopg
import pytest
import skops.io as sio
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
from typer.testing import CliRunner

from engine.api import load
from engine.check.source import check_file
from engine.cli import app
from tests.sql.helpers import duckdb_table, pg_table, run_duckdb, run_pg

TOLERANCE = 1e-12
CSP = ["ouvrier", "employe", "cadre", "artisan", "retraite", "etudiant", "agriculteur"]
REGIONS = ["idf", "ara", "naq", "occ", "hdf", "ges", "pac", "bre", "nor"]
FEATURES = ["income", "csp", "age", "region"]


def _sample(rng: np.random.Generator, n: int, unseen: bool) -> pd.DataFrame:
    csp = np.asarray(CSP, dtype=object)[rng.integers(0, len(CSP), n)]
    region = np.asarray(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), n)]
    income = np.round(rng.normal(32_000, 12_000, n), 2)
    age = rng.integers(18, 90, n).astype(float)
    for col in (csp, region, income, age):
        col[rng.random(n) < 0.08] = None if col.dtype == object else np.nan
    if unseen:
        csp[rng.random(n) < 0.06] = "inconnu"
        region[rng.random(n) < 0.06] = "corse"
        csp[:3] = ["", "Cadre", "cadre "]  # near a known name, still unknown
    return pd.DataFrame({"income": income, "csp": csp, "age": age, "region": region})


def _texts(column: pd.Series) -> list[str | None]:
    return [None if pd.isna(v) else str(v) for v in column]


def _target(rng: np.random.Generator, x: pd.DataFrame) -> np.ndarray:
    z = (
        x["csp"].isin(["cadre", "artisan"]).to_numpy() * 1.2
        + x["region"].isin(["idf", "pac"]).to_numpy() * 0.8
        - np.nan_to_num(x["income"].to_numpy(dtype=float), nan=30_000) / 25_000
        + np.nan_to_num(x["age"].to_numpy(dtype=float), nan=50) / 60
        + x["csp"].isna().to_numpy() * 0.7
    )
    return (z + rng.normal(scale=0.4, size=len(x)) > 0.4).astype(int)


def _categorical(x: pd.DataFrame) -> pd.DataFrame:
    return x.assign(csp=pd.Categorical(x["csp"]), region=pd.Categorical(x["region"]))


def _ordinal_pipeline(**encoder: Any) -> Any:
    columns = make_column_transformer(
        (OrdinalEncoder(handle_unknown="use_encoded_value", **encoder), ["csp", "region"]),
        remainder="passthrough",
        verbose_feature_names_out=False,
    )
    return make_pipeline(
        columns,
        HistGradientBoostingClassifier(max_iter=30, categorical_features=[0, 1], random_state=0),
    )


MODELS: dict[str, tuple[Callable[[], Any], Callable[[pd.DataFrame], pd.DataFrame]]] = {
    "from_dtype": (
        lambda: HistGradientBoostingClassifier(max_iter=30, random_state=0),
        _categorical,
    ),
    "named": (
        lambda: HistGradientBoostingClassifier(
            max_iter=30, categorical_features=["csp", "region"], random_state=0
        ),
        lambda x: x,
    ),
    "ordinal_nan": (lambda: _ordinal_pipeline(unknown_value=np.nan), lambda x: x),
    "ordinal_codes": (
        lambda: _ordinal_pipeline(unknown_value=-1, encoded_missing_value=-2),
        lambda x: x,
    ),
}

CARD = """scorecard text_categories { }
input {
  id     : string key
  income : float
  csp    : string
  age    : int
  region : string
}
model m = sklearn "model.skops" {
  features [income, csp, age, region]
  output probability
}
score = m
"""


class Case:
    """A trained model saved beside its card, and the rows to score with the expected values."""

    def __init__(self, folder: Path, kind: str) -> None:
        make, as_user = MODELS[kind]
        rng = np.random.default_rng(7)
        train = _sample(rng, 4_000, unseen=False)
        self.model = make().fit(as_user(train), _target(rng, train))
        sio.dump(self.model, folder / "model.skops")
        self.card = folder / "card.scorecard"
        rows = _sample(np.random.default_rng(8), 3_000, unseen=True)
        self.expected = self.model.predict_proba(as_user(rows))[:, 1]
        self.target = _target(np.random.default_rng(9), rows)
        given = ['id = "x"']
        for name in FEATURES:
            value = rows[name][0]
            if pd.isna(value):
                continue  # not given: null
            given.append(
                f'{name} = "{value}"'
                if isinstance(value, str)
                else f"{name} = {int(value) if name == 'age' else float(value)!r}"
            )
        example = (
            f'example "first row" {{\n  given {", ".join(given)}\n'
            f"  expect m = {float(self.expected[0])!r}\n}}\n"
        )
        self.card.write_text(CARD + example, encoding="utf-8")
        self.frame = pl.DataFrame(
            {
                "id": [f"c{i:05d}" for i in range(len(rows))],
                "income": rows["income"].to_numpy(dtype=float),
                "csp": _texts(rows["csp"]),
                "age": [None if np.isnan(v) else int(v) for v in rows["age"]],
                "region": _texts(rows["region"]),
                "y": self.target,
            },
            schema_overrides={"age": pl.Int64},
        ).with_columns(pl.col("income").fill_nan(None))
        self.data = folder / "rows.parquet"
        self.frame.write_parquet(self.data)

    def check_rows(self, ids: list[str], scores: list[float | None], context: str) -> None:
        by_id = dict(zip(ids, scores, strict=True))
        got = np.array([by_id[i] for i in self.frame["id"]], dtype=float)
        assert not np.isnan(got).any(), f"{context}: null values"
        worst = float(np.max(np.abs(got - self.expected)))
        assert worst <= TOLERANCE, f"{context}: differs from predict_proba by {worst:.3g}"


@pytest.fixture(scope="module", params=list(MODELS))
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Case:
    return Case(tmp_path_factory.mktemp(request.param), request.param)


def test_rows_hold_unseen_categories_and_nulls(case: Case) -> None:
    assert case.frame["csp"].is_in(["inconnu"]).sum() > 50
    assert case.frame["region"].is_null().sum() > 50
    assert case.frame["income"].is_null().sum() > 50


def test_check(case: Case) -> None:
    result = check_file(case.card)
    assert result.ok, [d.message for d in result.diagnostics]


def test_apply(case: Case) -> None:
    out = case.card.parent / "scores.csv"
    result = CliRunner().invoke(app, ["apply", str(case.card), str(case.data), "-o", str(out)])
    assert result.exit_code == 0, result.output
    scores = pl.read_csv(out)
    case.check_rows(scores["id"].to_list(), scores["score"].to_list(), "apply")


def test_examples(case: Case) -> None:
    result = CliRunner().invoke(app, ["test", str(case.card)])
    assert result.exit_code == 0, result.output
    outcomes = load(case.card).test()
    assert [o.passed for o in outcomes] == [True]


def test_evaluate(case: Case) -> None:
    result = CliRunner().invoke(
        app, ["evaluate", str(case.card), str(case.data), "--target", "y", "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)["evaluation"]
    assert abs(figures["auc"] - roc_auc_score(case.target, case.expected)) <= 1e-12


def test_duckdb(case: Case) -> None:
    con = duckdb.connect()
    duckdb_table(con, "rows", case.frame)
    rows = run_duckdb(con, load(case.card).to_sql("duckdb", "rows"))
    case.check_rows([r["id"] for r in rows], [r["score"] for r in rows], "duckdb")


@pytest.mark.postgres
def test_postgres(case: Case, pg: psycopg.Connection) -> None:
    pg_table(pg, "text_rows", case.frame)
    rows = run_pg(pg, load(case.card).to_sql("postgres", "text_rows"))
    case.check_rows([r["id"] for r in rows], [r["score"] for r in rows], "postgres")


def test_check_refuses_text_for_a_batch_only_model(tmp_path: Path) -> None:
    """Text one-hot encoded for a nearest-neighbour model: no expression form, and the batch
    path passes numbers only, so the card is refused by `check`, naming the feature."""
    rng = np.random.default_rng(3)
    train = _sample(rng, 800, unseen=False).fillna({"csp": "none", "region": "none"}).fillna(0)
    model = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["csp", "region"]),
            remainder="passthrough",
        ),
        KNeighborsClassifier(),
    ).fit(train, _target(rng, train))
    sio.dump(model, tmp_path / "model.skops")
    card = tmp_path / "card.scorecard"
    card.write_text(CARD, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(card)])
    assert result.exit_code == 1, result.output
    assert "E614" in result.output and "csp, region" in result.output, result.output
    assert "KNeighborsClassifier" in result.output
