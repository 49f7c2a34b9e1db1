"""One customer's every value: lets, rules (fired or not), bins (which bin), models, results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from engine import ir, results
from engine.backends.polars.expressions import polars_dtype
from engine.check.params import parse_value
from engine.diagnostics import ScorecardError, error
from engine.program import Program
from engine.run.card import Card
from engine.run.execute import run
from engine.run.options import Data, RunOptions


def explain(
    card: Card, data: Data, key: ir.Value, params: Mapping[str, ir.Value] | None = None
) -> Explanation:
    """Every let, rule, bins and model value for the row whose key is `key`."""
    key_col = card.program.key
    if isinstance(key, str) and key_col.type.value != "string":
        try:
            key = parse_value(key, key_col.type)
        except ValueError as exc:
            raise ScorecardError(
                [error("E834", f"--key {key!r}: not a {key_col.type} value: {exc}")]
            ) from None
    frame = run([card], data, [params or {}], RunOptions(details=True)).frame
    rows = frame.filter(pl.col(key_col.name) == pl.lit(key, dtype=polars_dtype(key_col.type)))
    if rows.height == 0:
        raise ScorecardError([error("E835", f"no row has {key_col.name} = {key!r}")])
    return Explanation(card.program, rows.row(0, named=True))


@dataclass(frozen=True)
class Explanation:
    """One row's values: `items` are (kind, name, value, detail) in card order."""

    program: Program
    values: Mapping[str, Any]

    @property
    def items(self) -> list[tuple[str, str, Any, str]]:
        out: list[tuple[str, str, Any, str]] = []
        rules = {r.name: r for r in self.program.rules}
        bins = {b.name: b for b in self.program.bins}
        for d in self.program.definitions:
            if d.kind == "let":
                out.append(("let", d.name, self.values.get(d.name), ""))
            elif d.kind == "rule":
                fired = self.values.get(results.fired(d.name))
                label = rules[d.name].label or ""
                detail = ("fired" if fired else "did not fire") + (f" ({label})" if label else "")
                out.append(("rule", d.name, self.values.get(d.name), detail))
            elif d.kind == "bins":
                matched = self.values.get(results.bin_matched(d.name))
                detail = f"bin {matched}" if matched is not None else "no bin matched"
                bins_label = bins[d.name].label
                out.append(
                    (
                        "bins",
                        d.name,
                        self.values.get(d.name),
                        detail + (f" ({bins_label})" if bins_label else ""),
                    )
                )
            elif d.kind == "model":
                out.append(("model", d.name, self.values.get(d.name), ""))
        points = self.values.get(results.POINTS)
        out.append(("points", results.POINTS, points, "sum of rules and bins"))
        for col in self.program.result_columns()[1:]:
            out.append(("result", col, self.values.get(col), ""))
        return out
