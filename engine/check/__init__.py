"""AST -> checked program, with every problem of a card reported as a diagnostic.

`check_source` and `check_file` (engine.check.source) parse and check; `CheckResult`
(engine.check.result) is what they give; `load_checked` (engine.check.cached) gives the same
for a card checked before, from its cached program. The package itself imports none of them,
so that importing a light module of it (suggest, params) does not import the parser.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "CheckResult": "engine.check.result",
    "check_file": "engine.check.source",
    "check_source": "engine.check.source",
}


def __getattr__(name: str) -> Any:
    """`from engine.check import check_file` still works, importing on first use."""
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'engine.check' has no attribute {name!r}")


__all__ = ["CheckResult", "check_file", "check_source"]
