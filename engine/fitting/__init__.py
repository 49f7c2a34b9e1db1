"""Fitting a card from data: binning, WoE and IV, selection, logistic regression, points.

    import engine
    result = engine.fit("history.csv", "bad", sensitive=["gender"])
    open("risk.scorecard", "w").write(result.card)
    result.figures.holdout.auc

`fit` writes an ordinary card (`engine.fitting.run`); with `from_card` it keeps that card's
bins exactly and refits only their points (`engine.fitting.refit`). The options are those of
`FitOptions`, as keyword arguments.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from engine.fitting.data import Data
from engine.fitting.options import CreditScaling, FitOptions, RangeScaling
from engine.fitting.refit import refit
from engine.fitting.run import FitResult, fit_new
from engine.run.options import Progress


def _tuple(value: Any) -> Any:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable) and not isinstance(value, dict):
        return tuple(value)
    return value


def fit(
    data: Data,
    target: str,
    *,
    from_card: str | Path | None = None,
    output: str | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> FitResult:
    """Fit a card on `data` (a file or a Polars frame) for the outcome `target`.

    Keyword options are the fields of `FitOptions` (`event`, `key`, `exclude`, `sensitive`,
    `special`, `min_bin_share`, `max_bins`, `prebins`, `rare_share`, `monotonic`, `min_iv`,
    `max_correlation`, `scaling`, `round_points`, `holdout`, `seed`, `split`, `name`).
    With `from_card`, the card's bins are kept and only the points are refitted. `output`
    names the file the card is meant for (it names the card and completes the command in
    its header); nothing is written here. `progress` (the command line's bar, or None) is
    told of each step.
    """
    for name in ("exclude", "sensitive"):
        if name in options:
            options[name] = _tuple(options[name])
    if "special" in options:
        options["special"] = {k: _tuple(v) for k, v in options["special"].items()}
    settings = FitOptions(target=target, **options)
    if from_card is not None:
        return refit(data, from_card, settings, output=output, progress=progress)
    return fit_new(data, settings, output=output, progress=progress)


__all__ = ["CreditScaling", "FitOptions", "FitResult", "RangeScaling", "fit"]
