"""Binning a text or true/false column: categories grouped by similar event rates.

Categories of the training rows are sorted by event rate (then by value, for a stable order);
categories holding less than the rare share of the rows are first pooled into one unit placed
by its pooled rate (one rare category's own rate is noise). When more units remain than
pre-bins, neighbours in that order are pooled into pre-bins of about equal size. The
pre-bins are then merged like numeric ones, with event rates rising from bin to bin.

Bins in the card: `missing`, one `= v` bin per special code, the groups as `= v` or
`in [...]` in rising event rate, then `else` for categories the training rows never had.
The `else` bin gets WoE 0 (the population's average, so 0 points): an unseen category is
neither rewarded nor punished; edit its points in the card to choose otherwise.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from engine.fitting.bins import Bin, BoolArray, Characteristic, IntArray, Value, literal
from engine.fitting.merge import merge
from engine.syntax import ast
from engine.types import ScalarType


@dataclass(frozen=True)
class CategoricalSettings:
    prebins: int
    min_rows: float
    max_bins: int
    rare_rows: float


def _sort_key(value: Value) -> tuple[int, str]:
    return (0, str(value)) if not isinstance(value, bool) else (1, str(value))


def _units(table: pl.DataFrame, rare_rows: float, prebins: int) -> list[list[Value]]:
    """Categories in rising event-rate order, rare ones pooled, at most `prebins` units."""
    common = table.filter(pl.col("rows") >= rare_rows)
    rare = table.filter(pl.col("rows") < rare_rows)
    units: list[tuple[float, str, list[Value], float]] = []
    for value, rows, events in common.iter_rows():
        units.append((events / rows, str(value), [value], rows))
    if rare.height:
        pooled_rows = float(rare["rows"].sum())
        values = sorted(rare["value"].to_list(), key=_sort_key)
        units.append((float(rare["events"].sum()) / pooled_rows, "", values, pooled_rows))
    units.sort(key=lambda u: (u[0], u[1]))
    if len(units) <= prebins:
        return [u[2] for u in units]
    total = sum(u[3] for u in units)
    grouped: list[list[Value]] = []
    done = 0.0
    for _, _, values, rows in units:
        slot = min(int(done * prebins // total), prebins - 1)
        while len(grouped) <= slot:
            grouped.append([])
        grouped[slot].extend(values)
        done += rows
    return [g for g in grouped if g]


def _group_match(values: Sequence[Value], kind: ScalarType) -> ast.BinMatch:
    ordered = sorted(values, key=_sort_key)
    if len(ordered) == 1:
        return ast.BinCompare(op="=", value=literal(ordered[0], kind))
    return ast.BinIn(values=[literal(v, kind) for v in ordered])


def assign(
    series: pl.Series, specials: Sequence[Value], groups: Sequence[Sequence[Value]]
) -> IntArray:
    """The bin of every value: 0 missing, 1.. the specials, the groups, then `else`."""
    codes: dict[Value, int] = {}
    for i, code in enumerate(specials):
        codes[code] = 1 + i
    for g, values in enumerate(groups):
        for v in values:
            codes.setdefault(v, 1 + len(specials) + g)
    other = 1 + len(specials) + len(groups)
    col = pl.col("value")
    mapped = pl.DataFrame({"value": series}).select(
        pl.when(col.is_null())
        .then(pl.lit(0, dtype=pl.Int64))
        .otherwise(
            col.replace_strict(
                list(codes.keys()), list(codes.values()), default=other, return_dtype=pl.Int64
            )
        )
    )
    return mapped.to_series().to_numpy().astype(np.int64)


def fit_categorical(
    column: str,
    kind: ScalarType,
    series: pl.Series,
    specials: Sequence[Value],
    train: BoolArray,
    event: BoolArray,
    settings: CategoricalSettings,
) -> Characteristic:
    """Bins for one text or true/false column, fitted on `train` rows."""
    frame = pl.DataFrame({"value": series, "event": event, "train": train})
    regular = frame.filter(
        pl.col("train") & pl.col("value").is_not_null() & ~pl.col("value").is_in(list(specials))
    )
    table = (
        regular.group_by("value")
        .agg(
            pl.len().cast(pl.Float64).alias("rows"),
            pl.col("event").sum().cast(pl.Float64).alias("events"),
        )
        .sort("value")
    )
    units = _units(table, settings.rare_rows, settings.prebins)
    unit_rows: list[float] = []
    unit_events: list[float] = []
    lookup = {v: (r, e) for v, r, e in table.iter_rows()}
    for values in units:
        unit_rows.append(sum(lookup[v][0] for v in values))
        unit_events.append(sum(lookup[v][1] for v in values))
    merged = merge(
        unit_rows,
        unit_events,
        total_events=float(event[train].sum()),
        total_rows=float(train.sum()),
        min_rows=settings.min_rows,
        max_bins=settings.max_bins,
        trend="ascending",
    )
    bounds = [*merged.starts, len(units)]
    groups = [[v for unit in units[a:b] for v in unit] for a, b in itertools.pairwise(bounds)]
    groups = [g for g in groups if g]
    bins = [Bin(ast.BinMissing(), "missing")]
    bins += [Bin(ast.BinCompare(op="=", value=literal(code, kind)), "special") for code in specials]
    bins += [Bin(_group_match(g, kind), "group") for g in groups]
    bins.append(Bin(ast.BinElse(), "else"))
    return Characteristic(column, kind, tuple(bins), assign(series, specials, groups), None)
