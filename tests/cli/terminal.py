"""Running a command with stderr on a real pseudo-terminal (`pty`), as a user's shell does,
to see what the progress bar draws; and on a pipe, where nothing may be drawn."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass(frozen=True)
class Shown:
    terminal: str
    """Everything the terminal received on stderr, escape sequences included."""
    stdout: str

    @property
    def text(self) -> str:
        """The terminal's text without escape sequences, one drawn line per line."""
        return ESCAPE.sub("", self.terminal).replace("\r", "\n")


def on_a_terminal(folder: Path, *args: str) -> Shown:
    """Run `scorecard ARGS` in `folder` with stderr on a pseudo-terminal (the bar shown at
    once: SCORECARD_PROGRESS_DELAY=0) and stdout to a file; the command must succeed."""
    main, secondary = pty.openpty()
    env = dict(os.environ, SCORECARD_PROGRESS_DELAY="0", COLUMNS="160", TERM="xterm")
    out = folder / "stdout.txt"
    with out.open("wb") as stdout:
        proc = subprocess.Popen(
            [sys.executable, "-m", "engine", *args],
            cwd=folder,
            stdout=stdout,
            stderr=secondary,
            env=env,
        )
        os.close(secondary)
        chunks = []
        while True:
            try:
                data = os.read(main, 65536)
            except OSError:  # the other end closed (Linux reports EIO)
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=300)
    os.close(main)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0, terminal
    return Shown(terminal, out.read_text(encoding="utf-8"))


def on_a_pipe(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `scorecard ARGS` with stdout and stderr on pipes (the bar would show at once)."""
    env = dict(os.environ, SCORECARD_PROGRESS_DELAY="0")
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
