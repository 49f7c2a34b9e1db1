"""Ending on a signal without leaving temporary files behind.

Python runs a signal handler only between two bytecodes of the main thread, and the main
thread may be inside Polars for minutes (a streaming write releases the interpreter but does
not come back until it is done). So the handlers installed here do nothing themselves: the
interpreter's wakeup file descriptor receives the signal's number at once, and a watcher
thread reading it removes every pending temporary file (`engine.io.atomic`), says why on
stderr and ends the process with status 128 + the signal's number (130 for Ctrl-C, 143 for
SIGTERM, 129 for SIGHUP). A rename in progress finishes first (the watcher
takes the same lock), so an output is either the previous file or the complete new one.
"""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType

from engine.io.atomic import remove_pending_before_exit

ENDINGS: dict[int, str] = {
    signal.SIGINT: "interrupted",
    signal.SIGTERM: "terminated",
    signal.SIGHUP: "hung up",
}


def clean_up_on_signals() -> None:
    """Install the watcher; call once, from the main thread, before any work."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    for signum in ENDINGS:
        signal.signal(signum, _leave_to_watcher)
    threading.Thread(target=_watch, args=(read_end,), name="signal-watcher", daemon=True).start()


def _leave_to_watcher(signum: int, frame: FrameType | None) -> None:
    """The main thread's handler: nothing (the watcher has already been woken)."""


def _watch(read_end: int) -> None:
    while True:
        for signum in os.read(read_end, 64):
            if signum in ENDINGS:
                remove_pending_before_exit()
                os.write(2, f"{ENDINGS[signum]}\n".encode())
                os._exit(128 + signum)
