"""Compiled model expressions kept between runs, so that `compile` needs no scikit-learn.

Loading a model means importing scikit-learn and rebuilding the estimator (seconds for a
100-tree ensemble), while its compiled expression is a few hundred kilobytes of JSON. An
entry is keyed by everything the expression depends on: the model file's sha256, the
card's features (names and types) and output, the installed scikit-learn version, and the
source of the engine's model compiler; anything else changing gives another key.

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
from importlib import metadata
from pathlib import Path

from engine import ir
from engine.io.atomic import write_text_atomic
from engine.models import ir_json
from engine.models.files import file_sha256
from engine.program import ModelDef

FORMAT = "1"
PICKLES = (".joblib", ".pkl", ".pickle")


def cache_dir() -> Path:
    configured = os.environ.get("SCORECARD_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "scorecard" / "models"


@functools.cache
def _compiler_digest() -> str:
    """The engine's model compiler, by its source: a change to it changes every key."""
    digest = hashlib.sha256(FORMAT.encode())
    folder = Path(__file__).parent / "models"
    for source in sorted(folder.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    with contextlib.suppress(metadata.PackageNotFoundError):
        digest.update(metadata.version("scikit-learn").encode())
    return digest.hexdigest()


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


def lookup(
    model: ModelDef, path: Path, features: tuple[ir.Expr, ...], trust_models: bool
) -> ir.Expr | None:
    """The cached expression of `model`, or None (not cached, unreadable, not allowed)."""
    try:
        digest = file_sha256(path)
        if not _usable(model, path, digest, trust_models):
            return None
        entry = cache_dir() / f"{_key(model, digest, features)}.json"
        return ir_json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(model: ModelDef, path: Path, features: tuple[ir.Expr, ...], expr: ir.Expr) -> None:
    """Keep `expr` for the next run; a cache that cannot be written is simply not used."""
    with contextlib.suppress(OSError):
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        entry = folder / f"{_key(model, file_sha256(path), features)}.json"
        write_text_atomic(entry, ir_json.dumps(expr))
