"""scorecard: customer scoring cards in a small declarative language.

The Python API (see docs/python-api.md):

    import engine
    card = engine.load("scorecards/churn_risk.scorecard")
    scores = card.apply("scorecards/data/customers.csv")
    fitted = engine.fit("history.csv", "churned")   # a card fitted from data
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.api import Scorecard, load, loads, run
    from engine.diagnostics import ScorecardError
    from engine.fitting import fit
    from engine.ranking import Top

__all__ = ["Scorecard", "ScorecardError", "Top", "fit", "load", "loads", "run"]


def __getattr__(name: str) -> Any:
    """Import the API on first use, so `scorecard check` does not load Polars."""
    if name in ("Scorecard", "load", "loads", "run"):
        from engine import api

        return getattr(api, name)
    if name == "Top":
        from engine.ranking import Top

        return Top
    if name == "fit":
        from engine.fitting import fit

        return fit
    if name == "ScorecardError":
        from engine.diagnostics import ScorecardError

        return ScorecardError
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
