"""Compiled model expressions kept between runs, so that a card's second run needs no scikit-learn.

Loading a model means importing scikit-learn and rebuilding the estimator (seconds for a
100-tree ensemble), while its compiled expression is a few hundred kilobytes of JSON (each
distinct node once, `engine.models.ir_json`). An
entry is keyed by everything the expression depends on: the model file's sha256, the
card's features (names and types) and output, the installed scikit-learn version, and the
source of the engine's model compiler; anything else changing gives another key.

An entry holds the expression, whether `apply` runs it (or, measured slower, runs the
estimator on batches instead: then `apply` loads the model, `compile` still uses the entry),
and the warnings loading gave (W610), so that `check`, `test`, `apply`, `explain`,
`evaluate` and `compile` of a card whose models are all cached import neither scikit-learn
nor skops.

Entries live in `$SCORECARD_CACHE_DIR` (default `~/.cache/scorecard/models`), are written
atomically, and are only ever data (JSON): reading one runs no code. A pickled model is
only served from the cache where loading it would be allowed (pinned or trusted).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from engine import ir
from engine.diagnostics import Diagnostic, Severity
from engine.io.atomic import write_text_atomic
from engine.models import ir_json
from engine.models.files import file_sha256, model_path
from engine.program import ModelDef, Program

FORMAT = "3"
PICKLES = (".joblib", ".pkl", ".pickle")


def cache_dir() -> Path:
    configured = os.environ.get("SCORECARD_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "scorecard" / "models"


def compiler_sources() -> list[Path]:
    """The source files of the engine's model compiler: this package's modules (the
    loaders, the compilers, the IR helpers they build with)."""
    return sorted(Path(__file__).parent.glob("*.py"))


@functools.cache
def _compiler_digest() -> str:
    """The engine's model compiler, by its source: a change to it changes every key."""
    digest = hashlib.sha256(FORMAT.encode())
    for source in compiler_sources():
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    digest.update(_installed_version("scikit_learn").encode())
    return digest.hexdigest()


def _installed_version(distribution: str) -> str:
    """The version of an installed distribution (its normalised name), "" if none.

    Read from the name of its `name-version.dist-info` folder, the first on `sys.path` as
    `importlib.metadata` would find it, so that a run served from the cache does not import
    `importlib.metadata` and the email parser it reads metadata with (17 ms of every
    command); only a distribution installed without a `.dist-info` folder asks it.
    """
    prefix = f"{distribution}-"
    for entry in sys.path:
        with contextlib.suppress(OSError):
            for name in os.listdir(entry or "."):
                if name.startswith(prefix) and name.endswith(".dist-info"):
                    return name[len(prefix) : -len(".dist-info")]
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


def _key(model: ModelDef, digest: str, features: tuple[ir.Expr, ...]) -> str:
    spec = {
        "file": digest,
        "features": [ir_json.encode(f) for f in features],
        "output": model.output,
        "class": model.output_class,
        "compiler": _compiler_digest(),
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def _usable(model: ModelDef, path: Path, digest: str, trust_models: bool) -> bool:
    if path.suffix.lower() in PICKLES:
        return trust_models or (model.sha256 is not None and digest == model.sha256.lower())
    return True


@dataclass(frozen=True, slots=True)
class CachedModel:
    """What the engine learnt from one model file for one card's features and output."""

    expression: ir.Expr
    runs_as_expression: bool
    """False when scikit-learn's batches were measured faster (`engine.models.cost`)."""
    warnings: tuple[Diagnostic, ...] = ()
    """Warnings of loading and checking the model (their places are the card's model line)."""


def _entry_json(entry: CachedModel) -> str:
    warnings = [[d.code, d.message, list(d.notes)] for d in entry.warnings]
    return json.dumps(
        {
            "expression": ir_json.encode(entry.expression),
            "runs_as_expression": entry.runs_as_expression,
            "warnings": warnings,
        }
    )


def _warnings(data: Any, model: ModelDef) -> tuple[Diagnostic, ...]:
    return tuple(
        Diagnostic(Severity.WARNING, str(code), str(message), model.span, None, tuple(notes))
        for code, message, notes in data["warnings"]
    )


def _entry(data: Any, model: ModelDef) -> CachedModel:
    return CachedModel(
        ir_json.decode(data["expression"]), bool(data["runs_as_expression"]), _warnings(data, model)
    )


def _read(
    model: ModelDef, path: Path, features: tuple[ir.Expr, ...], trust_models: bool
) -> Any | None:
    """The cached entry of `model` as JSON data, or None (not cached, unreadable, not allowed)."""
    try:
        digest = file_sha256(path)
        if not _usable(model, path, digest, trust_models):
            return None
        entry = cache_dir() / f"{_key(model, digest, features)}.json"
        return json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def lookup(
    model: ModelDef, path: Path, features: tuple[ir.Expr, ...], trust_models: bool
) -> CachedModel | None:
    """The cached entry of `model`, or None (not cached, unreadable, not allowed)."""
    data = _read(model, path, features, trust_models)
    try:
        return None if data is None else _entry(data, model)
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def store(model: ModelDef, path: Path, features: tuple[ir.Expr, ...], entry: CachedModel) -> None:
    """Keep `entry` for the next run; a cache that cannot be written is simply not used."""
    with contextlib.suppress(OSError):
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{_key(model, file_sha256(path), features)}.json"
        write_text_atomic(target, _entry_json(entry))


def _placeholders(program: Program) -> dict[str, ir.ModelBatch]:
    return {
        d.name: d.expr
        for d in program.definitions
        if d.kind == "model" and isinstance(d.expr, ir.ModelBatch)
    }


def cached_warnings(
    program: Program, base_dir: Path, trust_models: bool
) -> tuple[Diagnostic, ...] | None:
    """What `check` reports of the models when every one is cached (the warnings loading
    gave), without building their expressions; None unless every model is cached."""
    placeholders = _placeholders(program)
    warnings: list[Diagnostic] = []
    for model in program.models:
        placeholder = placeholders.get(model.name)
        if placeholder is None:
            return None
        path = model_path(model, base_dir)
        data = _read(model, path, placeholder.features, trust_models)
        try:
            if data is None or not isinstance(data["expression"], dict):
                return None
            warnings += _warnings(data, model)
        except (ValueError, KeyError, TypeError):
            return None
    return tuple(warnings)


def cached_program(
    program: Program, base_dir: Path, trust_models: bool, *, for_run: bool
) -> tuple[Program, tuple[Diagnostic, ...]] | None:
    """`program` with every model replaced by its cached expression, and the models' warnings;
    None unless every model is cached (and, `for_run`, runs as an expression in `apply`).

    This is how a card's second run avoids importing scikit-learn: the caller links the
    models the long way (`engine.models.linking.link`, which fills the cache) only on None.
    """
    placeholders = _placeholders(program)
    exprs: dict[str, ir.Expr] = {}
    warnings: list[Diagnostic] = []
    for model in program.models:
        placeholder = placeholders.get(model.name)
        if placeholder is None:
            return None
        entry = lookup(model, model_path(model, base_dir), placeholder.features, trust_models)
        if entry is None or (for_run and not entry.runs_as_expression):
            return None
        exprs[model.name] = entry.expression
        warnings += entry.warnings
    definitions = tuple(
        replace(d, expr=exprs[d.name]) if d.kind == "model" and d.name in exprs else d
        for d in program.definitions
    )
    return replace(program, definitions=definitions), tuple(warnings)


def remember(
    program: Program,
    base_dir: Path,
    model: ModelDef,
    expression: ir.Expr,
    runs_as_expression: bool,
    warnings: tuple[Diagnostic, ...],
) -> None:
    """Keep what linking learnt of `model` (the features are `program`'s placeholder's)."""
    placeholder = _placeholders(program).get(model.name)
    if placeholder is not None:
        entry = CachedModel(expression, runs_as_expression, warnings)
        store(model, model_path(model, base_dir), placeholder.features, entry)
