"""The bundled models (scorecards/models/*.skops, from scorecards/train_models.py): they load
safely, match their cards' features, and give scikit-learn's numbers on the bundled data
through both paths (batch in `apply`, expression for SQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import skops.io as sio

from engine.backends.polars.expressions import translate
from engine.check.source import check_file
from engine.models import LinkedProgram, OutputSpec, link
from tests.models.helpers import assert_close, sklearn_output

ROOT = Path(__file__).resolve().parents[2]
CARDS = ROOT / "scorecards"


def _customers() -> pl.DataFrame:
    frame = pl.read_csv(CARDS / "data" / "customers.csv", try_parse_dates=True)
    return frame.with_columns(
        (pl.lit(dt.date(2026, 11, 1)) - pl.col("last_order")).dt.total_days().alias("recency_days"),
        pl.col("income").cast(pl.Float64),
    )


def _model_output(linked: LinkedProgram, name: str, frame: pl.DataFrame) -> np.ndarray:
    expr = translate(linked.program.definition(name).expr, linked.batch_predictors)
    return frame.select(expr.alias("out"))["out"].fill_null(np.nan).to_numpy()


@pytest.mark.parametrize(
    ("card", "model", "file"),
    [
        ("churn_risk.scorecard", "churn", "churn_gbm.skops"),
        ("appetence.scorecard", "appetence", "appetence_lr.skops"),
    ],
)
def test_bundled_model_matches_sklearn(card: str, model: str, file: str) -> None:
    result = check_file(CARDS / card)
    assert result.program is not None, [d.headline() for d in result.diagnostics]
    program = result.program
    frame = _customers()

    path = CARDS / "models" / file
    est = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    names = [str(n) for n in est.feature_names_in_]
    assert names == list(program.models[0].features)
    reference_input = frame.select(names).to_pandas()
    if "income" in names:
        reference_input["income"] = reference_input["income"].astype(float)
    expected = sklearn_output(est, reference_input, OutputSpec("probability", 1))

    for for_sql in (False, True):
        linked = link(program, CARDS, for_sql=for_sql)
        assert linked.diagnostics == ()
        assert_close(_model_output(linked, model, frame), expected)
