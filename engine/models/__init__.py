"""Trained scikit-learn models in scorecards: safe loading, checks, and compilation to `engine.ir`.

`link(program, base_dir)` is the entry point for `apply`; `link(..., for_sql=True)` for
`compile`; `check_models` for `check`. See docs/models.md.
"""

from engine.models.batch import BatchPredictor, make_batch_predictor
from engine.models.compile import compile_estimator
from engine.models.cost import batch_is_faster
from engine.models.features import OutputSpec, estimator_name
from engine.models.irutil import Unsupported
from engine.models.link import (
    LinkedModel,
    LinkedProgram,
    check_models,
    link,
    sql_exportable,
)
from engine.models.loading import TRUSTED_TYPES, load_model

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
