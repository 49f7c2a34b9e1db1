"""Loading a card checked before from its cached program, without the parser or checker.

Parsing and checking a card is quick; importing what does it (Lark, the pydantic AST, the
checker's modules) costs more than the rest of a small run (docs/performance.md). A card
that checked with no diagnostic at all is kept as its program, in JSON
(`engine.check.program_json`), under `programs/` of the model cache's folder
(`SCORECARD_CACHE_DIR`). The entry's name is a digest of the card's bytes, its resolved
path (model paths are relative to it) and the engine's own source files and grammar, so
any change to the card or the engine misses; the entry also holds the digest of each model
file the card names, and a model file changed, moved or gone misses too. A miss, or an entry
that cannot be read, checks the card as `check_file` does (and stores the result if clean):
a cached program is never trusted further than a fresh check would be.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from engine.check import program_json
from engine.check.result import CheckResult
from engine.io.atomic import write_text_atomic
from engine.models.cache import cache_dir
from engine.models.files import file_sha256
from engine.program import Program

FORMAT = "1"
ENGINE = Path(__file__).resolve().parents[1]
"""The `engine` package folder: its sources are part of every key."""


@functools.cache
def _engine_digest() -> str:
    """The engine's source files and the grammar (in the package or beside it in a source
    tree: both places a parser may read it from), by content."""
    digest = hashlib.sha256(FORMAT.encode())
    files = sorted(_sources(ENGINE, (".py", ".lark"))) + sorted(
        _sources(ENGINE.parent / "grammar", (".lark",))
    )
    for source in files:
        digest.update(str(source.relative_to(ENGINE.parent)).encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _sources(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The files under `folder` ending in one of `suffixes`: `os.walk` lists the engine's
    folders in 2 ms where `Path.rglob` took 7.5, on every command."""
    return [
        Path(root, name)
        for root, _dirs, names in os.walk(folder)
        for name in names
        if name.endswith(suffixes)
    ]


def _entry_path(path: Path, raw: bytes) -> Path:
    key = hashlib.sha256()
    for part in (_engine_digest().encode(), str(path.resolve()).encode(), raw):
        key.update(len(part).to_bytes(8, "little"))
        key.update(part)
    return cache_dir() / "programs" / f"{key.hexdigest()}.json"


def _model_digests(result: CheckResult) -> dict[str, str] | None:
    """Each model file's digest, where the run will read it (`CheckResult.files`); None if
    one is missing."""
    out: dict[str, str] = {}
    for role, file in result.files():
        if role != "model file":
            continue
        if not file.is_file():
            return None
        out[str(file.resolve())] = file_sha256(file)
    return out


def _read(entry: Path, path: Path, text: str) -> CheckResult | None:
    try:
        data: Any = json.loads(entry.read_text(encoding="utf-8"))
        checked = program_json.decode(data["program"])
        models = data["models"]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or damaged: check again
    if not isinstance(checked, Program):
        return None
    result = CheckResult(checked, [], text, path)
    if _model_digests(result) != models:
        return None
    return result


def load_checked(path: Path | str) -> CheckResult:
    """The card at `path` checked: from its cached program when the card, the engine and its
    model files are unchanged since a check found nothing to say, else checked now."""
    from_file = Path(path)
    try:
        raw = from_file.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        from engine.check.source import check_file

        return check_file(from_file)  # it words the problem (E001, E002)
    entry = _entry_path(from_file, raw)
    found = _read(entry, from_file, text)
    if found is not None:
        return found
    from engine.check.source import check_source  # the parser and checker: only on a miss

    result = check_source(text, from_file)
    if result.ok and not result.diagnostics and result.program is not None:
        models = _model_digests(result)
        if models is not None:
            data = {"program": program_json.encode(result.program), "models": models}
            with contextlib.suppress(OSError):  # a cache that cannot be written is no cache
                entry.parent.mkdir(parents=True, exist_ok=True)
                write_text_atomic(entry, json.dumps(data, separators=(",", ":")))
    return result
