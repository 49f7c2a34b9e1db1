"""Trained scikit-learn models in scorecards: safe loading, checks, and compilation to `engine.ir`.

`link(program, base_dir)` is the entry point for `apply`; `link(..., for_sql=True)` for
`compile`; `check_models` for `check`. See docs/models.md.

Submodules are imported on first use of a name (PEP 562), so the checker can use
`engine.models.files` without importing scikit-learn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.models.batch import BatchPredictor, make_batch_predictor
    from engine.models.compile import compile_estimator
    from engine.models.cost import batch_is_faster
    from engine.models.features import OutputSpec, estimator_name
    from engine.models.irutil import Unsupported
    from engine.models.linking import LinkedModel, LinkedProgram, check_models, link, sql_exportable
    from engine.models.loading import TRUSTED_TYPES, load_model

_HOMES: dict[str, str] = {
    "BatchPredictor": "engine.models.batch",
    "LinkedModel": "engine.models.linking",
    "LinkedProgram": "engine.models.linking",
    "OutputSpec": "engine.models.features",
    "TRUSTED_TYPES": "engine.models.loading",
    "Unsupported": "engine.models.irutil",
    "batch_is_faster": "engine.models.cost",
    "check_models": "engine.models.linking",
    "compile_estimator": "engine.models.compile",
    "estimator_name": "engine.models.features",
    "link": "engine.models.linking",
    "load_model": "engine.models.loading",
    "make_batch_predictor": "engine.models.batch",
    "sql_exportable": "engine.models.linking",
}

__all__ = [
    "TRUSTED_TYPES",
    "BatchPredictor",
    "LinkedModel",
    "LinkedProgram",
    "OutputSpec",
    "Unsupported",
    "batch_is_faster",
    "check_models",
    "compile_estimator",
    "estimator_name",
    "link",
    "load_model",
    "make_batch_predictor",
    "sql_exportable",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'engine.models' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
