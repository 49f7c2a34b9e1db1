"""A checked program as a Polars `LazyFrame` pipeline: inputs to result columns, in input order.

The pipeline, for each card (several cards share one pass over the data):

1. the declared inputs, cast to their types (`engine.validate.cast_column`; NaN becomes null);
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

import polars as pl

from engine import ir
from engine.backends.polars.expressions import BatchPredictor, literal, translate
from engine.program import BinsDef, Program
from engine.types import ScalarType
from engine.validate import cast_column

KEEP_PREFIX = "__keep__"
NO_BIN = "__nobin__"
FIRED = "__fired__"
MATCHED = "__matched__"
POSITION = "__rank_position"


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
    top: tuple[int, bool] | None = None,
) -> tuple[pl.LazyFrame, Layout]:
    """The lazy result of running `cards` over `frame`, and where each result lands.

    `details` adds what the `explain` command shows (rule fired, bin matched); `top` is
    `(N, False)` for the N best-scored rows or `(P, True)` for the best P percent.
    """
    schema = frame.collect_schema()
    first = cards[0].program
    key = first.key
    columns: list[pl.Expr] = []
    for i, card in enumerate(cards):
        for col in card.program.inputs:
            columns.append(
                cast_column(col.name, schema[col.name], col.type).alias(_ns(i) + col.name)
            )
    columns.extend(pl.col(name).alias(KEEP_PREFIX + name) for name in keep)
    lf = frame.select(columns)

    layers: list[list[pl.Expr]] = []
    for i, card in enumerate(cards):
        for depth, layer in enumerate(card.program.layers()):
            while len(layers) <= depth:
                layers.append([])
            layers[depth].extend(
                translate(d.expr, card.batch_predictors, prefix=_ns(i)).alias(_ns(i) + d.name)
                for d in layer
            )
    for layer_exprs in layers:
        lf = lf.with_columns(layer_exprs)

    results: list[pl.Expr] = []
    card_layouts: list[CardLayout] = []
    for i, card in enumerate(cards):
        exprs, layout = _results(card, _ns(i), details)
        results.extend(exprs)
        card_layouts.append(layout)
    for stage in _reason_stages(cards):
        lf = lf.with_columns(stage)
    lf = lf.with_columns(results)
    reason_steps: list[list[pl.Expr]] = []
    for i, card in enumerate(cards):
        if card.program.reasons is not None:
            kept = pl.col(_ns(i) + "__excluded").is_null()
            for depth, step in enumerate(_reasons(card.program, _ns(i), kept)):
                while len(reason_steps) <= depth:
                    reason_steps.append([])
                reason_steps[depth].extend(step)
    for step in reason_steps:
        lf = lf.with_columns(step)

    # Each rank is computed once into a column (one sort), then read by NTILE and --top.
    positions: list[pl.Expr] = []
    ranked: list[pl.Expr] = []
    for i, card in enumerate(cards):
        if card.program.classes is not None or (top is not None and i == 0):
            positions.append(_position(_ns(i), card.program.key.name).alias(_ns(i) + POSITION))
        if card.program.classes is not None:
            ranked.append(_ntile(_ns(i), card.program.classes).alias(_ns(i) + "__class"))
    if top is not None:
        ranked.append(pl.col(_ns(0) + POSITION).alias("__position"))
    if positions:
        lf = lf.with_columns(positions)
    if ranked:
        lf = lf.with_columns(ranked)
    if top is not None:
        count, percent = top
        scored = pl.col(_ns(0) + "__score").is_not_null().sum()
        limit = (
            (scored.cast(pl.Float64) * (count / 100.0)).ceil().cast(pl.Int64)
            if percent
            else pl.lit(count, dtype=pl.Int64)
        )
        lf = lf.filter(pl.col("__position") < limit)

    out: list[pl.Expr] = [pl.col(_ns(0) + key.name).alias(key.name)]
    result_names = [key.name]
    hidden: list[str] = []
    for i, card in enumerate(cards):
        program, ns, pub = card.program, _ns(i), card.public_prefix
        for result in program.result_columns()[1:]:
            source = {
                "score": "__score",
                "segment": "__segment",
                "class": "__class",
                "excluded": "__excluded",
            }.get(result, "__" + result)
            out.append(pl.col(ns + source).alias(pub + result))
            result_names.append(pub + result)
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
                out.append(pl.col(ns + FIRED + rule.name).alias(f"{pub}{rule.name}.fired"))
                result_names.append(f"{pub}{rule.name}.fired")
            for bins in card.program.bins:
                out.append(pl.col(ns + MATCHED + bins.name).alias(f"{pub}{bins.name}.bin"))
                result_names.append(f"{pub}{bins.name}.bin")
            out.append(pl.col(ns + "points").alias(f"{pub}points"))
            result_names.append(f"{pub}points")
        for hidden_col in card_layouts[i].no_bin.values():
            out.append(pl.col(hidden_col))
            hidden.append(hidden_col)
    lf = lf.select(out)
    layouts = [
        CardLayout(
            name=c.name,
            score=cards[i].public_prefix + "score",
            excluded=cards[i].public_prefix + "excluded",
            segment=cards[i].public_prefix + "segment" if cards[i].program.segments else None,
            no_bin=c.no_bin,
        )
        for i, c in enumerate(card_layouts)
    ]
    return lf, Layout(key.name, result_names, hidden, layouts)


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
    raw = pl.col(ns + "score")
    # -0.0 and 0.0 are one score: normalise so ordering (classes, --top) cannot tell them apart.
    normal = pl.when(raw == literal(0.0, ScalarType.FLOAT)).then(literal(0.0, ScalarType.FLOAT))
    score = pl.when(kept).then(normal.otherwise(raw)).otherwise(literal(None, ScalarType.FLOAT))
    exprs = [excluded.alias(ns + "__excluded"), score.alias(ns + "__score")]

    if program.segments:
        segment: pl.Expr = string_null
        for s in reversed(program.segments):
            cond = pl.lit(True) if s.cond is None else _bool(s.cond, card, ns)
            segment = pl.when(cond).then(pl.lit(s.name)).otherwise(segment)
        exprs.append(pl.when(kept).then(segment).otherwise(string_null).alias(ns + "__segment"))

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
    return exprs, CardLayout(program.name, ns + "__score", ns + "__excluded", None, no_bin)


def _any_bin(bins: BinsDef, card: CardRun, ns: str) -> pl.Expr:
    if not bins.entries:
        return pl.lit(False)
    return pl.any_horizontal([_bool(e.cond, card, ns).fill_null(False) for e in bins.entries])


REASON_VALUE = "__rvalue_"
REASON_INDEX = "__rindex_"
REASON_QUALIFYING = "__rqual_"


def _reason_stages(cards: Sequence[CardRun]) -> list[list[pl.Expr]]:
    """Hidden columns: for round k, the k-th best contribution's value, then its file index.

    Round k takes the largest qualifying contribution (> 0 for `highest`, negated < 0 for
    `lowest`) among those no earlier round chose, and the first contribution in file order
    holding that value, so ties go in file order. Everything is a horizontal expression over
    plain columns (no per-row list sort: `list.eval` costs tens of microseconds per row), and
    each round reads the previous rounds' columns, so no expression is repeated.
    """
    stages: list[list[pl.Expr]] = []
    for i, card in enumerate(cards):
        program, ns = card.program, _ns(i)
        if program.reasons is None or not program.contributions:
            continue
        highest = program.reasons.direction == "highest"
        zero = literal(0.0, ScalarType.FLOAT)
        qualifying = []
        for n, name in enumerate(program.contributions):
            col = pl.col(ns + name)
            qualifying.append(
                pl.when(col > zero if highest else col < zero)
                .then(col if highest else -col)
                .otherwise(literal(None, ScalarType.FLOAT))
                .alias(f"{ns}{REASON_QUALIFYING}{n}")
            )
        values = [pl.col(f"{ns}{REASON_QUALIFYING}{n}") for n in range(len(qualifying))]
        if not stages:
            stages.append([])
        stages[0].extend(qualifying)
        for k in range(program.reasons.count):
            chosen = [pl.col(f"{ns}{REASON_INDEX}{j}").fill_null(-1) for j in range(k)]

            def available(index: int, value: pl.Expr, chosen: list[pl.Expr] = chosen) -> pl.Expr:
                if not chosen:
                    return value
                free = pl.all_horizontal([c != index for c in chosen])
                return pl.when(free).then(value).otherwise(literal(None, ScalarType.FLOAT))

            best = pl.col(f"{ns}{REASON_VALUE}{k}")
            value_stage = pl.max_horizontal([available(n, v) for n, v in enumerate(values)]).alias(
                f"{ns}{REASON_VALUE}{k}"
            )
            index_stage = pl.coalesce(
                [
                    pl.when(available(n, v) == best).then(pl.lit(n, dtype=pl.Int32))
                    for n, v in enumerate(values)
                ]
            ).alias(f"{ns}{REASON_INDEX}{k}")
            while len(stages) < 2 * (k + 1) + 1:
                stages.append([])
            stages[2 * k + 1].append(value_stage)
            stages[2 * k + 2].append(index_stage)
    return stages


def _reasons(program: Program, ns: str, kept: pl.Expr) -> list[list[pl.Expr]]:
    """reason_1..K: contributions > 0 (highest) or < 0 (lowest), by size, ties in file order.

    Selection, one step per reason, with horizontal expressions only (no per-row lists, which
    cost memory proportional to the number of rules): step k takes the best value among the
    contributions not chosen yet, and the first contribution in file order that has it. Each
    step is its own `with_columns` (the returned groups), reading the indices chosen before.
    """
    assert program.reasons is not None
    count, direction = program.reasons.count, program.reasons.direction
    names = list(program.contributions)
    string_null = pl.lit(None, dtype=pl.String)
    if not names:
        return [[string_null.alias(f"{ns}__reason_{k + 1}") for k in range(count)]]
    zero = literal(0.0, ScalarType.FLOAT)
    float_null = literal(None, ScalarType.FLOAT)
    candidates = [
        pl.when((pl.col(ns + n) > zero) if direction == "highest" else (pl.col(ns + n) < zero))
        .then(pl.col(ns + n))
        .otherwise(float_null)
        for n in names
    ]
    index_cols = [f"{ns}__reason_index_{k + 1}" for k in range(count)]
    steps: list[list[pl.Expr]] = []
    for k in range(count):
        remaining = []
        for i, candidate in enumerate(candidates):
            taken = [pl.col(c) == pl.lit(i, dtype=pl.Int64) for c in index_cols[:k]]
            if taken:
                candidate = (
                    pl.when(pl.any_horizontal(taken).fill_null(False))
                    .then(float_null)
                    .otherwise(candidate)
                )
            remaining.append(candidate)
        best = (
            pl.max_horizontal(remaining) if direction == "highest" else pl.min_horizontal(remaining)
        )
        chosen = pl.coalesce(
            [pl.when(c == best).then(pl.lit(i, dtype=pl.Int64)) for i, c in enumerate(remaining)]
            + [pl.lit(None, dtype=pl.Int64)]
        )
        steps.append([pl.when(kept).then(chosen).otherwise(None).alias(index_cols[k])])
    steps.append(
        [
            pl.col(c)
            .replace_strict(list(range(len(names))), names, return_dtype=pl.String)
            .alias(f"{ns}__reason_{k + 1}")
            for k, c in enumerate(index_cols)
        ]
    )
    return steps


def _position(ns: str, key: str) -> pl.Expr:
    """0-based rank by score descending, then key ascending (byte-wise); null scores last."""
    score, key_col = pl.col(ns + "__score"), pl.col(ns + key)
    order = pl.arg_sort_by([score, key_col], descending=[True, False], nulls_last=True)
    return pl.int_range(pl.len(), dtype=pl.Int64).sort_by(order)


def _ntile(ns: str, buckets: int) -> pl.Expr:
    """SQL's NTILE(buckets) over the rows with a score: the first n % buckets get one more.

    Reads the rank computed by `_position` into the column `ns + POSITION`.
    """
    position = pl.col(ns + POSITION)
    n = pl.col(ns + "__score").is_not_null().sum().cast(pl.Int64)
    q = n // buckets
    r = n % buckets
    big = r * (q + 1)
    bucket = (
        pl.when(position < big)
        .then(position // (q + 1) + 1)
        .otherwise(r + (position - big) // pl.when(q > 0).then(q).otherwise(1) + 1)
    )
    return pl.when(pl.col(ns + "__score").is_not_null()).then(bucket).otherwise(None).cast(pl.Int64)
