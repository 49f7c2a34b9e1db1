"""`lookalike`: a card whose score says how much a row resembles the customers.

The method is positive-unlabeled learning by a plain classifier with Elkan & Noto's
correction (2008, "Learning classifiers from only positive and unlabeled data"): a
classifier g(x) = P(labelled customer | x) trained customers-vs-population, where the
population is *unlabeled* (it holds lookalikes), not negative. Under their assumption that
the known customers are a random sample of all the people who are, or would be, customers,
P(customer-like | x) = g(x) / c with c = P(labelled | customer-like) a constant: dividing by
a constant keeps the order, so g ranks the population exactly as the corrected probability
does, and g is what `fit` builds (binning, WoE, logistic regression, points from 0 to 1000).
The card is an ordinary fitted card with `classes 10`: editable, checkable, compilable to SQL
and refittable (`--from`).

How well it ranks is measured the way a buyer of lookalike files asks: a share of the
customers (20% by default, seeded) is hidden in the population before a first fit; the
recall of those hidden customers in the top 1, 5, 10 and 20% of that fit's ranking, against
random (the same share), says how well the card finds unknown customers. The card written is
then fitted again with every customer (the hidden ones were only needed for the measure).
Population rows whose key is a customer's are known customers: they are left out of the
unlabeled rows (they are in the customers' file already).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl

from engine import results
from engine.check.source import check_source
from engine.diagnostics import ScorecardError, error
from engine.fitting.card import FIT_MARK, unique_name
from engine.fitting.data import choose_key
from engine.fitting.figures import FitFigures
from engine.fitting.options import FitOptions
from engine.fitting.refit import refit
from engine.fitting.run import FitResult, fit_new
from engine.profile.data import Table, column_types, read_typed
from engine.profile.run import Profile, ProfileOptions, profile_table
from engine.run.card import Card
from engine.run.execute import run
from engine.run.options import Data, Progress, RunOptions

TOPS = (0.01, 0.05, 0.10, 0.20)
"""The shares of the ranking at which the recall of hidden customers is reported."""
TARGET = "is_customer"


@dataclass(frozen=True)
class LookalikeOptions:
    key: str | None = None
    exclude: tuple[str, ...] = ()
    sensitive: tuple[str, ...] = ()
    hidden: float = 0.2
    """The share of customers hidden in the population to measure the ranking."""
    seed: int = 42
    name: str | None = None
    from_card: str | None = None
    """Keep this card's bins; refit only its points (`fit --from`)."""

    def check(self) -> None:
        if not 0 < self.hidden < 1:
            raise ScorecardError(
                [error("E1210", f"--hidden {self.hidden}: expected a share above 0 and below 1")]
            )


@dataclass(frozen=True)
class Recall:
    top: float
    """The share of the ranking contacted (0.10: the best 10%)."""
    rows: int
    found: int
    """Hidden customers among those rows."""
    recall: float
    """found / hidden customers."""
    random: float
    """The recall of a random pick of the same share: the share itself."""
    lift: float


@dataclass(frozen=True)
class Lookalike:
    card: str
    """The card's text (fitted on every customer)."""
    customers: int
    population: int
    known_in_population: int
    """Population rows recognised as customers by their key (not used as unlabeled rows)."""
    hidden: int
    ranked: int
    """Rows of the measuring ranking: the unlabeled population and the hidden customers."""
    recall: list[Recall]
    auc: float | None
    """Hidden customers against the rest of the ranking (0.5: random)."""
    columns: list[str]
    left_out: list[str]
    """Columns in only one of the two tables (not used)."""
    figures: FitFigures
    top_class: Profile


def _tables(
    customers: Data, population: Data, progress: Progress | None
) -> tuple[Table, Table, list[str], list[str]]:
    cust, pop = read_typed(customers, progress), read_typed(population, progress)
    common = [c for c in cust.frame.columns if c in pop.frame.columns]
    left = [c for c in cust.frame.columns if c not in common]
    left += [c for c in pop.frame.columns if c not in common]
    for t in (cust, pop):
        if t.frame.height == 0:
            raise ScorecardError([error("E1211", f"{t.name}: the table has no rows")])
    if len(common) < 2:
        raise ScorecardError(
            [
                error(
                    "E1211",
                    f"{cust.name} and {pop.name} share {len(common)} column(s): a key and at "
                    "least one characteristic are needed in both",
                )
            ]
        )
    return cust, pop, common, left


def _stack(positives: pl.DataFrame, unlabeled: pl.DataFrame, target: str) -> pl.DataFrame:
    return pl.concat(
        [
            positives.with_columns(pl.lit(1, pl.Int8).alias(target)),
            unlabeled.with_columns(pl.lit(0, pl.Int8).alias(target)),
        ],
        how="vertical_relaxed",
    )


def _fit(
    frame: pl.DataFrame, options: FitOptions, from_card: str | None, progress: Progress | None
) -> FitResult:
    if from_card is not None:
        return refit(frame, from_card, options, progress=progress)
    return fit_new(frame, options, progress=progress)


def _score(card_text: str, frame: pl.DataFrame, progress: Progress | None) -> pl.DataFrame:
    card = Card(check_source(card_text))
    return run([card], frame, [{}], RunOptions(progress=progress)).frame


def recall_at(
    scores: np.ndarray, keys: Sequence[object], hidden: np.ndarray, tops: Sequence[float] = TOPS
) -> list[Recall]:
    """Hidden customers found in the best `top` share of the ranking (score descending, ties
    by key as `apply --top` ranks them; a row without a score ranks last)."""
    order = pl.DataFrame(
        {"score": np.nan_to_num(scores, nan=-np.inf), "key": pl.Series(keys).cast(pl.String)}
    ).with_row_index("row")
    ranked = order.sort(["score", "key"], descending=[True, False])["row"].to_numpy()
    total = int(hidden.sum())
    out = []
    for top in tops:
        rows = math.ceil(top * len(ranked))
        found = int(hidden[ranked[:rows]].sum())
        share = found / total if total else 0.0
        out.append(Recall(top, rows, found, share, top, share / top))
    return out


def _auc(scores: np.ndarray, hidden: np.ndarray) -> float | None:
    from engine.evaluate.metrics import auc

    filled = ~np.isnan(scores)
    if hidden[filled].all() or not hidden[filled].any():
        return None
    return auc(scores[filled], hidden[filled])


def _measure(
    cust: pl.DataFrame,
    unlabeled: pl.DataFrame,
    key: str,
    fit: FitOptions,
    options: LookalikeOptions,
    progress: Progress | None = None,
) -> tuple[list[Recall], float | None, int, int]:
    """The first fit, with a share of customers hidden among the unlabeled rows."""
    rng = np.random.default_rng(options.seed)
    n_hidden = max(1, round(options.hidden * cust.height))
    hide = np.zeros(cust.height, dtype=bool)
    hide[rng.permutation(cust.height)[:n_hidden]] = True
    mask = pl.Series(hide)
    ranking = pl.concat([unlabeled, cust.filter(mask)], how="vertical_relaxed")
    stacked = _stack(cust.filter(~mask), ranking, fit.target)
    fitted = _fit(stacked, fit, options.from_card, progress)
    scored = _score(fitted.card, ranking, progress)
    scores = scored[results.SCORE].cast(pl.Float64).fill_null(float("nan")).to_numpy()
    is_hidden = np.concatenate([np.zeros(unlabeled.height, bool), np.ones(n_hidden, bool)])
    recall = recall_at(scores, scored[key].to_list(), is_hidden)
    return recall, _auc(scores, is_hidden), n_hidden, ranking.height


def _fit_options(cust: Table, target: str, options: LookalikeOptions) -> tuple[FitOptions, str]:
    fit = FitOptions(
        target=target,
        key=options.key,
        exclude=options.exclude,
        sensitive=options.sensitive,
        holdout=0.0,
        seed=options.seed,
        name=options.name,
    )
    types = dict(column_types(cust.frame))
    key = choose_key(cust.frame, {k: v for k, v in types.items()}, fit)
    return replace(fit, key=key), key


def lookalike(
    customers: Data,
    population: Data,
    options: LookalikeOptions | None = None,
    *,
    output: str | None = None,
    command: str | None = None,
    progress: Progress | None = None,
) -> Lookalike:
    """Fit the lookalike card of `customers` in `population`, measure its ranking, and profile
    its top class against the population. `command` (the command line) replaces the fit's
    in the card's header; `progress` is told of each step (reading, binning, fitting...)."""
    options = options or LookalikeOptions()
    options.check()
    cust, pop, common, left_out = _tables(customers, population, progress)
    target = unique_name(TARGET, set(common))
    fit, key = _fit_options(cust, target, options)
    if key not in common:
        raise ScorecardError(
            [
                error(
                    "E1211",
                    f"the key {key!r} is not a column of {pop.name}",
                    None,
                    "give --key COL",
                )
            ]
        )
    cust_frame, pop_frame = cust.frame.select(common), pop.frame.select(common)
    known = pop_frame[key].cast(pl.String).is_in(cust_frame[key].cast(pl.String).implode())
    unlabeled = pop_frame.filter(~known)
    if unlabeled.height == 0:
        raise ScorecardError(
            [error("E1211", f"every row of {pop.name} is a customer: nothing to rank")]
        )
    recall, auc, n_hidden, ranked = _measure(cust_frame, unlabeled, key, fit, options, progress)
    name = options.name or (Path(output).stem if output and output != "-" else "lookalike")
    final = _fit(
        _stack(cust_frame, unlabeled, target), replace(fit, name=name), options.from_card, progress
    )
    text = _retitled(final.card, target, cust.name, pop.name, command)
    card = Card(check_source(text))
    top = profile_table(
        pop_frame,
        "class = 1",
        card=card,
        options=ProfileOptions(sensitive=options.sensitive),
        progress=progress,
    )
    return Lookalike(
        card=text,
        customers=cust_frame.height,
        population=pop_frame.height,
        known_in_population=int(known.sum()),
        hidden=n_hidden,
        ranked=ranked,
        recall=recall,
        auc=auc,
        columns=[c.column for c in final.figures.characteristics if c.selected],
        left_out=left_out,
        figures=final.figures,
        top_class=replace(top, data=pop.name, base=pop.name),
    )


def _retitled(card: str, target: str, customers: str, population: str, command: str | None) -> str:
    """The fit's words about a target column made the lookalike's: the title, the description
    and the command in the header (`# fit: ` lines stay, so a refit still replaces them)."""
    who = Path(customers).name.replace('"', "'").replace("\\", "/")
    where = Path(population).name.replace('"', "'").replace("\\", "/")
    event = f"{target} = 1/true"
    lines = []
    for line in card.splitlines():
        if line.startswith(FIT_MARK + "scorecard fit ") and command is not None:
            line = FIT_MARK + command
        elif line.startswith(FIT_MARK + "target: "):
            line = f"{FIT_MARK}target: {target} = 1 for the customers ({who}), 0 for the population ({where}) unlabeled"
        elif line.lstrip().startswith("title ") and event in line:
            line = line.replace(f"Fitted on a table: {event}", f"Lookalike of {who} in {where}")
        elif line.lstrip().startswith("description ") and event in line:
            line = line.replace(f"more events ({event})", f"more like the customers of {who}")
        lines.append(line)
    return "\n".join(lines) + "\n"
