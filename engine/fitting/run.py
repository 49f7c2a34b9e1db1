"""`fit`: from a table with an outcome to a card's text and the figures of the fit.

    from engine.fitting.run import fit_new
    result = fit_new("history.csv", FitOptions(target="bad"))
    print(result.card)                 # the card's text
    print(result.figures.holdout.auc)  # the report's figures

Every problem a user can cause is raised as `engine.ScorecardError` with a diagnostic.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from engine.diagnostics import ScorecardError, error
from engine.fitting import card as card_text
from engine.fitting.bins import BoolArray, Characteristic, Value, literal
from engine.fitting.characteristics import Columns, bin_column, classify, special_values
from engine.fitting.comments import (
    bin_comment,
    block_heading,
    describe_event,
    describe_scaling,
    header_lines,
)
from engine.fitting.data import Data, Split, choose_key, infer_types, outcome, read, split, typed
from engine.fitting.figures import (
    CharacteristicFigures,
    FitFigures,
    Skipped,
    characteristic_figures,
)
from engine.fitting.model import Fitted, performance, select_and_fit
from engine.fitting.options import FitOptions, command_line
from engine.fitting.regression import Regression
from engine.run.options import Progress
from engine.run.progress import advance, step
from engine.syntax import ast
from engine.types import ScalarType

BASE_NAME = "base_points"
MAX_CATEGORIES = 1000
"""A text column with more distinct values is not binned: its groups could not be listed."""
EXAMPLE_QUANTILES = (("a low score", 0.1), ("a middle score", 0.5), ("a high score", 0.9))


@dataclass(frozen=True)
class FitResult:
    card: str
    """The card's text, ready to be written to a `.scorecard` file."""
    figures: FitFigures
    regression: Regression
    """The fitted logistic regression (its scikit-learn estimator is `regression.estimator`)."""


def _given_value(value: Any, kind: ScalarType) -> card_text.GivenValue:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ast.MissingLit()
    return literal(value, kind)


def examples(
    frame: pl.DataFrame,
    key: str,
    types: dict[str, ScalarType | None],
    columns: Sequence[str],
    scores: np.ndarray,
    train: BoolArray,
) -> list[card_text.Example]:
    """Three training rows, at the 10th, 50th and 90th percentile of the score."""
    rows = np.flatnonzero(train)
    keys = frame[key]
    ranked = pl.DataFrame({"row": rows, "score": scores[rows], "key": keys.gather(rows)})
    order = ranked.sort(["score", "key"])["row"].to_list()
    out: list[card_text.Example] = []
    used: set[int] = set()
    for label, q in EXAMPLE_QUANTILES:
        pos = min(int(q * len(order)), len(order) - 1)
        row = order[pos]
        if row in used:
            continue
        used.add(row)
        key_type = types[key]
        assert key_type is not None
        given: list[tuple[str, card_text.GivenValue]] = [(key, literal(keys[row], key_type))]
        for name in columns:
            kind = types[name]
            assert kind is not None
            given.append((name, _given_value(frame[name][row], kind)))
        out.append(
            card_text.Example(
                f"{label}: {key} {keys[row]}",
                given,
                float(scores[row]),
                f"a training row at the {int(q * 100)}th percentile of the score",
            )
        )
    return out


def _card_name(options: FitOptions, output: str | None, data_name: str) -> str:
    if options.name is not None:
        return card_text.card_name(options.name)
    if output is not None and output != "-":
        return card_text.card_name(Path(output).stem)
    return card_text.card_name(Path(data_name).stem if data_name != "<frame>" else "fitted")


@dataclass(frozen=True)
class _Table:
    """The table read and typed, with its outcome, split and columns sorted out."""

    raw: pl.DataFrame
    name: str
    types: dict[str, ScalarType | None]
    key: str
    event: BoolArray
    known: BoolArray
    parts: Split
    columns: Columns
    frame: pl.DataFrame
    """The key, candidate and sensitive columns, typed as the card declares them."""


def _prepare(data: Data, options: FitOptions, progress: Progress | None = None) -> _Table:
    raw, data_name, text = read(data, progress)
    if raw.height == 0:
        raise ScorecardError([error("E1103", f"{data_name}: the table has no rows")])
    event, known = outcome(raw, options.target, options.event, data_name)
    types = infer_types(raw, text)
    key = choose_key(raw, types, options)
    parts = split(raw, options, known)
    train = parts.train
    n_events = int(event[train].sum())
    if n_events == 0 or n_events == int(train.sum()):
        raise ScorecardError(
            [
                error(
                    "E1102",
                    f"{data_name}: the training rows need events and non-events "
                    f"({n_events} events in {int(train.sum())} rows, {describe_event(options)})",
                )
            ]
        )
    cols = classify(raw.columns, types, key, options)
    frame = typed(raw, types, [key, *cols.candidates, *cols.sensitive])
    return _Table(raw, data_name, types, key, event, known, parts, cols, frame)


def _bin_all(
    table: _Table, options: FitOptions, progress: Progress | None = None
) -> list[Characteristic]:
    """Every candidate column binned (text columns with too many values left aside): the
    step "binning", counted in columns."""
    jobs = []
    for name in table.columns.candidates:
        kind = table.types[name]
        assert kind is not None
        if not kind.is_numeric and table.frame[name].n_unique() > MAX_CATEGORIES:
            table.columns.skipped.append(
                Skipped(
                    name,
                    f"more than {MAX_CATEGORIES} categories (an identifier or free text?): "
                    "group them in the data or with a let, then refit with --from",
                )
            )
            continue
        specials = special_values(name, kind, options.special.get(name, ()))
        jobs.append((name, kind, table.frame[name], specials))
    train, event = table.parts.train, table.event
    step(progress, "binning", len(jobs), "columns")

    # Columns are binned side by side: the sorts, searches and counts of NumPy and Polars
    # release the interpreter lock. The results come back in column order.
    def work(job: tuple[str, ScalarType, pl.Series, list[Value]]) -> Characteristic:
        name, kind, series, specials = job
        binned = bin_column(name, kind, series, specials, train, event, options)
        advance(progress)
        return binned

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(work, jobs))


@dataclass(frozen=True)
class _Blocks:
    blocks: list[card_text.Block]
    names: dict[str, str]
    """column -> bins block name"""
    order: list[Characteristic]
    coefficient: dict[str, float]
    points: dict[str, tuple[float, ...]]


def _blocks(fitted: Fitted, taken: set[str], train: BoolArray) -> _Blocks:
    """The bins blocks of the card, in decreasing IV, with their comments."""
    kept = [c.column for c in fitted.kept]
    coefficient = dict(zip(kept, fitted.regression.coefficients, strict=True))
    bin_points = dict(zip(kept, fitted.points.bins, strict=True))
    order = sorted(fitted.kept, key=lambda c: (-fitted.figures[c.column].total_iv, c.column))
    total_rows = float(train.sum())
    blocks, names = [], {}
    for c in order:
        tf = fitted.figures[c.column]
        names[c.column] = card_text.unique_name(f"{c.column}_points", taken)
        blocks.append(
            card_text.Block(
                names[c.column],
                c.column,
                c.bins,
                bin_points[c.column],
                [bin_comment(tf, i, total_rows) for i in range(len(c.bins))],
                block_heading(c.column, tf, c.trend, coefficient[c.column]),
            )
        )
    return _Blocks(blocks, names, order, coefficient, bin_points)


def _inputs(table: _Table, order: Sequence[Characteristic]) -> list[card_text.InputLine]:
    key_type = table.types[table.key]
    assert key_type is not None
    inputs = [card_text.InputLine(table.key, key_type, ("key",))]
    inputs += [card_text.InputLine(c.column, c.type) for c in order]
    for name in table.columns.sensitive:
        kind = table.types[name]
        assert kind is not None
        inputs.append(card_text.InputLine(name, kind, ("sensitive",)))
    return inputs


def fit_new(
    data: Data,
    options: FitOptions,
    *,
    output: str | None = None,
    progress: Progress | None = None,
) -> FitResult:
    """Fit a card on `data` (a file or a Polars frame) with `options`.

    `output` (the file the card will be written to) only names the card and completes the
    command shown in the card's header. `progress` is told of the steps: reading, binning,
    fitting.
    """
    options.check()
    table = _prepare(data, options, progress)
    train, holdout, event = table.parts.train, table.parts.holdout, table.event
    characteristics = _bin_all(table, options, progress)
    step(progress, "fitting")
    fitted = select_and_fit(
        characteristics,
        train,
        event,
        min_iv=options.min_iv,
        max_correlation=options.max_correlation,
        scaling=options.scaling,
        whole=options.round_points,
    )
    higher_is_event = fitted.points.line.slope > 0
    train_perf = performance(fitted.scores, event, train, higher_is_event)
    holdout_perf = (
        performance(fitted.scores, event, holdout, higher_is_event) if holdout.any() else None
    )
    command = command_line(table.name, options, None, output)
    taken = set(table.raw.columns)
    base_name = card_text.unique_name(BASE_NAME, taken)
    made = _blocks(fitted, taken, train)
    direction, scaling_words = describe_scaling(options)
    last = (
        f"{len(fitted.kept)} of {len(characteristics)} characteristics kept; "
        "the report (--report) says why the others were left out"
    )
    where = Path(table.name).name if table.name != "<frame>" else "a table"
    spec = card_text.CardSpec(
        name=_card_name(options, output, table.name),
        title=f"Fitted on {where}: {describe_event(options)}",
        description=f"{direction[0].upper()}{direction[1:]} ({describe_event(options)}); {scaling_words}",
        inputs=_inputs(table, made.order),
        base_name=base_name,
        base_value=fitted.points.base,
        base_comment=(
            "the score of a customer at the population's average in every characteristic "
            "(every WoE 0); each bin's points move the score away from it"
        ),
        whole=options.round_points,
        blocks=made.blocks,
        reasons="highest" if higher_is_event else "lowest",
        examples=examples(
            table.frame,
            table.key,
            table.types,
            [c.column for c in made.order],
            fitted.scores,
            train,
        ),
        header=header_lines(
            command, options, table.parts.description, train_perf, holdout_perf, last
        ),
    )
    figures = FitFigures(
        card=spec.name,
        data=table.name,
        command=command,
        target=options.target,
        event=describe_event(options),
        key=table.key,
        split=table.parts.description,
        direction=direction,
        scaling=scaling_words,
        rows_read=table.raw.height,
        rows_without_outcome=int((~table.known).sum()),
        train=train_perf,
        holdout=holdout_perf,
        intercept=fitted.regression.intercept,
        base_points=fitted.points.base,
        characteristics=_all_figures(fitted, characteristics, made, holdout, event),
        skipped=table.columns.skipped,
    )
    return FitResult(card_text.write(spec), figures, fitted.regression)


def _all_figures(
    fitted: Fitted,
    characteristics: Sequence[Characteristic],
    made: _Blocks,
    holdout: BoolArray,
    event: BoolArray,
) -> list[CharacteristicFigures]:
    out = [
        characteristic_figures(
            c,
            fitted.figures[c.column],
            holdout,
            event,
            selected=True,
            block=made.names[c.column],
            reason=None,
            coefficient=made.coefficient[c.column],
            points=made.points[c.column],
        )
        for c in made.order
    ]
    kept = {c.column for c in made.order}
    rest = sorted(
        (c for c in characteristics if c.column not in kept),
        key=lambda c: (-fitted.figures[c.column].total_iv, c.column),
    )
    out += [
        characteristic_figures(
            c,
            fitted.figures[c.column],
            holdout,
            event,
            selected=False,
            block=None,
            reason=fitted.dropped.get(c.column),
            coefficient=None,
            points=None,
        )
        for c in rest
    ]
    return out
