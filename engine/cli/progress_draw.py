"""Drawing the progress bar with rich (`RunBar`), imported only when stderr is a terminal:
`rich.progress` costs every command 16 ms to import (`engine.cli.progress_bar`)."""

from __future__ import annotations

import os
import threading

from rich.progress import (
    BarColumn,
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

PHASES = {"checking": "reading and checking"}
"""Words shown for a step whose name alone would say less (others are shown as named)."""


class Done(ProgressColumn):
    """`done/total` for a counted step, `done rows` while the total is unknown, nothing for a
    step that counts nothing."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "rows")
        if task.total is not None:
            return Text(f"{task.completed:.0f}/{task.total:.0f}", style="green")
        return Text(f"{task.completed:,.0f} {unit}" if task.completed else "", style="green")


class PerSecond(ProgressColumn):
    """Units per second (`rows/s`, `columns/s`) of a step that counts."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None and task.completed and task.elapsed:
            speed = task.completed / task.elapsed  # one batch so far: its own pace
        unit = task.fields.get("unit", "rows")
        return Text("" if speed is None else f"{speed:,.0f} {unit}/s", style="cyan")


class TimeLeft(TimeRemainingColumn):
    """Time left, only for a step whose total is known."""

    def render(self, task: Task) -> Text:
        return super().render(task) if task.total is not None else Text("")


class RunBar:
    """`engine.run.options.Progress` drawn with rich; thread-safe (Polars calls `advance`
    from its own threads)."""

    def __init__(self) -> None:
        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            Done(),
            PerSecond(),
            TimeLeft(),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
        )
        self.task = self.bar.add_task("starting", total=None, unit="rows")
        self._lock = threading.Lock()
        self._shown = False
        self._timer = threading.Timer(DELAY_S, self._show)
        self._timer.daemon = True

    def _show(self) -> None:
        with self._lock:
            if not self._shown:
                self._shown = True
                self.bar.start()

    def phase(self, name: str, total: int | None, unit: str = "rows") -> None:
        """A new task for each step (rich keeps a task's total once given)."""
        self.bar.remove_task(self.task)
        self.task = self.bar.add_task(PHASES.get(name, name), total=total, unit=unit)
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
