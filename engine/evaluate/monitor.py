"""Following a card month by month: per period, the population, the score's distribution and
stability against the baseline period, each bins block's stability, the rules' firing rates,
and, where the outcome is known, AUC, KS and the event rate.

Stability uses the same PSI as `scorecard stability` (engine.evaluate.stability), the baseline
being the first period unless another is named. A period with no scored row is listed with
its row count and no figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.evaluate import bands, metrics, stability
from engine.evaluate.rows import BoolArray, ScoredRows


@dataclass(frozen=True)
class PeriodRows:
    """One period's scored rows and, when the table has the outcome, its events."""

    label: str
    rows: ScoredRows
    event: BoolArray | None = None
    known: BoolArray | None = None


@dataclass(frozen=True)
class BlockFigure:
    name: str
    psi: float
    flag: stability.Flag


@dataclass(frozen=True)
class RuleFigure:
    name: str
    firing_rate: float | None
    change: float | None
    """Firing rate − the baseline's."""


@dataclass(frozen=True)
class PeriodFigures:
    period: str
    rows: int
    scored: int
    mean_score: float | None
    p10: float | None
    p50: float | None
    p90: float | None
    psi: float | None
    flag: stability.Flag | None
    blocks: list[BlockFigure]
    rules: list[RuleFigure]
    events: int | None = None
    event_rate: float | None = None
    auc: float | None = None
    ks: float | None = None
    band_event_rates: list[float | None] = field(default_factory=list)
    """With `--bands` and the outcome: the event rate in band 1, 2, ... (1 the highest)."""


@dataclass(frozen=True)
class Monitoring:
    baseline: str
    bins: int
    periods: list[PeriodFigures]
    high_score_means: str = "more"
    band_cuts: list[float] | None = None
    """Fixed score bands (`--bands`) used for the PSI instead of the baseline's `bins` classes."""

    @property
    def band_labels(self) -> list[str]:
        return [] if self.band_cuts is None else bands.labels(self.band_cuts)

    @property
    def flagged(self) -> list[str]:
        """Periods whose score, a bins block or a rule shifted (PSI >= 0.1)."""
        return [
            p.period
            for p in self.periods
            if (p.flag not in (None, "stable")) or any(b.flag != "stable" for b in p.blocks)
        ]


def _quantiles(score: np.ndarray) -> tuple[float | None, float | None, float | None, float | None]:
    if score.size == 0:
        return None, None, None, None
    q = np.quantile(score, [0.1, 0.5, 0.9])
    return float(score.mean()), float(q[0]), float(q[1]), float(q[2])


def _outcome(
    p: PeriodRows, high_score_means: str, band_cuts: Sequence[float] | None
) -> dict[str, Any]:
    if p.event is None or p.known is None:
        return {}
    use = p.known & p.rows.has_score
    ev = p.event[use]
    score = p.rows.score[use]
    oriented = -score if high_score_means == "fewer" else score
    ks = metrics.ks(oriented, ev)
    rates: list[float | None] = []
    if band_cuts is not None:
        band = bands.band_of(score, band_cuts)
        for b in range(1, len(band_cuts) + 2):
            inside = band == b
            rates.append(float(ev[inside].mean()) if inside.any() else None)
    return {
        "events": int(ev.sum()),
        "event_rate": float(ev.mean()) if ev.size else None,
        "auc": metrics.auc(oriented, ev),
        "ks": None if ks is None else ks.statistic,
        "band_event_rates": rates,
    }


def monitor(
    periods: list[PeriodRows],
    n_bins: int,
    baseline: str | None = None,
    high_score_means: str = "more",
    band_cuts: Sequence[float] | None = None,
) -> Monitoring:
    """The figures of every period, stability measured against `baseline` (default: the first)."""
    base = next((p for p in periods if p.label == baseline), periods[0])
    base_ok = bool(base.rows.has_score.any())
    out = []
    for p in periods:
        scored = p.rows.score[p.rows.has_score]
        mean, p10, p50, p90 = _quantiles(scored)
        st = (
            stability.stability(base.rows, p.rows, n_bins, band_cuts)
            if base_ok and scored.size
            else None
        )
        out.append(
            PeriodFigures(
                period=p.label,
                rows=len(p.rows),
                scored=int(scored.size),
                mean_score=mean,
                p10=p10,
                p50=p50,
                p90=p90,
                psi=None if st is None else st.score.psi,
                flag=None if st is None else st.score.flag,
                blocks=[]
                if st is None
                else [BlockFigure(b.name, b.psi, b.flag) for b in st.blocks],
                rules=[]
                if st is None
                else [RuleFigure(r.name, r.cur_rate, r.change) for r in st.rules],
                **_outcome(p, high_score_means, band_cuts),
            )
        )
    cuts = None if band_cuts is None else list(band_cuts)
    return Monitoring(base.label, n_bins, out, high_score_means, cuts)
