"""Loading model files: skops allow-list, pickles only with a sha256 pin or --trust-models,
version warnings, and the feature / output checks against the fitted estimator."""

from __future__ import annotations

import hashlib
import io
import pickle
import zipfile
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline

from engine.diagnostics import Severity
from engine.models import load_model
from engine.models.features import check_features, resolve_output
from engine.types import ScalarType
from tests.models.cards import MODEL_SPAN, floats, model_program


class Doubler(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """A custom transformer: code outside scikit-learn, which a card must not load."""

    def fit(self, x: Any, y: Any = None) -> Doubler:
        return self

    def transform(self, x: Any) -> Any:
        return 2 * np.asarray(x)


class Planted:
    """Unpickling this writes a file: the proof that loading a pickle runs code."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return (Path.write_text, (str(self.target), "pwned"))  # type: ignore[return-value]


def _fit_classifier() -> LogisticRegression:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    return LogisticRegression().fit(x, (x[:, 0] > 0).astype(int))


def _model(tmp_path: Path, file: str, **kw: Any) -> Any:
    program = model_program(tmp_path, file, floats("a", "b", "c"), **kw)
    return program.models[0]


def test_skops_model_loads(tmp_path: Path) -> None:
    est = GradientBoostingClassifier(n_estimators=5).fit(
        np.random.default_rng(1).normal(size=(100, 3)), [0, 1] * 50
    )
    sio.dump(est, tmp_path / "m.skops")
    result = load_model(_model(tmp_path, "m.skops"), tmp_path)
    assert result.diagnostics == ()
    assert isinstance(result.estimator, GradientBoostingClassifier)
    x = np.random.default_rng(2).normal(size=(20, 3))
    assert np.array_equal(result.estimator.predict_proba(x), est.predict_proba(x))


def test_skops_untrusted_type_is_refused_and_named(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(50, 3))
    est = make_pipeline(Doubler(), LogisticRegression()).fit(x, (x[:, 0] > 0).astype(int))
    sio.dump(est, tmp_path / "m.skops")
    result = load_model(_model(tmp_path, "m.skops"), tmp_path)
    assert result.estimator is None
    (diag,) = result.diagnostics
    assert diag.code == "E608"
    assert "tests.models.test_loading.Doubler" in diag.message
    assert diag.span == MODEL_SPAN


@pytest.mark.parametrize("suffix", [".joblib", ".pkl"])
def test_pickle_without_pin_is_refused_without_running_it(tmp_path: Path, suffix: str) -> None:
    marker = tmp_path / "ran.txt"
    path = tmp_path / f"m{suffix}"
    if suffix == ".joblib":
        joblib.dump(Planted(marker), path)
    else:
        path.write_bytes(pickle.dumps(Planted(marker)))
    result = load_model(_model(tmp_path, path.name), tmp_path)
    assert result.estimator is None
    (diag,) = result.diagnostics
    assert diag.code == "E607"
    assert "runs any code" in diag.message
    assert any("--trust-models" in n and "sha256" in n for n in diag.notes)
    assert not marker.exists()


def test_pickle_with_matching_pin_loads(tmp_path: Path) -> None:
    est = _fit_classifier()
    data = pickle.dumps(est)
    (tmp_path / "m.pkl").write_bytes(data)
    pin = hashlib.sha256(data).hexdigest().upper()  # pins compare case-insensitively
    result = load_model(_model(tmp_path, "m.pkl", sha256=pin), tmp_path)
    assert result.diagnostics == ()
    assert np.array_equal(result.estimator.coef_, est.coef_)


def test_pickle_with_trust_models_loads(tmp_path: Path) -> None:
    joblib.dump(_fit_classifier(), tmp_path / "m.joblib")
    result = load_model(_model(tmp_path, "m.joblib"), tmp_path, trust_models=True)
    assert isinstance(result.estimator, LogisticRegression)


@pytest.mark.parametrize("file", ["m.pkl", "m.skops"])
def test_wrong_sha256_is_refused(tmp_path: Path, file: str) -> None:
    marker = tmp_path / "ran.txt"
    if file.endswith(".pkl"):
        (tmp_path / file).write_bytes(pickle.dumps(Planted(marker)))
    else:
        sio.dump(_fit_classifier(), tmp_path / file)
    wrong = "0" * 64
    result = load_model(_model(tmp_path, file, sha256=wrong), tmp_path, trust_models=True)
    assert result.estimator is None
    (diag,) = result.diagnostics
    assert diag.code == "E602"
    actual = hashlib.sha256((tmp_path / file).read_bytes()).hexdigest()
    assert any(actual in n for n in diag.notes)
    assert not marker.exists()


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    (diag,) = load_model(_model(tmp_path, "nope.skops"), tmp_path).diagnostics
    assert diag.code == "E600"
    (tmp_path / "m.onnx").write_bytes(b"x")
    (diag,) = load_model(_model(tmp_path, "m.onnx"), tmp_path).diagnostics
    assert diag.code == "E606"


def test_pickle_from_another_version_warns(tmp_path: Path) -> None:
    import sklearn

    data = pickle.dumps(_fit_classifier())
    here = sklearn.__version__.encode()
    other = b"1.0.0"[: len(here)].ljust(len(here), b"0")
    assert data.count(here) == 1
    (tmp_path / "m.pkl").write_bytes(data.replace(here, other))
    result = load_model(_model(tmp_path, "m.pkl"), tmp_path, trust_models=True)
    assert result.estimator is not None
    (diag,) = result.diagnostics
    assert diag.severity is Severity.WARNING
    assert diag.code == "W610"
    assert other.decode() in diag.message and sklearn.__version__ in diag.message


def test_skops_from_another_version_warns(tmp_path: Path) -> None:
    import sklearn

    buffer = io.BytesIO()
    sio.dump(_fit_classifier(), buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    target = tmp_path / "m.skops"
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "schema.json":
                content = content.replace(f'"{sklearn.__version__}"'.encode(), b'"1.2.0"').replace(
                    f'\\"{sklearn.__version__}\\"'.encode(), b'\\"1.2.0\\"'
                )
            out.writestr(item, content)
    result = load_model(_model(tmp_path, "m.skops"), tmp_path)
    assert result.estimator is not None
    assert [d.code for d in result.diagnostics] == ["W610"]
    assert "1.2.0" in result.diagnostics[0].message


def test_feature_names_mismatch_lists_the_names(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(rng.normal(size=(60, 3)), columns=["age", "income", "tenure"])
    est = LinearRegression().fit(frame, rng.normal(size=60))
    program = model_program(tmp_path, "m.skops", floats("age", "tenure", "income"), "prediction")
    (diag,) = check_features(est, program.models[0], program.definitions[0].expr.features)  # type: ignore[union-attr]
    assert diag.code == "E611"
    text = "\n".join(diag.notes)
    assert "[age, tenure, income]" in text and "[age, income, tenure]" in text
    assert "different order" in text

    program = model_program(tmp_path, "m.skops", floats("age", "revenue", "tenure"), "prediction")
    (diag,) = check_features(est, program.models[0], program.definitions[0].expr.features)  # type: ignore[union-attr]
    text = "\n".join(diag.notes)
    assert "missing from the card: income" in text
    assert "not features of the model: revenue" in text


def test_feature_count_mismatch(tmp_path: Path) -> None:
    est = _fit_classifier()  # 3 features, no names
    program = model_program(tmp_path, "m.skops", floats("a", "b"))
    (diag,) = check_features(est, program.models[0], program.definitions[0].expr.features)  # type: ignore[union-attr]
    assert "expects 3 features" in diag.message and "lists 2" in diag.message


def test_date_feature_is_refused(tmp_path: Path) -> None:
    est = _fit_classifier()
    feats = [("a", ScalarType.FLOAT), ("b", ScalarType.DATE), ("c", ScalarType.FLOAT)]
    program = model_program(tmp_path, "m.skops", feats)
    (diag,) = check_features(est, program.models[0], program.definitions[0].expr.features)  # type: ignore[union-attr]
    assert diag.code == "E612" and "'b'" in diag.message


def test_output_checks(tmp_path: Path) -> None:
    clf = _fit_classifier()
    rng = np.random.default_rng(5)
    x = rng.normal(size=(90, 3))
    multi = LogisticRegression().fit(x, np.array(["bas", "moyen", "haut"] * 30))
    reg = LinearRegression().fit(x, rng.normal(size=90))

    def out(est: Any, output: str, cls: str | None = None) -> Any:
        program = model_program(tmp_path, "m.skops", floats("a", "b", "c"), output, cls)  # type: ignore[arg-type]
        return resolve_output(est, program.models[0])

    assert out(clf, "probability")[0].class_index == 1  # type: ignore[union-attr]
    assert out(clf, "probability", "0")[0].class_index == 0  # type: ignore[union-attr]
    assert out(multi, "probability", "haut")[0].class_index == 1  # type: ignore[union-attr]
    spec, diags = out(multi, "probability")
    assert (
        spec is None and "3 classes" in diags[0].message and "bas, haut, moyen" in diags[0].notes[0]
    )
    spec, diags = out(multi, "probability", "tres haut")
    assert spec is None and "no class 'tres haut'" in diags[0].message
    spec, diags = out(reg, "probability")
    assert spec is None and "regressor" in diags[0].message
    spec, diags = out(clf, "prediction")
    assert spec is None and "classifier" in diags[0].message
