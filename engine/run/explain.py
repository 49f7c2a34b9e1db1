"""One customer's every value: lets, rules (fired or not), bins (which bin), models, results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from engine import ir, results
from engine.backends.polars.expressions import polars_dtype
from engine.backends.polars.validate import cast_column
from engine.check.params import parse_value
from engine.diagnostics import ScorecardError, error
from engine.io import tables
from engine.program import Program
from engine.run.card import Card
from engine.run.execute import declared_types, is_small, run
from engine.run.options import Data, Progress, RunOptions
from engine.run.progress import step
from engine.types import ScalarType


def explain(
    card: Card, data: Data, key: ir.Value, params: Mapping[str, ir.Value] | None = None
) -> Explanation:
    """Every let, rule, bins and model value for the row whose key is `key`."""
    return explain_keys(card, data, [key], params)[0]


def explain_keys(
    card: Card,
    data: Data,
    keys: Sequence[ir.Value],
    params: Mapping[str, ir.Value] | None = None,
    progress: Progress | None = None,
) -> list[Explanation]:
    """One explanation per key, in the order given (`progress` is told of the steps).

    Only the rows with these keys are read and scored: the filter on the key goes into the
    scan, so a Parquet file is read through its row groups' statistics and only the matching
    rows are decoded (predicate pushdown); a CSV file is streamed through once. The raw
    values of the card's inputs, as the file holds them, are kept beside the results."""
    key_col = card.program.key
    wanted = [_typed_key(k, key_col.type) for k in keys]
    step(progress, "reading")
    raw = _matching_rows(card, data, wanted)
    if card.program.classes is not None and is_small(data):
        # A class ranks the row among every scored row, so the whole table is scored
        # anyway: a small one once, with the details, and the keys' rows kept.
        options = RunOptions(details=True, progress=progress)
        rows = run([card], data, [params or {}], options).frame
        found = _keyed(rows, key_col.name, key_col.type).filter(pl.col(_KEY).is_in(wanted))
    else:
        declared = _declared(card, data, raw)
        options = RunOptions(details=True, small_table=True, progress=progress)
        rows = run([card], declared, [params or {}], options).frame
        found = _keyed(rows, key_col.name, key_col.type)
        if card.program.classes is not None:
            found = _with_classes(card, data, params, found, progress)
    raw_found = _keyed(raw, key_col.name, key_col.type)
    missing = [k for k in wanted if k not in set(found[_KEY].to_list())]
    if missing:
        shown = ", ".join(repr(k) for k in missing)
        raise ScorecardError([error("E835", f"no row has {key_col.name} = {shown}")])
    out = []
    for k in wanted:
        row = found.filter(pl.col(_KEY) == k).drop(_KEY).row(0, named=True)
        raw_row = raw_found.filter(pl.col(_KEY) == k).drop(_KEY).row(0, named=True)
        inputs = {c.name: raw_row.get(c.name) for c in card.program.inputs}
        out.append(Explanation(card.program, row, inputs))
    return out


_KEY = "__scorecard_explained_key"


def _keyed(frame: pl.DataFrame, name: str, type_: ScalarType) -> pl.DataFrame:
    """`frame` with its key column as the key's type in the column `_KEY`."""
    return frame.with_columns(cast_column(name, frame.schema[name], type_).alias(_KEY))


def _with_classes(
    card: Card,
    data: Data,
    params: Mapping[str, ir.Value] | None,
    found: pl.DataFrame,
    progress: Progress | None,
) -> pl.DataFrame:
    """A class ranks a row among all the scored rows: those rows' classes come from scoring
    the whole table (the one case where explain reads every row)."""
    key = card.program.key
    frame = run([card], data, [params or {}], RunOptions(progress=progress)).frame
    everyone = frame.select(
        cast_column(key.name, frame.schema[key.name], key.type).alias(_KEY), results.CLASS
    )
    return found.drop(results.CLASS).join(everyone, on=_KEY, how="left", maintain_order="left")


def _typed_key(key: ir.Value, type_: ScalarType) -> ir.Value:
    if isinstance(key, str) and type_ is not ScalarType.STRING:
        try:
            return parse_value(key, type_)
        except ValueError as exc:
            raise ScorecardError(
                [error("E834", f"--key {key!r}: not a {type_} value: {exc}")]
            ) from None
    return key


def _matching_rows(card: Card, data: Data, keys: Sequence[ir.Value]) -> pl.DataFrame:
    """The rows whose key is one of `keys`, as stored (before any reading option)."""
    key_col = card.program.key
    frame = data.lazy() if isinstance(data, pl.DataFrame | pl.LazyFrame) else tables.scan_raw(data)
    schema = frame.collect_schema()
    if key_col.name not in schema:  # the run reports the missing column with "did you mean"
        return frame.collect()
    dtype = polars_dtype(key_col.type)
    column = pl.col(key_col.name)
    if schema[key_col.name] != dtype:
        column = cast_column(key_col.name, schema[key_col.name], key_col.type)
    # `==` for one key and a plain list for several: the forms Polars' Parquet reader
    # evaluates while decoding (an imploded Series is slower to push down).
    values = pl.Series(list(keys), dtype=dtype).to_list()
    chosen = column == pl.lit(values[0], dtype=dtype) if len(values) == 1 else column.is_in(values)
    try:
        return frame.filter(chosen).collect()
    except pl.exceptions.PolarsError as exc:
        raise ScorecardError([tables.unreadable(str(data), exc)]) from None


def _declared(card: Card, data: Data, raw: pl.DataFrame) -> pl.LazyFrame:
    if isinstance(data, pl.DataFrame | pl.LazyFrame):
        return raw.lazy()
    return tables.as_declared(raw.lazy(), tables.source_of(data), declared_types([card]))


@dataclass(frozen=True)
class Explanation:
    """One row's values: `items` are (kind, name, value, detail) in card order."""

    program: Program
    values: Mapping[str, Any]
    inputs: Mapping[str, Any] = field(default_factory=dict)
    """The card's inputs for this row, as the file holds them (before any conversion)."""

    def reads(self, name: str) -> list[str]:
        """The inputs a definition reads, through the lets it reads, in declaration order."""
        definitions = {d.name: d for d in self.program.definitions}
        rules = {r.name: r for r in self.program.rules}
        bins = {b.name: b for b in self.program.bins}
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            if current in bins:
                todo.append(bins[current].on)
            if current in rules:
                todo.extend(ir.refs(rules[current].cond) | ir.refs(rules[current].points))
            if current in definitions:
                todo.extend(ir.refs(definitions[current].expr))
        return [c.name for c in self.program.inputs if c.name in seen]

    def raw_values(self, name: str) -> str:
        """`age = 19, city = 'Paris'`: the raw inputs a definition reads, for a reader."""
        return ", ".join(
            f"{n} = {'missing' if self.inputs.get(n) is None else repr(self.inputs[n])}"
            for n in self.reads(name)
        )

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
