"""The Python API: load a card, check it, score a table, explain one row, run its examples.

The command line is a thin layer over this module:

    import engine
    card = engine.load("scorecards/churn_risk.scorecard")
    result = card.apply("scorecards/data/customers.csv", params={"base": 450})

Every problem a user can cause (card, data, params, models) is raised as
`engine.ScorecardError`, whose `diagnostics` say what and where. The work is done by the
stages below (`engine.run`, `engine.backends.sql`); this module only gives it one face.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from engine import ir
from engine.check.cached import load_checked
from engine.program import Program
from engine.ranking import Top
from engine.run import execute
from engine.run.card import Card
from engine.run.examples import ExampleOutcome, run_examples
from engine.run.execute import input_files
from engine.run.explain import Explanation
from engine.run.explain import explain as explain_row
from engine.run.explain import explain_keys as explain_rows
from engine.run.options import Data, Progress, RunOptions
from engine.run.summary import Summary

if TYPE_CHECKING:  # the SQL backend (Jinja, the dialects) loads only for the SQL methods
    from engine.backends.sql.warehouse import WarehouseRun

RunResult = execute.RunResult


class Scorecard(Card):
    """A checked card. Build it with `load` or `loads`."""

    def apply(
        self,
        data: Data,
        *,
        params: Mapping[str, ir.Value] | None = None,
        keep: Sequence[str] = (),
        explain: bool = False,
        top: Top | None = None,
        select: str | None = None,
    ) -> pl.DataFrame:
        """The result table (spec "Results"), one row per input row, in input order; with
        `select` (a condition over the results) or `top`, only the chosen rows."""
        return run(
            [self],
            data,
            params=[params or {}],
            keep=keep,
            explain=explain,
            top=top,
            select=select,
        ).frame

    def explain(
        self, data: Data, key: ir.Value, *, params: Mapping[str, ir.Value] | None = None
    ) -> Explanation:
        """Every let, rule, bins and model value for the row whose key is `key`."""
        return explain_row(self, data, key, params)

    def explain_keys(
        self,
        data: Data,
        keys: Sequence[ir.Value],
        *,
        params: Mapping[str, ir.Value] | None = None,
        progress: Progress | None = None,
    ) -> list[Explanation]:
        """One explanation per key, reading only the rows with these keys (on Parquet, the
        filter is pushed into the scan); `progress` (a bar, or None) is told of the steps."""
        return explain_rows(self, data, keys, params, progress)

    def test(self) -> list[ExampleOutcome]:
        """Run every `example` block; each outcome lists the mismatches found."""
        return run_examples(self)

    def sql_program(self, params: Mapping[str, ir.Value] | None = None) -> Program:
        """The program with params bound and models replaced by their SQL-ready expressions."""
        from engine.backends.sql.export import sql_program

        return sql_program(
            self.program, self.base_dir, trust_models=self.trust_models, params=params
        )

    def to_sql(
        self,
        dialect: str,
        table: str,
        *,
        params: Mapping[str, ir.Value] | None = None,
        dbt: bool = False,
    ) -> str:
        """The card as one SELECT over `table` for `dialect`, or as a dbt model."""
        from engine.backends.sql.export import compile_card

        return compile_card(
            self.program,
            self.base_dir,
            dialect,
            table,
            trust_models=self.trust_models,
            params=params,
            dbt=dbt,
        )

    def apply_in_db(
        self,
        url: str,
        table: str,
        into: str,
        *,
        params: Mapping[str, ir.Value] | None = None,
    ) -> WarehouseRun:
        """Score `table` into the new table `into` inside the database at `url`."""
        from engine.backends.sql.warehouse import apply_in_warehouse

        return apply_in_warehouse(
            self.program,
            self.base_dir,
            url,
            table,
            into,
            trust_models=self.trust_models,
            params=params,
        )


def load(path: str | Path, *, trust_models: bool = False) -> Scorecard:
    """Read and check a card file; raises `ScorecardError` if it has errors."""
    return Scorecard(load_checked(Path(path)), trust_models=trust_models)


def loads(text: str, path: str | Path | None = None, *, trust_models: bool = False) -> Scorecard:
    """Check a card given as text (`path` only names it and anchors model paths)."""
    from engine.check.source import check_source  # the parser and checker, on use

    return Scorecard(
        check_source(text, Path(path) if path is not None else None), trust_models=trust_models
    )


def run(
    cards: Sequence[Card],
    data: Data,
    *,
    params: Sequence[Mapping[str, ir.Value]] | None = None,
    keep: Sequence[str] = (),
    explain: bool = False,
    details: bool = False,
    top: Top | None = None,
    select: str | None = None,
) -> execute.RunResult:
    """Score `data` with one or several cards in one pass; the frame and the summaries."""
    options = RunOptions(tuple(keep), explain, details, top, select=select)
    return execute.run(cards, data, params, options)


def run_to_file(
    cards: Sequence[Card],
    data: Data,
    destination: str | Path,
    *,
    params: Sequence[Mapping[str, ir.Value]] | None = None,
    keep: Sequence[str] = (),
    explain: bool = False,
    top: Top | None = None,
    select: str | None = None,
    streaming: bool = False,
) -> list[Summary]:
    """Score and write to `destination` (by extension; `-` is CSV on stdout), atomically.

    A destination that is one of the run's inputs (a card, a model file, the data file), a
    folder or a read-only file is refused before scoring (E803-E807, `engine.io.outputs`).
    With `streaming`, the result is never held in memory (Polars' streaming engine)."""
    options = RunOptions(tuple(keep), explain, top=top, select=select)
    return execute.run_to_file(cards, data, destination, params, options, streaming=streaming)


__all__ = [
    "Data",
    "ExampleOutcome",
    "Explanation",
    "RunOptions",
    "RunResult",
    "Scorecard",
    "Summary",
    "Top",
    "input_files",
    "load",
    "loads",
    "run",
    "run_to_file",
]
