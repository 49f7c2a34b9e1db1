"""Where an output may be written, and what is said when it cannot be.

Every command that writes a file (`apply -o`, `compile -o`, `--html` of `evaluate`,
`stability` and `fairness`) calls `check_output` with the files it reads before doing any
work, and writes through `atomic_output`. An output is refused when:

- it is the same file as one of the inputs: the card, a data table or a model file, however
  the path is spelled (`./data/../in.csv`, a symlink, a hard link): compared by device and
  inode (`os.path.samefile`), not by name (E804);
- it exists and is read-only, for this user or for everyone (E805);
- it is a folder (E806);
- its folder does not exist, is not a folder (E803), or cannot be written (E807).

Writing problems met later (a full disk, a file-size limit, a permission) are E807 with the
path and the operating system's reason. `-` (stdout) is never checked.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from engine.diagnostics import Diagnostic, ScorecardError, error, is_os_error, os_reason
from engine.io.atomic import ReadOnlyTarget, atomic_path, is_read_only, real_target

STDOUT = "-"

InputFile = tuple[str, Path]
"""What a command reads, as (role, path): ("card", ...), ("data file", ...), ("model", ...)."""


def check_output(destination: str | Path, inputs: Iterable[InputFile]) -> None:
    """Refuse, before any work, an output that would replace an input or cannot be written."""
    if str(destination) == STDOUT:
        return
    problem = output_problem(Path(destination), list(inputs))
    if problem is not None:
        raise ScorecardError([problem])


def output_problem(destination: Path, inputs: list[InputFile]) -> Diagnostic | None:
    shown = str(destination)
    try:
        status: os.stat_result | None = os.stat(destination)
    except (FileNotFoundError, NotADirectoryError):
        status = None
    except OSError as exc:
        return error("E807", f"cannot write {shown!r}: {os_reason(exc)}")
    if status is None:
        return _folder_problem(destination)
    if stat.S_ISDIR(status.st_mode):
        return error("E806", f"output {shown!r} is a folder", None, "name a file in it")
    for role, path in inputs:
        if _same_file(destination, path):
            return error(
                "E804",
                f"output {shown!r} is the {role} {str(path)!r}: writing it would destroy it",
                None,
                "choose another output file",
            )
    if stat.S_ISREG(status.st_mode) and is_read_only(real_target(destination), status):
        return error(
            "E805",
            f"output {shown!r} exists and is read-only: it is not replaced",
            None,
            "make it writable (chmod u+w) or choose another output file",
        )
    return _folder_problem(destination) if stat.S_ISREG(status.st_mode) else None


def _folder_problem(destination: Path) -> Diagnostic | None:
    """The folder the output (or its temporary file) is created in must exist and be writable."""
    folder = real_target(destination).parent
    named = destination.parent if str(destination.parent) else Path(".")
    if not folder.exists():
        return error("E803", f"output folder {str(named)!r} does not exist")
    if not folder.is_dir():
        return error("E803", f"output folder {str(named)!r} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        return error(
            "E807",
            f"cannot write {str(destination)!r}: {os.strerror(errno.EACCES)} (folder {str(named)!r})",
        )
    return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextlib.contextmanager
def atomic_output(destination: Path | str) -> Iterator[Path]:
    """`engine.io.atomic.atomic_path`, with every failure to write told as a diagnostic.

    An OSError, or a library error carrying one (Polars: "... (os error 28)"), raised while
    the block writes, becomes E807 naming `destination`; other errors pass through."""
    shown = str(destination)
    try:
        with atomic_path(destination) as tmp:
            yield tmp
    except ReadOnlyTarget:
        raise ScorecardError(
            [error("E805", f"output {shown!r} exists and is read-only: it is not replaced")]
        ) from None
    except IsADirectoryError:
        raise ScorecardError([error("E806", f"output {shown!r} is a folder")]) from None
    except FileNotFoundError as exc:
        folder = Path(destination).parent
        if not real_target(destination).parent.is_dir():
            raise ScorecardError(
                [error("E803", f"output folder {str(folder)!r} does not exist")]
            ) from None
        raise ScorecardError([write_error(destination, exc)]) from None
    except Exception as exc:
        if isinstance(exc, ScorecardError) or not is_os_error(exc):
            raise
        raise ScorecardError([write_error(destination, exc)]) from None


def write_error(destination: Path | str, exc: BaseException) -> Diagnostic:
    return error("E807", f"cannot write {str(destination)!r}: {os_reason(exc)}")


def write_text(destination: Path | str, text: str) -> None:
    """Write a text output (SQL, HTML) all-or-nothing, or raise E803-E807."""
    with atomic_output(destination) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_stdout(text: str) -> None:
    """Write to standard output; a failure (stdout redirected to a full disk) is E807.

    A closed pipe (`| head`) is not an error of the run: BrokenPipeError goes up to the
    command line, which ends quietly."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise ScorecardError(
            [error("E807", f"cannot write to standard output: {os_reason(exc)}")]
        ) from None
