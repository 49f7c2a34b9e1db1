"""`engine.models.linking`: which models become expressions, the batch path for the others, the
SQL refusals, and that both paths give scikit-learn's numbers through the Polars backend."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
import skops.io as sio
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVR

from engine import ir
from engine.backends.polars.expressions import translate
from engine.diagnostics import ScorecardError, Severity
from engine.models import LinkedProgram, OutputSpec, check_models, compile_estimator, link
from engine.program import Program
from tests.models.cards import MODEL_SPAN, floats, model_program
from tests.models.helpers import assert_close, numeric_data, sklearn_output, target

N = 10_000
NAMES = ("a", "b", "c", "d")


def _data(seed: int) -> tuple[np.ndarray, np.ndarray, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    x = numeric_data(rng, N, len(NAMES), null_rate=0.05)
    frame = pl.DataFrame({n: x[:, i] for i, n in enumerate(NAMES)}).fill_nan(None)
    return x, target(rng, x, "binary"), frame


def _save(tmp_path: Path, est: object) -> str:
    sio.dump(est, tmp_path / "m.skops")
    return "m.skops"


def _run(linked: LinkedProgram, frame: pl.DataFrame, name: str = "m") -> np.ndarray:
    expr = linked.program.definition(name).expr
    out = frame.select(translate(expr, linked.batch_predictors).alias("out"))["out"]
    return out.fill_null(np.nan).to_numpy()


def _program(tmp_path: Path, file: str, output: str = "probability") -> Program:
    return model_program(tmp_path, file, floats(*NAMES), output)  # type: ignore[arg-type]


def test_supported_model_becomes_an_expression(tmp_path: Path) -> None:
    x, y, frame = _data(40)
    # depth 2: few nodes per level, so the expression is the faster path (engine/models/cost.py)
    est = HistGradientBoostingClassifier(max_iter=10, max_depth=2, random_state=0).fit(x, y)
    linked = link(_program(tmp_path, _save(tmp_path, est)), tmp_path)
    expr = linked.program.definition("m").expr
    assert not any(isinstance(n, ir.ModelBatch) for n in ir.walk(expr))
    assert linked.batch_predictors == {} and linked.models["m"].compiled
    assert_close(_run(linked, frame), est.predict_proba(x)[:, 1])


def test_unsupported_estimator_runs_on_batches(tmp_path: Path) -> None:
    """KNeighbors has no expression form: apply calls it; a row with a null gives null."""
    x, y, frame = _data(41)
    complete = ~np.isnan(x).any(axis=1)
    est = KNeighborsClassifier(n_neighbors=7).fit(x[complete], y[complete])
    linked = link(_program(tmp_path, _save(tmp_path, est)), tmp_path)
    assert isinstance(linked.program.definition("m").expr, ir.ModelBatch)
    info = linked.models["m"]
    assert not info.compiled and "KNeighborsClassifier" in (info.reason or "")
    expected = np.full(N, np.nan)
    expected[complete] = est.predict_proba(x[complete])[:, 1]
    assert_close(_run(linked, frame), expected)


@pytest.mark.slow  # whole processes
def test_batch_pipeline_with_imputer_takes_rows_with_nulls(tmp_path: Path) -> None:
    x, y, frame = _data(42)
    est = make_pipeline(SimpleImputer(), SVR()).fit(x, y.astype(float))
    linked = link(_program(tmp_path, _save(tmp_path, est), "prediction"), tmp_path)
    assert "m" in linked.batch_predictors
    got = _run(linked, frame)
    assert not np.isnan(got).any()
    assert_close(got, est.predict(x))


@pytest.mark.slow  # whole processes
def test_deep_forest_uses_the_batch_path_and_both_paths_agree(tmp_path: Path) -> None:
    x, y, frame = _data(43)
    est = RandomForestClassifier(n_estimators=20, max_depth=10, random_state=0).fit(x, y)
    linked = link(_program(tmp_path, _save(tmp_path, est)), tmp_path)
    info = linked.models["m"]
    assert not info.compiled and "trees" in (info.reason or "")
    batch = _run(linked, frame)
    feats = tuple(ir.Ref(n, t) for n, t in floats(*NAMES))
    compiled_expr = compile_estimator(est, feats, OutputSpec("probability", 1))
    compiled = frame.select(translate(compiled_expr).alias("o"))["o"].to_numpy()
    reference = sklearn_output(est, x, OutputSpec("probability", 1))
    assert_close(batch, reference)
    assert_close(compiled, reference)
    # for SQL the same model is compiled regardless of speed
    for_sql = link(_program(tmp_path, "m.skops"), tmp_path, for_sql=True)
    assert for_sql.models["m"].compiled and for_sql.batch_predictors == {}


def test_compile_refuses_unsupported_estimator_with_its_name(tmp_path: Path) -> None:
    x, y, _ = _data(44)
    est = KNeighborsClassifier().fit(np.nan_to_num(x), y)
    program = _program(tmp_path, _save(tmp_path, est))
    with pytest.raises(ScorecardError) as caught:
        link(program, tmp_path, for_sql=True)
    (diag,) = caught.value.diagnostics
    assert diag.code == "E615" and "KNeighborsClassifier" in diag.message
    assert diag.span == MODEL_SPAN and diag.file == str(tmp_path / "card.scorecard")


def test_check_warns_that_a_model_cannot_be_exported(tmp_path: Path) -> None:
    x, y, _ = _data(45)
    est = make_pipeline(SimpleImputer(), KNeighborsClassifier()).fit(x, y)
    (diag,) = check_models(_program(tmp_path, _save(tmp_path, est)), tmp_path)
    assert diag.severity is Severity.WARNING and diag.code == "E615"
    assert "cannot be exported to SQL" in diag.message and "KNeighborsClassifier" in diag.message


def test_link_errors_are_raised_as_diagnostics(tmp_path: Path) -> None:
    x, y, _ = _data(46)
    import joblib

    joblib.dump(KNeighborsClassifier().fit(np.nan_to_num(x), y), tmp_path / "m.joblib")
    with pytest.raises(ScorecardError) as caught:
        link(_program(tmp_path, "m.joblib"), tmp_path)
    assert [d.code for d in caught.value.diagnostics] == ["E607"]
    assert caught.value.diagnostics[0].file == str(tmp_path / "card.scorecard")
