"""The progress bar of a long run, on stderr when it is a terminal: the step ("reading",
"scoring", "binning", "writing"...), and for a step that counts its rows, rows done, rows per
second and time left; a step without a count shows a spinner and its time. Shown only once
a run has lasted `progress_draw.DELAY_S` (a quick run prints nothing); nothing on a pipe.
Every command that reads data uses it (`run_progress`), through
`engine.run.options.Progress`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from engine.cli.app import stderr

if TYPE_CHECKING:
    from engine.cli.progress_draw import RunBar


@contextlib.contextmanager
def run_progress() -> Iterator[RunBar | None]:
    """A bar for the run when stderr is a terminal, else None (nothing on a pipe)."""
    if not stderr.is_terminal:
        yield None
        return
    from engine.cli.progress_draw import RunBar

    bar = RunBar()
    bar.start()
    try:
        yield bar
    finally:
        bar.stop()
