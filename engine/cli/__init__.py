"""The `scorecard` command line: a thin Typer layer over the Python API.

Each command lives in its own module and registers itself on the Typer application when
imported. The entry point (`engine.cli.app.main`) imports only the module of the command
being run, so `scorecard check` does not pay for loading Polars or scikit-learn.
`from engine.cli import app` gives the application with every command loaded.
"""

from __future__ import annotations

from typing import Any

import engine.cli.app as _app_module

# The package attribute `app` is the application (loaded on first use), not the module.
del globals()["app"]

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    if name == "app":
        _app_module.load_commands(None)
        return _app_module.app
    if name == "main":
        return _app_module.main
    raise AttributeError(f"module 'engine.cli' has no attribute {name!r}")
