"""A checked program as a Polars `LazyFrame` pipeline: inputs to result columns, in input order.

The pipeline, for each card (several cards share one pass over the data):

1. the declared inputs, cast to their types (`validate.cast_column`; NaN becomes null);
2. one `with_columns` per `Program.layers()` layer: lets, rule and bins contributions, models,
   `points`, `score`;
3. `excluded` (the first exclude whose condition is true), the score nulled on excluded rows,
   `segment` (first match), `class` (`NTILE(N) OVER (ORDER BY score DESC, key ASC)` over rows
   with a score, keys byte-wise), reasons (ranked by size, ties in file order).

Every card's working columns live under a private prefix, so cards, kept input columns and
names in the data never collide; the final `select` gives them their public names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from engine import ir, ranking, reason_keys, results
from engine.backends.polars.expressions import BatchPredictor, literal, translate
from engine.backends.polars.ranks import positions
from engine.backends.polars.reasons import reasons
from engine.backends.polars.validate import cast_column
from engine.program import BinsDef, Program
from engine.types import ScalarType

KEEP_PREFIX = "__keep__"
NO_BIN = "__nobin__"
FIRED = "__fired__"
MATCHED = "__matched__"
POSITION = "__rank_position"
ROUNDED = "__float32_"


@dataclass(frozen=True)
class CardRun:
    """One card ready to run: params bound, models linked."""

    program: Program
    batch_predictors: Mapping[str, BatchPredictor] = field(default_factory=dict)
    public_prefix: str = ""
    """Prefix of this card's output columns: "" for one card, "NAME_" when several run."""


@dataclass(frozen=True)
class Layout:
    """Which columns of the pipeline's output are what, for the writer and the summary."""

    key: str
    result_columns: list[str]
    hidden_columns: list[str]
    cards: list[CardLayout]
    batch_rows: int | None = None
    """Rows per batch of Polars' engine for a wide pipeline (None: Polars' own choice)."""


@dataclass(frozen=True)
class CardLayout:
    name: str
    score: str
    excluded: str
    segment: str | None
    no_bin: dict[str, str]
    """bins name -> hidden column, true where no bin matched (bins blocks without `else`)."""


def _ns(index: int) -> str:
    return f"__c{index}__"


def explain_names(program: Program) -> list[str]:
    """The definitions `--explain` shows: every let, rule, bins and model, in card order."""
    return [d.name for d in program.definitions if d.kind in ("let", "rule", "bins", "model")]


def build(
    frame: pl.LazyFrame,
    cards: Sequence[CardRun],
    *,
    keep: Sequence[str] = (),
    explain: bool = False,
    details: bool = False,
) -> tuple[pl.LazyFrame, Layout]:
    """The lazy result of running `cards` over `frame`, and where each result lands.

    `details` adds what the `explain` command shows (rule fired, bin matched). Every input
    row gives one output row: choosing rows (`--top`, `--select`) is the run stage's, after
    the run's summary has counted every row.
    """
    lf = _inputs(frame, cards, keep)
    lf = _with_definitions(lf, cards)
    lf, card_layouts = _with_results(lf, cards, details)
    lf = _with_reasons(lf, cards)
    lf = _with_ranks(lf, cards)
    out, result_names, hidden = _outputs(cards, card_layouts, keep, explain, details)
    key = cards[0].program.key
    layout = Layout(key.name, result_names, hidden, _public(cards, card_layouts), batch_rows(cards))
    return lf.select(out), layout


BATCH_BYTES = 1 << 28
"""What one batch of rows may hold in working columns (256 MiB, float64 each)."""
POLARS_BATCH_ROWS = 100_000
"""Polars' own batch size (its ideal morsel size): kept for any pipeline narrow enough."""


def batch_rows(cards: Sequence[CardRun]) -> int | None:
    """Rows per batch so that a batch's working columns (one per let, rule, bins and
    model of every card) stay within BATCH_BYTES: a 5,000-rule card holds 5,000 float
    columns per row, 4 GB for one batch of Polars' default 100,000 rows."""
    width = sum(len(card.program.definitions) for card in cards)
    rows = BATCH_BYTES // (8 * max(width, 1))
    return max(rows, 1024) if rows < POLARS_BATCH_ROWS else None


def _private(ns: str, result: str) -> str:
    """The working column of a card's result (`score` -> `__c0____score`), apart from its
    definitions (a card's `score` definition is the score before exclusions)."""
    return f"{ns}__{result}"


def _inputs(frame: pl.LazyFrame, cards: Sequence[CardRun], keep: Sequence[str]) -> pl.LazyFrame:
    """Step 1: every card's declared inputs cast to their types, and the kept columns."""
    schema = frame.collect_schema()
    columns: list[pl.Expr] = []
    for i, card in enumerate(cards):
        for col in card.program.inputs:
            columns.append(
                cast_column(col.name, schema[col.name], col.type).alias(_ns(i) + col.name)
            )
    columns.extend(pl.col(name).alias(KEEP_PREFIX + name) for name in keep)
    return frame.select(columns)


def _with_definitions(lf: pl.LazyFrame, cards: Sequence[CardRun]) -> pl.LazyFrame:
    """Step 2: one `with_columns` per layer of definitions, the cards' layers side by side.

    Before a layer, the features its tree models compare rounded to 32 bits get one column
    each (`_rounded_features`), read at every node instead of casting again there."""
    layers: list[tuple[list[pl.Expr], list[pl.Expr]]] = []
    for i, card in enumerate(cards):
        ns = _ns(i)
        for depth, layer in enumerate(card.program.layers()):
            while len(layers) <= depth:
                layers.append(([], []))
            rounded_exprs, layer_exprs = layers[depth]
            rounded = {
                node: f"{ns}{ROUNDED}{depth}_{k}"
                for k, node in enumerate(_rounded_features([d.expr for d in layer]))
            }
            rounded_exprs.extend(
                translate(node, card.batch_predictors, prefix=ns).alias(name)
                for node, name in rounded.items()
            )
            layer_exprs.extend(
                translate(d.expr, card.batch_predictors, prefix=ns, rounded=rounded).alias(
                    ns + d.name
                )
                for d in layer
            )
    for rounded_exprs, layer_exprs in layers:
        if rounded_exprs:
            lf = lf.with_columns(rounded_exprs)
        lf = lf.with_columns(layer_exprs)
    return lf


def _rounded_features(exprs: Sequence[ir.Expr]) -> list[ir.Float32]:
    """The distinct `Float32` nodes of `exprs`, in the order first met.

    A tree model compares each feature rounded to 32 bits at every node (100 trees of depth
    3: hundreds of casts of the same column per row); Polars does not share them across the
    branches of its `when` chains. One column per feature, computed before the layer: the
    reference card's plan at 1M rows takes 2.34-2.44 s of CPU against 2.47-2.59 s with the
    casts at each node (three alternating runs each). Shared subtrees are visited once (a
    compiled model's features are shared nodes)."""
    found: dict[ir.Float32, None] = {}
    visited: set[int] = set()
    stack = list(exprs)
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, ir.Float32):
            found.setdefault(node, None)
        else:
            stack.extend(ir.children(node))
    return list(found)


def _with_results(
    lf: pl.LazyFrame, cards: Sequence[CardRun], details: bool
) -> tuple[pl.LazyFrame, list[CardLayout]]:
    """Step 3: excluded, the final score, segment, the no-bin flags and the details."""
    exprs: list[pl.Expr] = []
    card_layouts: list[CardLayout] = []
    for i, card in enumerate(cards):
        card_exprs, layout = _results(card, _ns(i), details)
        exprs.extend(card_exprs)
        card_layouts.append(layout)
    return lf.with_columns(exprs), card_layouts


def _with_reasons(lf: pl.LazyFrame, cards: Sequence[CardRun]) -> pl.LazyFrame:
    """Step 4: reason_1..K of every card with reasons, the cards' steps side by side."""
    reason_steps: list[list[pl.Expr]] = []
    for i, card in enumerate(cards):
        if card.program.reasons is not None:
            kept = pl.col(_private(_ns(i), results.EXCLUDED)).is_null()
            setting = card.program.reasons
            sources = setting.sources(card.program.contributions)
            outputs = [_private(_ns(i), results.reason(k + 1)) for k in range(setting.count)]
            keyed = reason_keys.plan(card.program)
            steps = reasons(_ns(i), sources, outputs, setting.direction, kept, keyed)
            for depth, step in enumerate(steps):
                while len(reason_steps) <= depth:
                    reason_steps.append([])
                reason_steps[depth].extend(step)
    for step in reason_steps:
        lf = lf.with_columns(step)
    return lf


def _with_ranks(lf: pl.LazyFrame, cards: Sequence[CardRun]) -> pl.LazyFrame:
    """Step 5: classes. Each rank is computed once into a column (one sort), then read by NTILE."""
    positions: list[pl.Expr] = []
    ranked: list[pl.Expr] = []
    for i, card in enumerate(cards):
        if card.program.classes is not None:
            positions.append(_position(_ns(i), card.program.key.name).alias(_ns(i) + POSITION))
            ranked.append(
                _ntile(_ns(i), card.program.classes).alias(_private(_ns(i), results.CLASS))
            )
    if positions:
        lf = lf.with_columns(positions).with_columns(ranked)
    return lf


def _outputs(
    cards: Sequence[CardRun],
    card_layouts: Sequence[CardLayout],
    keep: Sequence[str],
    explain: bool,
    details: bool,
) -> tuple[list[pl.Expr], list[str], list[str]]:
    """Step 6: the output columns under their public names (and the hidden no-bin flags)."""
    key = cards[0].program.key
    out: list[pl.Expr] = [pl.col(_ns(0) + key.name).alias(key.name)]
    result_names = [key.name]
    hidden: list[str] = []
    for i, card in enumerate(cards):
        program, ns, pub = card.program, _ns(i), card.public_prefix
        for name in program.result_columns()[1:]:
            out.append(pl.col(_private(ns, name)).alias(pub + name))
            result_names.append(pub + name)
    for name in keep:
        out.append(pl.col(KEEP_PREFIX + name).alias(name))
        result_names.append(name)
    for i, card in enumerate(cards):
        ns, pub = _ns(i), card.public_prefix
        if explain or details:
            for name in explain_names(card.program):
                out.append(pl.col(ns + name).alias(pub + name))
                result_names.append(pub + name)
        if details:
            for rule in card.program.rules:
                out.append(pl.col(ns + FIRED + rule.name).alias(pub + results.fired(rule.name)))
                result_names.append(pub + results.fired(rule.name))
            for bins in card.program.bins:
                matched = pub + results.bin_matched(bins.name)
                out.append(pl.col(ns + MATCHED + bins.name).alias(matched))
                result_names.append(matched)
            out.append(pl.col(ns + results.POINTS).alias(pub + results.POINTS))
            result_names.append(pub + results.POINTS)
        for hidden_col in card_layouts[i].no_bin.values():
            out.append(pl.col(hidden_col))
            hidden.append(hidden_col)
    return out, result_names, hidden


def _public(cards: Sequence[CardRun], card_layouts: Sequence[CardLayout]) -> list[CardLayout]:
    """Each card's layout with the public names of its result columns."""
    return [
        CardLayout(
            name=c.name,
            score=cards[i].public_prefix + results.SCORE,
            excluded=cards[i].public_prefix + results.EXCLUDED,
            segment=cards[i].public_prefix + results.SEGMENT if cards[i].program.segments else None,
            no_bin=c.no_bin,
        )
        for i, c in enumerate(card_layouts)
    ]


def _bool(expr: ir.Expr, card: CardRun, ns: str) -> pl.Expr:
    return translate(expr, card.batch_predictors, prefix=ns)


def _results(card: CardRun, ns: str, details: bool) -> tuple[list[pl.Expr], CardLayout]:
    """excluded, final score, segment, reasons, and the hidden no-bin-matched flags."""
    program = card.program
    string_null = pl.lit(None, dtype=pl.String)
    excluded: pl.Expr = string_null
    for x in reversed(program.excludes):
        excluded = pl.when(_bool(x.cond, card, ns)).then(pl.lit(x.label)).otherwise(excluded)
    kept = excluded.is_null()
    raw = pl.col(ns + results.SCORE)
    # -0.0 and 0.0 are one score: normalise so ordering (classes, --top) cannot tell them apart.
    normal = pl.when(raw == literal(0.0, ScalarType.FLOAT)).then(literal(0.0, ScalarType.FLOAT))
    score = pl.when(kept).then(normal.otherwise(raw)).otherwise(literal(None, ScalarType.FLOAT))
    exprs = [
        excluded.alias(_private(ns, results.EXCLUDED)),
        score.alias(_private(ns, results.SCORE)),
    ]

    if program.segments:
        segment: pl.Expr = string_null
        for s in reversed(program.segments):
            cond = pl.lit(True) if s.cond is None else _bool(s.cond, card, ns)
            segment = pl.when(cond).then(pl.lit(s.name)).otherwise(segment)
        segment = pl.when(kept).then(segment).otherwise(string_null)
        exprs.append(segment.alias(_private(ns, results.SEGMENT)))

    no_bin: dict[str, str] = {}
    for bins in program.bins:
        if not bins.has_else:
            hidden = f"{ns}{NO_BIN}{bins.name}"
            exprs.append((kept & ~_any_bin(bins, card, ns)).alias(hidden))
            no_bin[bins.name] = hidden
    if details:
        for rule in program.rules:
            fired = _bool(rule.cond, card, ns).fill_null(False)
            exprs.append(fired.alias(ns + FIRED + rule.name))
        for bins in program.bins:
            matched: pl.Expr = string_null
            for entry in reversed(bins.entries):
                matched = (
                    pl.when(_bool(entry.cond, card, ns)).then(pl.lit(entry.text)).otherwise(matched)
                )
            exprs.append(matched.alias(ns + MATCHED + bins.name))
    layout = CardLayout(
        program.name, _private(ns, results.SCORE), _private(ns, results.EXCLUDED), None, no_bin
    )
    return exprs, layout


def _any_bin(bins: BinsDef, card: CardRun, ns: str) -> pl.Expr:
    if not bins.entries:
        return pl.lit(False)
    return pl.any_horizontal([_bool(e.cond, card, ns).fill_null(False) for e in bins.entries])


def _position(ns: str, key: str) -> pl.Expr:
    """0-based rank by score descending, then key ascending (byte-wise); null scores last
    (`ranks.positions`, over the whole table)."""
    score, key_col = pl.col(_private(ns, results.SCORE)), pl.col(ns + key)
    return pl.map_batches([score, key_col], positions, return_dtype=pl.Int64)


def _where(condition: pl.Expr, then: Any, otherwise: Any) -> pl.Expr:
    return pl.when(condition).then(then).otherwise(otherwise)


def _ntile(ns: str, buckets: int) -> pl.Expr:
    """SQL's NTILE(buckets) over the rows with a score: the first n % buckets get one more.

    Reads the rank computed by `_position` into the column `ns + POSITION`.
    """
    position = pl.col(ns + POSITION)
    scored = pl.col(_private(ns, results.SCORE)).is_not_null()
    n = scored.sum().cast(pl.Int64)
    bucket = ranking.ntile(position, n, buckets, _where)
    return pl.when(scored).then(bucket).otherwise(None).cast(pl.Int64)
