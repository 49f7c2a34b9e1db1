"""Cut points a person can read: the shortest decimal that splits the data at the same place.

A pre-bin edge is first a value of the data (a quantile). Any number between the largest
value below it and the edge itself splits the training rows identically, so the edge is
replaced by the number with the fewest significant digits in that interval: 23456.78 after
23301.5 becomes 23400, 0.3172 after 0.29 becomes 0.3. The fit is unchanged; the card reads
better.
"""

from __future__ import annotations

import math
from decimal import ROUND_FLOOR, Decimal


def nice_edge(below: float, edge: float, integer: bool) -> float:
    """The number x with below < x <= edge that has the fewest significant digits."""
    if not below < edge:
        return edge
    magnitude = max(abs(below), abs(edge))
    top = math.floor(math.log10(magnitude)) + 1 if magnitude > 0 else 0
    exact = Decimal(repr(edge))
    for exponent in range(top, -16 if not integer else -1, -1):
        step = Decimal(1).scaleb(exponent)
        candidate = float((exact / step).to_integral_value(rounding=ROUND_FLOOR) * step)
        if below < candidate <= edge:
            return float(int(candidate)) if integer else candidate
    return edge
