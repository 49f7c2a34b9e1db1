"""The `scorecard` command line: a thin Typer layer over the Python API.

Each command lives in its own module and registers itself on `app`; this module only
assembles them and turns every failure into a message and an exit status
(0 success, 1 a problem with the card, the data or a model, 2 a usage error).
"""

from __future__ import annotations

from engine.cli.app import app, main

# Importing a command module registers its commands on `app`.
from engine.cli import check as _check  # noqa: F401  isort: skip
from engine.cli import fmt as _fmt  # noqa: F401  isort: skip
from engine.cli import apply as _apply  # noqa: F401  isort: skip
from engine.cli import test_cmd as _test_cmd  # noqa: F401  isort: skip
from engine.cli import explain as _explain  # noqa: F401  isort: skip
from engine.cli import evaluate as _evaluate  # noqa: F401  isort: skip
from engine.cli import compile as _compile  # noqa: F401  isort: skip

__all__ = ["app", "main"]
