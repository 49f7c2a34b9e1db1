"""Writing outputs all-or-nothing: to a temporary file beside the target, then a rename.

A run that fails, or ends on a signal the command line handles (Ctrl-C, SIGTERM, SIGHUP),
leaves the previous output untouched and no partial file behind: every temporary file and
folder is listed in `_pending` until it is renamed or removed, and the command line's signal
watcher deletes whatever is listed (`remove_pending_before_exit`). Only SIGKILL or a power
loss can leave a hidden `.NAME.XXXX.tmp` behind.

The target is the file a symlink points to (the link is kept), never a folder, and never an
existing file whose permissions forbid writing it (`ReadOnlyTarget`): the rename would
otherwise replace a file its owner marked read-only. A target that exists and is not a regular
file (a device such as /dev/null, a named pipe) is written in place: there is nothing to
rename over it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

_pending: set[Path] = set()
_lock = threading.Lock()
"""Held while a temporary path is renamed or listed, so a signal never sees half of either."""


class ReadOnlyTarget(PermissionError):
    """The target exists and its permissions forbid writing it."""


def real_target(target: Path | str) -> Path:
    """The file a write to `target` lands in: symlinks followed, as a shell's `>` does."""
    return Path(os.path.realpath(target))


def is_read_only(path: Path, status: os.stat_result) -> bool:
    """No write permission for this user, or for anyone (a file made read-only with
    `chmod a-w`, which even an administrator's run does not replace)."""
    return not status.st_mode & 0o222 or not os.access(path, os.W_OK)


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """A temporary path in `target`'s folder; renamed onto `target` if the block succeeds."""
    try:
        status: os.stat_result | None = os.stat(target)  # the kernel follows every link
    except FileNotFoundError:
        status = None
    if status is not None:
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
        if not stat.S_ISREG(status.st_mode):
            yield Path(target)  # a device or a pipe (/dev/null, /dev/stdout): written in place
            return
    real = real_target(target)
    if status is not None and is_read_only(real, status):
        raise ReadOnlyTarget(errno.EACCES, "the file is read-only", str(target))
    with _lock:  # created and listed at once: a signal in between would leave it behind
        fd, tmp_name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
        tmp = Path(tmp_name)
        _pending.add(tmp)
    try:
        os.close(fd)
        yield tmp
        mode = stat.S_IMODE(status.st_mode) if status is not None else 0o644
        os.chmod(tmp, mode)
        with _lock:
            os.replace(tmp, real)
            _pending.discard(tmp)
    finally:
        _forget(tmp)


@contextlib.contextmanager
def temporary_folder(beside: Path) -> Iterator[Path]:
    """A hidden folder in `beside` for intermediate files, removed on exit and on signals."""
    with _lock:
        folder = Path(tempfile.mkdtemp(prefix=".scorecard-", dir=beside))
        _pending.add(folder)
    try:
        yield folder
    finally:
        _forget(folder)


def remove_pending_before_exit() -> None:
    """Delete every temporary file and folder not yet renamed or removed, for a process that
    is about to end: the lock stays held, so no new temporary path is made afterwards."""
    _lock.acquire()
    for path in list(_pending):
        _remove(path)
    _pending.clear()


def write_text_atomic(target: Path | str, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _forget(path: Path) -> None:
    with _lock:
        if path in _pending:
            _remove(path)
            _pending.discard(path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
