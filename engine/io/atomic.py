"""Writing outputs all-or-nothing: to a temporary file beside the target, then a rename.

A run that fails or is killed half-way leaves the previous output untouched and no partial
file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from engine.diagnostics import ScorecardError, error


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """A temporary path in `target`'s folder; renamed onto `target` if the block succeeds."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_text_atomic(target: Path | str, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def atomic_output(destination: Path | str) -> Iterator[Path]:
    """`atomic_path`, with a diagnostic when the output folder does not exist."""
    folder = Path(destination).parent
    if str(folder) and not folder.is_dir():
        raise ScorecardError([error("E803", f"output folder {str(folder)!r} does not exist")])
    with atomic_path(destination) as tmp:
        yield tmp
