"""`profile`: who is in the group, compared with the base? One entry point, `profile_table`.

    from engine.profile.run import profile_table
    p = profile_table("customers.csv", "bought_insurance = 1")
    for trait in p.traits:
        print(trait.text)

Every problem a user can cause is raised as `engine.ScorecardError` with a diagnostic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from engine import ir, results
from engine.diagnostics import ScorecardError, error
from engine.profile import categories, traits
from engine.profile.categories import Cut
from engine.profile.data import choose, column_types, non_empty, read_typed, suggest_missing
from engine.profile.stats import Category, figures
from engine.program import BinsDef
from engine.run.card import Card
from engine.run.execute import run
from engine.run.options import Data, Progress, RunOptions
from engine.run.progress import advance, step
from engine.types import ScalarType

MEASURE = "Cramér's V"
RESULTS = frozenset({results.SCORE, results.SEGMENT, results.CLASS})
DEFAULT_SENSITIVE = frozenset(
    {
        "gender",
        "sex",
        "race",
        "ethnicity",
        "ethnic_origin",
        "religion",
        "nationality",
        "disability",
        "sexual_orientation",
        "health",
    }
)
"""Column names treated as sensitive without being declared (compared case-insensitively)."""


@dataclass(frozen=True)
class ColumnProfile:
    column: str
    how: str
    """How the categories were made: `base deciles`, `values` or `card bins`."""
    sensitive: bool
    cramers_v: float
    chi2: float
    p_value: float | None
    categories: list[Category]


@dataclass(frozen=True)
class Skipped:
    column: str
    reason: str


@dataclass(frozen=True)
class Profile:
    group: str
    data: str
    base: str
    card: str | None
    group_rows: int
    base_rows: int
    compared_with: str
    min_count: int
    measure: str
    columns: list[ColumnProfile]
    traits: list[traits.Trait]
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True)
class ProfileOptions:
    columns: tuple[str, ...] = ()
    """Profile exactly these (sensitive ones included); empty: every column but the sensitive."""
    sensitive: tuple[str, ...] = ()
    """Columns to treat as sensitive besides the card's and `DEFAULT_SENSITIVE`."""
    min_count: int = 30
    deciles: int = 10
    params: Mapping[str, ir.Value] = field(default_factory=dict)

    def check(self) -> None:
        problems = []
        if self.min_count < 1:
            problems.append(f"--min-count {self.min_count}: expected 1 or more")
        if not 2 <= self.deciles <= 100:
            problems.append(f"--quantiles {self.deciles}: expected 2 to 100")
        if problems:
            raise ScorecardError([error("E1202", p) for p in problems])


@dataclass(frozen=True)
class _Candidate:
    """Something to profile: its name, where its values are, and how to cut it."""

    name: str
    column: str
    type: ScalarType
    bins: tuple[str, ...] | None = None
    order: tuple[str, ...] | None = None


def _cut(c: _Candidate, base: pl.DataFrame, group: pl.DataFrame, deciles: int) -> Cut:
    if c.bins is not None:
        return categories.bins_cut(c.name, c.column, c.bins)
    if c.order is not None:
        return categories.ordered_cut(c.column, c.order)
    dtype = base.schema[c.column]
    if c.type in (ScalarType.INT, ScalarType.FLOAT, ScalarType.DATE, ScalarType.DATETIME):
        return categories.numeric_cut(c.column, dtype, base[c.column], deciles)
    return categories.value_cut(c.column, base[c.column], group[c.column])


def _counts(frame: pl.DataFrame, cut: Cut) -> dict[str, int]:
    return dict(frame.select(cut.expr.alias("label")).to_series().value_counts().iter_rows())


def _profile_one(
    c: _Candidate,
    sets: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
    sensitive: bool,
    options: ProfileOptions,
) -> ColumnProfile:
    group, base = sets[0], sets[1]
    cut = _cut(c, base, group, options.deciles)
    found = [_counts(frame, cut) for frame in sets]
    labels = list(cut.labels)
    labels += sorted({k for f in found for k in f} - set(labels))
    g, b, o = (np.array([f.get(x, 0) for x in labels], dtype=np.int64) for f in found)
    fig = figures(labels, g, b, o, options.min_count)
    return ColumnProfile(
        c.name, cut.how, sensitive, fig.cramers_v, fig.chi2, fig.p_value, fig.categories
    )


def _table_candidates(frame: pl.DataFrame) -> dict[str, _Candidate]:
    return {n: _Candidate(n, n, t) for n, t in column_types(frame).items()}


def _card_candidates(
    card: Card, scored: pl.DataFrame
) -> tuple[dict[str, _Candidate], dict[str, _Candidate]]:
    """The card's inputs (cut by their bins block when one reads them), its bins blocks on
    lets, then `segment`, `class` and `score`; and the other columns of the table."""
    program = card.program
    types = column_types(scored)
    by_on: dict[str, BinsDef] = {}
    for b in program.bins:
        by_on.setdefault(b.on, b)
    out: dict[str, _Candidate] = {}
    for name, block in by_on.items():
        entries = tuple(e.text for e in block.entries)
        kind = types.get(name, ScalarType.STRING)
        out[name] = _Candidate(name, results.bin_matched(block.name), kind, bins=entries)
    for col in program.inputs:
        if not col.key and col.name not in out and col.name in types:
            out[col.name] = _Candidate(col.name, col.name, types[col.name])
    if program.segments:
        order = tuple(s.name for s in program.segments)
        out[results.SEGMENT] = _Candidate(
            results.SEGMENT, results.SEGMENT, ScalarType.STRING, order=order
        )
    if program.classes:
        order = tuple(str(i) for i in range(1, program.classes + 1))
        out[results.CLASS] = _Candidate(results.CLASS, results.CLASS, ScalarType.INT, order=order)
    out[results.SCORE] = _Candidate(results.SCORE, results.SCORE, ScalarType.FLOAT)
    taken = set(out) | set(program.result_columns()) | set(program.detail_columns())
    others = {n: _Candidate(n, n, t) for n, t in types.items() if n not in taken}
    return out, others


def _scored(
    card: Card,
    frame: pl.DataFrame,
    params: Mapping[str, ir.Value],
    progress: Progress | None = None,
) -> pl.DataFrame:
    """The table scored with the card's details (`NAME.bin`), every other column kept."""
    program = card.program
    reserved = set(program.result_columns()) | set(program.detail_columns())
    reserved |= {d.name for d in program.definitions}
    keep = tuple(c for c in frame.columns if c not in reserved and c != program.key.name)
    options = RunOptions(keep, details=True, progress=progress)
    return run([card], frame, [dict(params)], options).frame


def _is_identifier(series: pl.Series) -> bool:
    return series.dtype == pl.String and series.len() > 1 and series.n_unique() == series.len()


@dataclass(frozen=True)
class _Choice:
    candidates: dict[str, _Candidate]
    others: dict[str, _Candidate]
    sensitive: set[str]
    in_condition: set[str]


def _select(
    choice: _Choice, options: ProfileOptions, base: pl.DataFrame
) -> tuple[list[_Candidate], list[Skipped]]:
    """`--columns` as given; else every candidate but the condition's columns, identifiers
    and sensitive columns (each left aside with its reason), and those the base lacks."""
    every = {**choice.candidates, **choice.others}
    if options.columns:
        chosen = []
        for name in options.columns:
            if name not in every:
                raise suggest_missing(every, name, "--columns")
            chosen.append(every[name])
    else:
        chosen = list(choice.candidates.values())
    picked, skipped = [], []
    for c in chosen:
        reason = None
        if c.column not in base.columns:
            reason = "not in the base table"
        elif not options.columns and c.name in choice.in_condition:
            reason = "read by --group, or a result that follows from it (name it with --columns)"
        elif not options.columns and c.name in choice.sensitive:
            reason = "sensitive (name it with --columns to profile it)"
        elif c.bins is None and c.order is None and _is_identifier(base[c.column]):
            reason = "an identifier (every value distinct)"
        if reason:
            skipped.append(Skipped(c.name, reason))
        else:
            picked.append(c)
    return picked, skipped


def _sensitive(card: Card | None, frame: pl.DataFrame, options: ProfileOptions) -> set[str]:
    found = {c for c in frame.columns if c.lower() in DEFAULT_SENSITIVE}
    found |= set(options.sensitive)
    if card is not None:
        found |= {c.name for c in card.program.inputs if c.sensitive}
    return found


def profile_table(
    data: Data,
    group: str,
    *,
    base: Data | None = None,
    card: Card | None = None,
    options: ProfileOptions | None = None,
    progress: Progress | None = None,
) -> Profile:
    """The group (rows of `data` meeting `group`) against the base (`data`, or `base`);
    `progress` is told of the steps (reading, scoring, comparing)."""
    options = options or ProfileOptions()
    options.check()
    table = read_typed(data, progress)
    non_empty(table.frame, table.name, "profile a table with rows")
    other = read_typed(base, progress) if base is not None else None
    if other is not None:
        non_empty(other.frame, other.name, "the base must have rows")
    for name in options.sensitive:
        if name not in table.frame.columns:
            raise suggest_missing(column_types(table.frame), name, "--sensitive")
    frame = table.frame if card is None else _scored(card, table.frame, options.params, progress)
    base_frame = frame
    if other is not None:
        base_frame = (
            other.frame if card is None else _scored(card, other.frame, options.params, progress)
        )
    if card is None:
        candidates, others = _table_candidates(frame), dict[str, _Candidate]()
    else:
        candidates, others = _card_candidates(card, frame)
    mask, condition = choose(frame, group)
    in_group = frame.filter(mask)
    non_empty(in_group, f"the group ({group})", "no row meets --group: check the condition")
    compared = base_frame if other is not None else frame.filter(~mask)
    in_condition = ir.refs(condition)
    if in_condition & RESULTS:  # the other results follow from the score the condition reads
        in_condition |= RESULTS
    choice = _Choice(candidates, others, _sensitive(card, frame, options), in_condition)
    picked, skipped = _select(choice, options, base_frame)
    skipped += [Skipped(c, "a stored type cards do not have") for c in table.untyped]
    sets = (in_group, base_frame, compared)
    step(progress, "comparing", len(picked), "columns")
    columns = []
    for c in picked:
        columns.append(_profile_one(c, sets, c.name in choice.sensitive, options))
        advance(progress)
    columns.sort(key=lambda p: (-p.cramers_v, p.column))
    return Profile(
        group=group,
        data=table.name,
        base=other.name if other is not None else "the whole table",
        card=card.name if card is not None else None,
        group_rows=in_group.height,
        base_rows=base_frame.height,
        compared_with="the base table" if other is not None else "the rest of the table",
        min_count=options.min_count,
        measure=MEASURE,
        columns=columns,
        traits=traits.strongest(columns),
        skipped=skipped,
    )
