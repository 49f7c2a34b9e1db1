"""The progress bar of a long run, on stderr when it is a terminal: rows done, rows per second
and time left, shown only once a run has lasted `DELAY_S` (a quick run prints nothing)."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from engine.cli.app import stderr

DELAY_S = float(os.environ.get("SCORECARD_PROGRESS_DELAY", "2"))
"""Seconds before the bar appears (the variable exists for tests)."""

PHASES = {"checking": "reading and checking", "scoring": "scoring", "writing": "writing"}


class RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} rows/s", style="cyan")


class RunBar:
    """`engine.run.options.Progress` drawn with rich; thread-safe (Polars calls `advance`
    from its own threads)."""

    def __init__(self) -> None:
        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RowsPerSecond(),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
        )
        self.task = self.bar.add_task(PHASES["checking"], total=None)
        self._lock = threading.Lock()
        self._shown = False
        self._timer = threading.Timer(DELAY_S, self._show)
        self._timer.daemon = True

    def _show(self) -> None:
        with self._lock:
            if not self._shown:
                self._shown = True
                self.bar.start()

    def phase(self, name: str, total: int | None) -> None:
        """A new task for each step (rich keeps a task's total once given)."""
        self.bar.remove_task(self.task)
        self.task = self.bar.add_task(PHASES.get(name, name), total=total)
        with self._lock:
            if self._shown and self.bar.live.is_started:
                self.bar.refresh()  # every step is drawn at least once, however quick

    def advance(self, rows: int) -> None:
        self.bar.advance(self.task, rows)
        if self._shown and self.bar.live.is_started:
            self.bar.refresh()  # once per batch of rows: a quick run still shows its speed

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.cancel()
        with self._lock:
            if self._shown:
                self.bar.stop()
            self._shown = True  # a timer already firing does not start it again


@contextlib.contextmanager
def run_progress() -> Iterator[RunBar | None]:
    """A bar for the run when stderr is a terminal, else None (nothing on a pipe)."""
    if not stderr.is_terminal:
        yield None
        return
    bar = RunBar()
    bar.start()
    try:
        yield bar
    finally:
        bar.stop()
