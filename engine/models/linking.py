"""Linking a checked program with its model files: load, check, compile or batch.

`link` replaces each model definition's placeholder (`ir.ModelBatch`) with the compiled
expression when the estimator has one and it is not measured slower than scikit-learn; the
others stay `ModelBatch` and get a batch predictor. Problems come back as `Diagnostic`s:
errors raise `ScorecardError`, warnings ride along in `LinkedProgram.diagnostics`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engine import ir
from engine.diagnostics import Diagnostic, ScorecardError, error, warning
from engine.models import cache
from engine.models.batch import BatchPredictor, make_batch_predictor
from engine.models.compile import compile_estimator, final_estimator
from engine.models.cost import CACHED_DENSITY_LIMIT, DENSITY_LIMIT, batch_is_faster
from engine.models.features import (
    OutputSpec,
    check_features,
    estimator_name,
    is_numeric_feature,
    resolve_output,
)
from engine.models.irutil import Unsupported
from engine.models.loading import load_model
from engine.program import Definition, ModelDef, Program


@dataclass(frozen=True, slots=True)
class LinkedModel:
    """How one model runs: its estimator, and whether it became an expression."""

    name: str
    estimator: Any
    estimator_name: str
    output: OutputSpec
    compiled: bool
    reason: str | None = None
    """Why the model runs on batches (unsupported estimator, or measured faster)."""


@dataclass(frozen=True)
class LinkedProgram:
    """The program ready for a backend, plus the callables of batch-path models."""

    program: Program
    batch_predictors: dict[str, BatchPredictor] = field(default_factory=dict)
    models: dict[str, LinkedModel] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True, slots=True)
class _Prepared:
    model: ModelDef
    estimator: Any
    features: tuple[ir.Expr, ...]
    output: OutputSpec


def _placeholder(program: Program, model: ModelDef) -> Definition | None:
    for d in program.definitions:
        if d.name == model.name and d.kind == "model":
            return d
    return None


def _prepare(
    program: Program, model: ModelDef, base_dir: Path, trust_models: bool
) -> tuple[_Prepared | None, list[Diagnostic]]:
    """Load the file and check the model's features and output."""
    loaded = load_model(model, base_dir, trust_models)
    diags = list(loaded.diagnostics)
    if loaded.estimator is None:
        return None, diags
    est = loaded.estimator
    definition = _placeholder(program, model)
    if definition is not None and isinstance(definition.expr, ir.ModelBatch):
        features = definition.expr.features
    else:  # the program was linked already, or built without a placeholder
        types = {c.name: c.type for c in program.inputs}
        types.update({d.name: d.type for d in program.definitions})
        features = tuple(ir.Ref(n, types[n]) for n in model.features if n in types)
    diags += check_features(est, model, features)
    output, out_diags = resolve_output(est, model)
    diags += out_diags
    if output is None or any(d.is_error for d in diags):
        return None, diags
    return _Prepared(model, est, features, output), diags


def _compile(p: _Prepared) -> tuple[ir.Expr | None, str | None]:
    try:
        return compile_estimator(p.estimator, p.features, p.output), None
    except Unsupported as exc:
        return None, f"{estimator_name(p.estimator)}: {exc.reason}"


def _batch_is_faster(est: Any, limit: float = DENSITY_LIMIT) -> str | None:
    steps = getattr(est, "steps", None)
    preprocessed = isinstance(steps, list) and any(
        s not in (None, "passthrough") for _, s in steps[:-1]
    )
    n_classes = len(getattr(est, "classes_", ()))
    return batch_is_faster(final_estimator(est), n_classes, preprocessed, limit)


def link(
    program: Program, base_dir: Path, trust_models: bool = False, *, for_sql: bool = False
) -> LinkedProgram:
    """Load every model of `program` and put it in a form the backends can run.

    `for_sql=True` (used by `compile`) compiles every model regardless of speed and refuses,
    naming the estimator, any model that has no expression form.
    """
    diags: list[Diagnostic] = []
    exprs: dict[str, ir.Expr] = {}
    predictors: dict[str, BatchPredictor] = {}
    linked: dict[str, LinkedModel] = {}
    for model in program.models:
        prepared, found = _prepare(program, model, base_dir, trust_models)
        diags += found
        if prepared is None:
            continue
        est, name = prepared.estimator, estimator_name(prepared.estimator)
        expr, reason = _compile(prepared)
        if expr is None and for_sql:
            diags.append(
                error(
                    "E615",
                    f"model {model.name!r}: {name} cannot be compiled to SQL",
                    model.span,
                    reason or "",
                    "supported: see docs/models.md; `apply` runs it through scikit-learn",
                )
            )
            continue
        text = _text_features(model, prepared.features)
        if expr is not None:
            # The batch path passes numbers only: text features keep the expression form.
            slower = None if text else _batch_is_faster(est)
            warned = tuple(d for d in found if not d.is_error)
            cached_fast = bool(text) or _batch_is_faster(est, CACHED_DENSITY_LIMIT) is None
            cache.remember(program, base_dir, model, expr, cached_fast, warned)
            if slower is not None and not for_sql:
                reason, expr = slower, None
        if expr is not None:
            exprs[model.name] = expr
            linked[model.name] = LinkedModel(model.name, est, name, prepared.output, True)
            continue
        if text:
            diags.append(_text_refused(model, name, text, reason))
            continue
        names = getattr(est, "feature_names_in_", None)
        predictors[model.name] = make_batch_predictor(
            est, prepared.output, None if names is None else [str(n) for n in names]
        )
        linked[model.name] = LinkedModel(model.name, est, name, prepared.output, False, reason)
    file = str(program.source_path) if program.source_path is not None else None
    if file is not None:
        diags = [d if d.file is not None else d.with_file(file) for d in diags]
    if any(d.is_error for d in diags):
        raise ScorecardError(diags)
    definitions = tuple(
        replace(d, expr=exprs[d.name]) if d.kind == "model" and d.name in exprs else d
        for d in program.definitions
    )
    return LinkedProgram(
        replace(program, definitions=definitions), predictors, linked, tuple(diags)
    )


def _text_features(model: ModelDef, features: tuple[ir.Expr, ...]) -> list[str]:
    """The names of the model's features that are not numbers (nor booleans)."""
    return [n for n, f in zip(model.features, features, strict=False) if not is_numeric_feature(f)]


def _text_refused(model: ModelDef, name: str, text: list[str], reason: str | None) -> Diagnostic:
    return error(
        "E614",
        f"model {model.name!r}: {name} has no expression form, and a model without one runs "
        "through scikit-learn on blocks of numbers: its text features cannot be passed to it: "
        + ", ".join(text),
        model.span,
        *([reason] if reason else []),
        "encode the text inside the Pipeline with OneHotEncoder or OrdinalEncoder before an "
        "estimator that compiles (see docs/models.md), or derive numbers from it in a let",
    )


def sql_exportable(estimator: Any, features: tuple[ir.Expr, ...], output: OutputSpec) -> str | None:
    """None when the model compiles to an expression (so to SQL), else why not."""
    try:
        compile_estimator(estimator, features, output)
    except Unsupported as exc:
        return f"{estimator_name(estimator)}: {exc.reason}"
    return None


def check_models(program: Program, base_dir: Path, trust_models: bool = False) -> list[Diagnostic]:
    """What `scorecard check` reports about the models: loading and feature problems, version
    warnings, and a warning for each model that cannot be exported to SQL."""
    diags: list[Diagnostic] = []
    for model in program.models:
        prepared, found = _prepare(program, model, base_dir, trust_models)
        diags += found
        if prepared is None:
            continue
        expr, reason = _compile(prepared)
        text = _text_features(model, prepared.features)
        if expr is not None and not any(d.is_error for d in found):
            fast = bool(text) or _batch_is_faster(prepared.estimator, CACHED_DENSITY_LIMIT) is None
            warned = tuple(d for d in found if not d.is_error)
            cache.remember(program, base_dir, model, expr, fast, warned)
        if reason is not None and text:
            diags.append(_text_refused(model, estimator_name(prepared.estimator), text, reason))
        elif reason is not None:
            diags.append(
                warning(
                    "E615",
                    f"model {model.name!r} cannot be exported to SQL ({reason}); "
                    "`apply` runs it through scikit-learn",
                    model.span,
                )
            )
    return diags
