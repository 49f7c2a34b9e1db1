"""The words of the fit: the card's comments, its description, the header's figure lines.

One place for them, so that a refit recognises and rewrites exactly what a fit wrote.
"""

from __future__ import annotations

from engine.fitting.figures import Performance
from engine.fitting.options import CreditScaling, FitOptions, RangeScaling
from engine.fitting.woe import BinFigures


def describe_event(options: FitOptions) -> str:
    value = options.event if options.event is not None else "1/true"
    return f"{options.target} = {value}"


def describe_scaling(options: FitOptions) -> tuple[str, str]:
    """(what a higher score means, the scaling) in words."""
    s = options.scaling
    if isinstance(s, CreditScaling):
        return (
            "a higher score means fewer events",
            f"{s.odds:g} non-events per event at {s.points:g} points; {s.pdo:g} more points double those odds",
        )
    assert isinstance(s, RangeScaling)
    return (
        "a higher score means more events",
        f"scores from {s.low:g} (the lowest the card can give) to {s.high:g} (the highest)",
    )


def _pct(x: float | None, digits: int = 1) -> str:
    return "n/a" if x is None else f"{100 * x:.{digits}f}%"


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.4f}"


def performance_line(label: str, p: Performance) -> str:
    return f"{label}: {p.rows} rows, event rate {_pct(p.event_rate)}, AUC {_num(p.auc)}, Gini {_num(p.gini)}, KS {_num(p.ks)}"


def bin_comment(train: BinFigures, i: int, total_rows: float) -> str:
    rows = train.rows[i]
    if rows == 0:
        return "no training rows: WoE 0, the population's average"
    return (
        f"share {_pct(rows / total_rows)}, event rate {_pct(float(train.event_rate[i]), 2)}, "
        f"WoE {train.woe[i]:+.4f}"
    )


def block_heading(column: str, train: BinFigures, trend: str | None, coefficient: float) -> str:
    shape = f", event rate {trend}" if trend and trend != "none" else ""
    return f"{column}: IV {train.total_iv:.4f}{shape}, coefficient {coefficient:+.4f}"


def header_lines(
    command: str,
    options: FitOptions,
    split: str,
    train: Performance,
    holdout: Performance | None,
    last: str,
) -> list[str]:
    """The `# fit:` lines at the top of a card (without the mark)."""
    direction, scaling_words = describe_scaling(options)
    lines = [
        command,
        f"target: {describe_event(options)} is an event; {direction}",
        f"split: {split}",
        performance_line("training", train),
    ]
    if holdout is not None:
        lines.append(performance_line("holdout", holdout))
    lines += [f"scaling: {scaling_words}", last]
    return lines
