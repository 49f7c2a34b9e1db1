"""Cards whose reasons mix fixed and general contributions, with their expected reasons.

A fixed contribution takes values the card fixes (a rule with constant points, a bins
block); a general one reads a column (`rule g0 when ... then b0 * 1.5`). The values are
chosen so that general values equal fixed ones (ties across both kinds), fall between them
(several general values in one gap), lie above and below all of them, are missing, and so
that many fixed ones tie. The expected reasons are worked out here in plain Python from the
card's own numbers: candidates sorted by size, ties in file order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

FIXED_POINTS = (2.0, -1.0, 2.0, 0.0, 3.0, 1.0, -2.0, 3.0, 0.5, -0.5, 7.0, -7.0)
BINS = ((None, 2, 3.0), (2, 4, -1.0), (4, None, 0.5))  # [lo, hi) on x -> points
GENERAL_FACTORS = (1.5, -1.0, 0.25, 2.0, -3.0, 1.0, 0.5)


@dataclass(frozen=True)
class MixedCard:
    """`rules` fixed rules, a bins block after the first third, `generals` general rules
    interleaved, reasons `count` `direction`; rows with x >= 9 are excluded."""

    rules: int
    generals: int
    count: int
    direction: str

    def text(self) -> str:
        lines = ["scorecard mixed { }", "input {", "  id : int key", "  x : int required"]
        lines += [f"  b{g} : float" for g in range(self.generals)]
        lines += ["}", 'exclude "big x" when x >= 9']
        for kind, index in self.order():
            if kind == "bins":
                lines += ["bins xb on x {", "  < 2 -> 3", "  [2, 4) -> -1", "  >= 4 -> 0.5", "}"]
            elif kind == "fixed":
                points = FIXED_POINTS[index % len(FIXED_POINTS)]
                lines.append(f"rule r{index} when x >= {index % 5} then {points}")
            else:
                factor = GENERAL_FACTORS[index % len(GENERAL_FACTORS)]
                lines.append(f"rule g{index} when x <= {6 - index % 3} then b{index} * {factor}")
        lines.append(f"reasons {self.count} {self.direction}")
        return "\n".join(lines) + "\n"

    def order(self) -> list[tuple[str, int]]:
        """The contributions in file order: (kind, index)."""
        out: list[tuple[str, int]] = []
        for i in range(self.rules):
            if i == self.rules // 3:
                out.append(("bins", 0))
            out.append(("fixed", i))
            if i % 3 == 1 and i // 3 < self.generals:
                out.append(("general", i // 3))
        for g in range(len([k for k, _ in out if k == "general"]), self.generals):
            out.append(("general", g))
        if not any(k == "bins" for k, _ in out):
            out.append(("bins", 0))
        return out

    def contributions(self, row: dict[str, object]) -> list[tuple[str, float | None]]:
        x = row["x"]
        assert isinstance(x, int)
        out: list[tuple[str, float | None]] = []
        for kind, index in self.order():
            if kind == "bins":
                points = next(
                    p for lo, hi, p in BINS if (lo is None or x >= lo) and (hi is None or x < hi)
                )
                out.append(("xb", points))
            elif kind == "fixed":
                fires = x >= index % 5
                out.append((f"r{index}", FIXED_POINTS[index % len(FIXED_POINTS)] if fires else 0.0))
            else:
                b = row[f"b{index}"]
                factor = GENERAL_FACTORS[index % len(GENERAL_FACTORS)]
                fires = x <= 6 - index % 3
                if not fires:
                    out.append((f"g{index}", 0.0))
                else:
                    out.append((f"g{index}", None if b is None else float(b) * factor))  # type: ignore[arg-type]
        return out

    def expected(self, frame: pl.DataFrame) -> list[list[str | None]]:
        sign = 1.0 if self.direction == "highest" else -1.0
        rows: list[list[str | None]] = []
        for row in frame.iter_rows(named=True):
            if row["x"] >= 9:
                rows.append([None] * self.count)
                continue
            candidates = sorted(
                (-sign * value, order, name)
                for order, (name, value) in enumerate(self.contributions(row))
                if value is not None and sign * value > 0
            )
            chosen: list[str | None] = [name for _, _, name in candidates[: self.count]]
            rows.append(chosen + [None] * (self.count - len(chosen)))
        return rows


def mixed_data(card: MixedCard, rows: int, seed: int) -> pl.DataFrame:
    """x in 0..9; each b a multiple of 0.5 in [-10, 10] (equal to fixed points after the
    factor, or between them), missing one time in six."""
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {
        "id": np.arange(rows),
        "x": rng.integers(0, 10, size=rows),
    }
    for g in range(card.generals):
        values = rng.integers(-20, 21, size=rows) * 0.5
        values[rng.random(rows) < 0.1] = rng.choice([1.3, 2.7, 2.9, 12.5], size=1)[0]
        missing = rng.random(rows) < 1 / 6
        columns[f"b{g}"] = [None if m else float(v) for v, m in zip(values, missing, strict=True)]
    schema = {f"b{g}": pl.Float64 for g in range(card.generals)}
    return pl.DataFrame(columns, schema_overrides=schema)


def reason_rows(frame: pl.DataFrame, count: int) -> list[list[str | None]]:
    columns = [frame[f"reason_{k + 1}"].to_list() for k in range(count)]
    return [list(row) for row in zip(*columns, strict=True)]
