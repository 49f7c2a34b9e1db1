"""Every choice of a fit, with its default, in one place (the CLI and the API both build this).

The defaults are those docs/fit.md explains; `command_line` writes the options back as the
`scorecard fit` arguments that give them, for the card's header comment.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.diagnostics import ScorecardError, error
from engine.fitting.merge import TRENDS, Trend


@dataclass(frozen=True)
class CreditScaling:
    """Credit convention: higher score = fewer events; `odds` (non-events per event) at
    `points`, and `pdo` more points double the odds."""

    pdo: float = 20.0
    odds: float = 50.0
    points: float = 600.0

    @property
    def factor(self) -> float:
        """Points per unit of ln(odds of a non-event)."""
        return self.pdo / math.log(2.0)


@dataclass(frozen=True)
class RangeScaling:
    """Marketing convention: higher score = more events, from `low` (the lowest score the
    card can give) to `high` (the highest)."""

    low: float = 0.0
    high: float = 1000.0


Scaling = CreditScaling | RangeScaling


@dataclass(frozen=True)
class FitOptions:
    target: str
    event: str | None = None
    """The target value that is an event; None: 1, true or yes."""
    key: str | None = None
    exclude: tuple[str, ...] = ()
    sensitive: tuple[str, ...] = ()
    special: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Column -> special codes as written on the command line (read as the column's type)."""
    min_bin_share: float = 0.05
    max_bins: int = 10
    prebins: int = 50
    rare_share: float = 0.01
    monotonic: Trend = "auto"
    min_iv: float = 0.02
    max_correlation: float = 0.7
    scaling: Scaling = field(default_factory=RangeScaling)
    round_points: bool = False
    holdout: float = 0.3
    seed: int = 42
    split: str | None = None
    name: str | None = None
    """The card's name (after `scorecard`); default: from the output file's name."""

    def problems(self) -> list[str]:
        """What is wrong with the options themselves (before any data is read)."""
        out = []
        if not 0 < self.min_bin_share < 0.5:
            out.append(
                f"--min-bin-share {self.min_bin_share}: expected a share above 0 and below 0.5"
            )
        if self.max_bins < 2:
            out.append(f"--max-bins {self.max_bins}: expected 2 or more")
        if self.prebins < 2 or self.prebins > 200:
            out.append(f"--prebins {self.prebins}: expected 2 to 200")
        if not 0 <= self.rare_share < 0.5:
            out.append(f"--rare-share {self.rare_share}: expected a share from 0 to below 0.5")
        if self.monotonic not in TRENDS:
            out.append(f"--monotonic {self.monotonic}: expected one of {', '.join(TRENDS)}")
        if self.min_iv < 0:
            out.append(f"--min-iv {self.min_iv}: expected 0 or more")
        if not 0 < self.max_correlation <= 1:
            out.append(f"--max-correlation {self.max_correlation}: expected above 0, up to 1")
        if not 0 <= self.holdout < 1:
            out.append(f"--holdout {self.holdout}: expected a share from 0 to below 1")
        if self.split is not None and self.holdout not in (0, FitOptions.holdout):
            out.append("--split and --holdout: give one of them")
        scaling = self.scaling
        if isinstance(scaling, CreditScaling):
            if scaling.pdo <= 0 or scaling.odds <= 0:
                out.append("--pdo and --odds must be above 0")
        elif not scaling.low < scaling.high:
            out.append(
                f"--scale {scaling.low:g}:{scaling.high:g}: the low end must be below the high end"
            )
        return out

    def check(self) -> None:
        found = self.problems()
        if found:
            raise ScorecardError([error("E1100", p) for p in found])


def _number(x: float) -> str:
    return f"{x:g}"


def command_line(data: str, options: FitOptions, from_card: str | None, output: str | None) -> str:
    """The `scorecard fit` command that gives these options (defaults left out)."""
    default = FitOptions(target=options.target)
    args = ["scorecard", "fit", data, "--target", options.target]
    if options.event is not None:
        args += ["--event", options.event]
    if options.key is not None:
        args += ["--key", options.key]
    if options.exclude:
        args += ["--exclude", ",".join(options.exclude)]
    if options.sensitive:
        args += ["--sensitive", ",".join(options.sensitive)]
    for column, codes in sorted(options.special.items()):
        args += ["--special", f"{column}={','.join(codes)}"]
    simple: list[tuple[str, object, object]] = [
        ("--min-bin-share", options.min_bin_share, default.min_bin_share),
        ("--max-bins", options.max_bins, default.max_bins),
        ("--prebins", options.prebins, default.prebins),
        ("--rare-share", options.rare_share, default.rare_share),
        ("--monotonic", options.monotonic, default.monotonic),
        ("--min-iv", options.min_iv, default.min_iv),
        ("--max-correlation", options.max_correlation, default.max_correlation),
    ]
    for flag, value, usual in simple:
        if value != usual:
            args += [flag, _number(value) if isinstance(value, float) else str(value)]
    scaling = options.scaling
    if isinstance(scaling, CreditScaling):
        args += [
            "--pdo",
            _number(scaling.pdo),
            "--odds",
            _number(scaling.odds),
            "--points",
            _number(scaling.points),
        ]
    elif scaling != RangeScaling():
        args += ["--scale", f"{_number(scaling.low)}:{_number(scaling.high)}"]
    if options.round_points:
        args.append("--round")
    if options.split is not None:
        args += ["--split", options.split]
    else:
        if options.holdout != default.holdout:
            args += ["--holdout", _number(options.holdout)]
        if options.holdout > 0 and options.seed != default.seed:
            args += ["--seed", str(options.seed)]
    if options.name is not None:
        args += ["--name", options.name]
    if from_card is not None:
        args += ["--from", from_card]
    if output is not None:
        args += ["-o", output]
    return shlex.join(args)
