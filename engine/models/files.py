"""The checks `scorecard check` makes on a model block without loading the model:
the file exists and, when the card pins it, its sha256 matches."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from engine.diagnostics import Diagnostic, error
from engine.program import ModelDef

if TYPE_CHECKING:
    from engine.syntax import ast

SHA256 = re.compile(r"[0-9a-fA-F]{64}$")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def model_path(model: ModelDef, base_dir: Path) -> Path:
    """The model file.

    The checker already joins the card's directory to the path the card gives, so a path
    that exists as given is used as is; otherwise it is taken relative to `base_dir` (the
    card's directory), which is how programs built without the checker name their files.
    """
    if model.path.is_absolute() or model.path.exists():
        return model.path
    return base_dir / model.path


def check_model_file(node: ast.ModelStmt, base_dir: Path) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if node.sha256 is not None and not SHA256.match(node.sha256.value):
        out.append(error("E601", "`sha256` must be 64 hexadecimal digits", node.sha256.span))
    path = base_dir / node.path.value
    if not path.is_file():
        out.append(
            error(
                "E600",
                f"model file not found: {node.path.value} (looked in {path.parent})",
                node.path.span,
            )
        )
        return out
    if node.sha256 is not None and SHA256.match(node.sha256.value):
        actual = file_sha256(path)
        if actual != node.sha256.value.lower():
            out.append(
                error(
                    "E602",
                    f"the model file's sha256 is {actual}, not the one the card pins: "
                    "the file changed since the card was written",
                    node.sha256.span,
                )
            )
    return out
