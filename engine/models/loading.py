"""Loading trained scikit-learn models safely.

A model file is data the card points to, and loading it must not run code an attacker chose:

- `.skops` files go through skops' loader, which rebuilds objects from a schema and refuses
  any type it does not trust. We trust skops' own defaults (scikit-learn estimators, numpy and
  scipy containers) plus a fixed list of internal scikit-learn types that fitted models hold
  (`TRUSTED_TYPES`); anything else is refused and named, never loaded.
- `.joblib` / `.pkl` files are pickles: unpickling runs arbitrary code. They load only when the
  card pins their content with `sha256 "..."` (checked before unpickling) or the user passes
  `--trust-models`.

The file is read once into memory; the digest is checked and the object built from those same
bytes, so the file cannot change between the check and the load.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import sklearn
from sklearn.base import BaseEstimator
from sklearn.exceptions import InconsistentVersionWarning

from engine.diagnostics import Diagnostic, error, os_reason, warning
from engine.models.files import model_path
from engine.program import ModelDef

SKOPS_SUFFIXES: Final = frozenset({".skops"})
PICKLE_SUFFIXES: Final = frozenset({".joblib", ".pkl", ".pickle"})

TRUSTED_TYPES: Final = frozenset(
    {
        # Fitted trees and histogram-boosting predictors: plain arrays in a typed container.
        "sklearn.tree._tree.Tree",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        # Pipelines remember the dtypes they were fitted on.
        "numpy.dtype",
        # Histogram boosting with categorical features keeps `partial(check_array, ...)` as its
        # numeric preprocessor; `partial` can only wrap a callable that is itself trusted here.
        "sklearn.utils.validation.check_array",
        "functools.partial",
        # Nearest-neighbour models (batch path): their search trees and distance metrics.
        "sklearn.neighbors._kd_tree.KDTree",
        "sklearn.neighbors._ball_tree.BallTree",
        "sklearn.metrics._dist_metrics.EuclideanDistance64",
        "sklearn.metrics._dist_metrics.ManhattanDistance64",
        "sklearn.metrics._dist_metrics.MinkowskiDistance64",
    }
)
"""Types a fitted supported model holds that skops does not trust by default.

Fixed on purpose: a file that needs anything else is refused with the type's name.
"""


@dataclass(frozen=True, slots=True)
class LoadResult:
    """The estimator (None when it could not be loaded safely) and what loading found."""

    estimator: Any | None
    diagnostics: tuple[Diagnostic, ...]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_model(model: ModelDef, base_dir: Path, trust_models: bool = False) -> LoadResult:
    """Read, verify and load the file behind `model NAME = sklearn "PATH"`."""
    path = model_path(model, base_dir)
    span = model.span
    suffix = path.suffix.lower()
    if suffix not in SKOPS_SUFFIXES | PICKLE_SUFFIXES:
        return _fail(
            error(
                "E606",
                f"model {model.name!r}: unsupported model file type {path.name!r}",
                span,
                "save the model with skops (`skops.io.dump(model, 'model.skops')`); "
                ".joblib and .pkl files are accepted with a sha256 pin",
            )
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return _fail(error("E600", f"model {model.name!r}: file not found: {path}", span))
    except OSError as exc:
        return _fail(
            error("E600", f"model {model.name!r}: cannot read {path}: {os_reason(exc)}", span)
        )

    digest = sha256_hex(data)
    if model.sha256 is not None and model.sha256.strip().lower() != digest:
        return _fail(
            error(
                "E602",
                f"model {model.name!r}: the file's sha256 does not match the card's pin",
                span,
                f"the card pins  {model.sha256}",
                f"{path.name} has {digest}",
                "the file changed since the card was written; re-check where it came from",
            )
        )

    if suffix in PICKLE_SUFFIXES and model.sha256 is None and not trust_models:
        return _fail(
            error(
                "E607",
                f"model {model.name!r}: {path.name} is a pickle, and loading a pickle runs "
                "any code it contains",
                span,
                f'pin the file you trust with `sha256 "{digest}"` in the model block, '
                "or pass --trust-models, or save it with skops (.skops) instead",
            )
        )

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InconsistentVersionWarning)
        if suffix in SKOPS_SUFFIXES:
            result = _load_skops(model, data)
            if result.estimator is None:
                return result
            estimator = result.estimator
        else:
            try:
                estimator = _load_pickle(suffix, data)
            except (Exception, SystemExit) as exc:  # corrupt, foreign or hostile: never crash
                return _fail(
                    error(
                        "E609",
                        f"model {model.name!r}: cannot load {path}: {type(exc).__name__}: {exc}",
                        span,
                    )
                )
    if not isinstance(estimator, BaseEstimator):
        return _fail(
            error(
                "E609",
                f"model {model.name!r}: {path} holds an object of type "
                f"{type(estimator).__name__}, not a scikit-learn estimator",
                span,
            )
        )
    diagnostics = [_version_warning(model, w.message) for w in caught if _is_version(w)]
    return LoadResult(estimator, tuple(diagnostics[:1]))


def _load_skops(model: ModelDef, data: bytes) -> LoadResult:
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:
        return _fail(
            error(
                "E609",
                f"model {model.name!r}: not a valid skops file: {type(exc).__name__}: {exc}",
                model.span,
            )
        )
    refused = sorted(t for t in untrusted if t not in TRUSTED_TYPES)
    if refused:
        return _fail(
            error(
                "E608",
                f"model {model.name!r}: the file holds types outside the trusted list: "
                + ", ".join(refused),
                model.span,
                "only scikit-learn estimators, their fitted parts and numpy arrays are loaded; "
                "a model that needs custom code cannot be used from a card",
            )
        )
    try:
        estimator = sio.load(io.BytesIO(data), trusted=list(untrusted))
    except Exception as exc:
        return _fail(
            error(
                "E609",
                f"model {model.name!r}: cannot load the skops file: {type(exc).__name__}: {exc}",
                model.span,
            )
        )
    return LoadResult(estimator, ())


def _load_pickle(suffix: str, data: bytes) -> Any:
    if suffix == ".joblib":
        import joblib

        return joblib.load(io.BytesIO(data))
    return pickle.loads(data)  # only after a sha256 pin or --trust-models


def _is_version(w: warnings.WarningMessage) -> bool:
    return isinstance(w.message, InconsistentVersionWarning)


def _version_warning(model: ModelDef, message: Warning | str) -> Diagnostic:
    saved = getattr(message, "original_sklearn_version", "another version")
    return warning(
        "W610",
        f"model {model.name!r} was saved with scikit-learn {saved} and is loaded with "
        f"scikit-learn {sklearn.__version__}",
        model.span,
        "results may differ from the ones the model gave when it was validated; "
        "re-save it with the installed version",
    )


def _fail(diagnostic: Diagnostic) -> LoadResult:
    return LoadResult(None, (diagnostic,))
