"""Weight of evidence, information value and event rate of bins: the one formula of the fit.

Conventions (those of SAS and optbinning, so figures compare directly):

- WoE of a bin = ln(share of all non-events in the bin / share of all events in the bin).
  A positive WoE holds fewer events than average; the population average has WoE 0.
- IV of a bin = (share of non-events − share of events) × WoE; a characteristic's IV is the
  sum over its bins (never negative).
- A bin with no events or no non-events counts 0.5 more of each in its WoE and IV, so that
  both stay finite; an empty bin (no rows) has WoE 0 and IV 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

SMOOTHING = 0.5
"""Added to both counts of a bin that has no events or no non-events."""


@dataclass(frozen=True)
class BinFigures:
    """The training figures of a set of bins, one array entry per bin."""

    rows: FloatArray
    events: FloatArray
    woe: FloatArray
    iv: FloatArray
    event_rate: FloatArray
    """Events / rows; NaN for an empty bin."""

    @property
    def total_iv(self) -> float:
        return float(self.iv.sum())


def figures(
    rows: npt.ArrayLike, events: npt.ArrayLike, total_events: float, total_rows: float
) -> BinFigures:
    """WoE, IV and event rate of bins with `rows` rows and `events` events each.

    `total_events` and `total_rows` are those of the whole training population (every bin of
    the characteristic, missing and special ones included).
    """
    n = np.asarray(rows, dtype=np.float64)
    e = np.asarray(events, dtype=np.float64)
    non = n - e
    total_non = total_rows - total_events
    pure = (n > 0) & ((e == 0) | (non == 0))
    e_s = np.where(pure, e + SMOOTHING, e)
    non_s = np.where(pure, non + SMOOTHING, non)
    filled = n > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        dist_e = e_s / total_events if total_events > 0 else np.zeros_like(n)
        dist_n = non_s / total_non if total_non > 0 else np.zeros_like(n)
        woe = np.where(filled & (dist_e > 0) & (dist_n > 0), np.log(dist_n / dist_e), 0.0)
        iv = np.where(filled, (dist_n - dist_e) * woe, 0.0)
        rate = np.where(filled, e / n, np.nan)
    return BinFigures(n, e, woe, iv, rate)
