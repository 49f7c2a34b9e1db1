"""Validate the data, build the lazy pipeline, collect or stream it, and summarise the run.

`run` (a frame in memory) and `run_to_file` (written atomically, streamed for big tables)
share one plan and one collect-and-summarise path.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import polars as pl

from engine import ir
from engine.backends.polars import runner
from engine.backends.polars.expressions import scalar_type, translate
from engine.backends.polars.validate import cast_column, validate
from engine.diagnostics import Diagnostic, ScorecardError, error, is_os_error
from engine.io import tables
from engine.io.atomic import temporary_folder
from engine.io.outputs import InputFile, check_output, write_error
from engine.io.reading import Source
from engine.run.card import Card
from engine.run.dedupe import dedupe
from engine.run.options import Data, RunOptions
from engine.run.progress import counted, rows_known, step
from engine.run.summary import Summary, read_summaries, summary_query, summary_table
from engine.types import ScalarType


@dataclass(frozen=True)
class Plan:
    """The lazy pipeline, which result columns are what, and the rows `--dedupe` dropped."""

    frame: pl.LazyFrame
    layout: runner.Layout
    deduplicated: int = 0


@dataclass(frozen=True)
class RunResult:
    frame: pl.DataFrame
    summaries: list[Summary]


def _scan(data: Data, cards: Sequence[Card] = ()) -> tuple[pl.LazyFrame, str]:
    """The table, lazily; a file is read as its source's options say, for the columns the
    cards declare (a column two cards declare with different types is read as it is)."""
    if isinstance(data, pl.DataFrame):
        return data.lazy(), "<frame>"
    if isinstance(data, pl.LazyFrame):
        return data, "<frame>"
    return tables.scan(data, declared_types(cards)), str(data)


def declared_types(cards: Sequence[Card]) -> dict[str, ScalarType]:
    types: dict[str, ScalarType] = {}
    clash: set[str] = set()
    for card in cards:
        for column in card.program.inputs:
            if types.setdefault(column.name, column.type) is not column.type:
                clash.add(column.name)
    return {name: t for name, t in types.items() if name not in clash}


SMALL_TABLE_ROWS: Final = 100_000
SMALL_TABLE_BYTES: Final = 16_000_000
"""Tables this small run a cached model expression whatever its cost per row: loading the
model for the batch path (importing scikit-learn, 1.5 to 2 s) costs more than it saves."""


def is_small(data: Data) -> bool:
    """A table of at most SMALL_TABLE_ROWS rows or SMALL_TABLE_BYTES bytes."""
    if isinstance(data, pl.DataFrame):
        return data.height <= SMALL_TABLE_ROWS
    if isinstance(data, pl.LazyFrame):
        return False
    try:
        return Path(data).stat().st_size <= SMALL_TABLE_BYTES
    except OSError:
        return False


def plan(
    cards: Sequence[Card],
    data: Data,
    params: Sequence[Mapping[str, ir.Value]] | None = None,
    options: RunOptions | None = None,
) -> Plan:
    """Validate the data for every card and build the lazy pipeline (nothing scored yet)."""
    if not cards:
        raise ValueError("no cards to run")
    frame, data_name = _scan(data, cards)
    params = list(params or [{} for _ in cards])
    options = options or RunOptions()
    several = len(cards) > 1
    problems: list[Diagnostic] = []
    names = [c.name for c in cards]
    if several and len(set(names)) != len(names):
        problems.append(error("E830", "two cards have the same name: " + ", ".join(names)))
    key = cards[0].program.key.name
    for card in cards[1:]:
        if card.program.key.name != key:
            problems.append(
                error(
                    "E831",
                    f"cards scored together must share their key column: {cards[0].name!r} "
                    f"uses {key!r}, {card.name!r} uses {card.program.key.name!r}",
                )
            )
    schema_names = frame.collect_schema().names()
    for k in options.keep:
        if k not in schema_names:
            problems.append(error("E832", f"--keep {k!r}: the table has no such column"))
    if problems:
        raise ScorecardError(problems)
    dropped = 0
    key_column = cards[0].program.key
    if options.dedupe is not None and key_column.name in schema_names:
        try:
            deduped = dedupe(frame, key_column, options.dedupe)
        except pl.exceptions.PolarsError as exc:
            raise ScorecardError([tables.unreadable(data_name, exc)]) from None
        frame, dropped = deduped.frame, deduped.dropped
    small = is_small(data) if options.small_table is None else options.small_table
    step(options.progress, "checking")
    known_rows = rows_known(data)
    # Validation reads the table (Polars, without the GIL) while the cards are prepared and
    # the plan is built (Python): at 1M rows each takes about 0.1 s. Nothing is scored
    # before it has passed. A card's own problem (a bad --param, a model that cannot be
    # loaded) is raised at once, as before, without waiting for the table's checks, which
    # end on their daemon thread and are dropped.
    checking = _Background(_check_data, frame, cards, data_name, known_rows, options.check_data)
    runs = [
        card.prepare(
            p,
            prefix=f"{card.name}_" if several else "",
            small_table=small,
            validated=options.check_data,
        )
        for card, p in zip(cards, params, strict=True)
    ]
    if options.progress is not None:
        frame = counted(frame, options.progress, key)
    try:
        lf, layout = runner.build(
            frame,
            runs,
            keep=options.keep,
            explain=options.explain,
            details=options.details,
        )
    except Exception:  # a plan over a table that fails validation (a column missing...)
        checking.result()
        raise
    checking.result()
    if options.progress is not None:
        options.progress.phase("scoring", known_rows)
    if options.select is not None:  # a mistake in the condition stops the run before it starts
        choose_rows(lf.drop(layout.hidden_columns), layout, replace(options, top=None))
    clash = sorted({c for c in layout.result_columns if layout.result_columns.count(c) > 1})
    if clash:
        raise ScorecardError(
            [
                error(
                    "E833",
                    "two output columns have the same name: " + ", ".join(clash),
                    None,
                    "rename the kept column, or run without --explain",
                )
            ]
        )
    return Plan(lf, layout, dropped)


def _check_data(
    frame: pl.LazyFrame, cards: Sequence[Card], data_name: str, rows: int | None, enabled: bool
) -> None:
    """Raise the table's problems for the first card that has any (`validate`)."""
    if not enabled:
        return
    for card in cards:
        try:
            found = validate(frame, card.program, data_name, rows)
        except pl.exceptions.PolarsError as exc:
            raise ScorecardError([tables.unreadable(data_name, exc)]) from None
        if found:
            file = str(card.path) if card.path is not None else None
            raise ScorecardError([d.with_file(file) if file else d for d in found], card.source)


class _Background:
    """A call run on a thread of its own; `result` waits for it and raises what it raised.

    Not `concurrent.futures.ThreadPoolExecutor` (as `engine.fitting.run` uses): the
    executor's threads are joined when the interpreter exits, so a run stopped by a card's
    own problem would wait for a long validation to end; this thread is a daemon."""

    def __init__(self, call: Callable[..., None], *args: object) -> None:
        self._error: BaseException | None = None

        def run() -> None:
            try:
                call(*args)
            except BaseException as exc:  # handed to the caller by `result`
                self._error = exc

        self._thread = threading.Thread(target=run, name="scorecard-validation", daemon=True)
        self._thread.start()

    def result(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


def run(
    cards: Sequence[Card],
    data: Data,
    params: Sequence[Mapping[str, ir.Value]] | None = None,
    options: RunOptions | None = None,
) -> RunResult:
    """Score `data` with one or several cards in one pass; the frame and the summaries."""
    start = time.perf_counter()
    options = options or RunOptions()
    planned = plan(cards, data, params, options)
    frame, summaries = _collect_and_summarise(planned, cards, start)
    layout = planned.layout
    return RunResult(_collect(choose_rows(frame.lazy(), layout, options)), summaries)


def input_files(cards: Sequence[Card], *data: Data) -> list[InputFile]:
    """Every file a run reads: the cards, their models and the data tables given as paths."""
    found = [f for card in cards for f in card.files()]
    return found + [("data file", Path(t)) for t in data if isinstance(t, str | Path | Source)]


def run_to_file(
    cards: Sequence[Card],
    data: Data,
    destination: str | Path,
    params: Sequence[Mapping[str, ir.Value]] | None = None,
    options: RunOptions | None = None,
    *,
    streaming: bool = False,
    excel_csv: bool = False,
) -> list[Summary]:
    """Score and write to `destination` (by extension; `-` is CSV on stdout), atomically.

    With `streaming`, the result is never held in memory: Polars' streaming engine writes it
    with `sink_*`, and the summary is a second streaming aggregation over the same plan. An
    .xlsx output (a workbook is built in memory anyway) is never streamed: its second sheet
    is the summary. `excel_csv` writes CSV for French Excel (`;`, decimal comma, BOM).
    """
    start = time.perf_counter()
    options = options or RunOptions()
    check_output(destination, input_files(cards, data))
    fmt = None if str(destination) == tables.STDOUT else tables.format_of(destination, "output")
    if fmt is not None:
        tables.check_excel_csv(fmt, excel_csv)
    planned = plan(cards, data, params, options)
    if streaming and fmt not in (None, "xlsx"):
        return _stream(planned, cards, options, destination, start, excel_csv)
    frame, summaries = _collect_and_summarise(planned, cards, start)
    chosen = _collect(choose_rows(frame.lazy(), planned.layout, options))
    step(options.progress, "writing")
    sheet = None
    if fmt == "xlsx":  # a workbook holds typed cells: kept inputs as the card reads them
        chosen, sheet = typed_inputs(chosen, cards, options.keep), summary_table(summaries)
    tables.write_frame(chosen, destination, summary=sheet, excel_csv=excel_csv)
    return summaries


def typed_inputs(frame: pl.DataFrame, cards: Sequence[Card], keep: Sequence[str]) -> pl.DataFrame:
    """Kept text columns the cards declare, read as their declared types (numbers as numbers,
    dates as dates), the way validation read them."""
    types = declared_types(cards)
    casts = [
        cast_column(name, pl.String(), types[name]).alias(name)
        for name in keep
        if name in types and frame.schema.get(name) == pl.String
    ]
    return frame.with_columns(casts) if casts else frame


def _collect_and_summarise(
    planned: Plan, cards: Sequence[Card], start: float
) -> tuple[pl.DataFrame, list[Summary]]:
    """The result in memory (hidden columns dropped) and the summaries computed from it."""
    layout = planned.layout
    collected = _collect(planned.frame, batch_rows=layout.batch_rows)
    row = summary_query(collected.lazy(), cards, layout).collect().row(0, named=True)
    frame = collected.drop(layout.hidden_columns)
    seconds = time.perf_counter() - start
    return frame, read_summaries(row, cards, seconds, planned.deduplicated)


def _stream(
    planned: Plan,
    cards: Sequence[Card],
    options: RunOptions,
    destination: str | Path,
    start: float,
    excel_csv: bool = False,
) -> list[Summary]:
    """Scored once, streamed to a Parquet file beside the output (hidden summary columns
    included); the output and the summary are then cheap streaming reads of that file.
    (One plan feeding both would hold the whole scored table in memory.)"""
    lf, layout = planned.frame, planned.layout
    folder = Path(destination).resolve().parent
    try:
        with temporary_folder(folder) as work:
            scored_path = work / "scored.parquet"
            with _batches(layout.batch_rows):
                lf.sink_parquet(scored_path, engine="streaming")
            step(options.progress, "writing")
            scored = pl.scan_parquet(scored_path)
            chosen = choose_rows(scored.drop(layout.hidden_columns), layout, options)
            tables.sink_frame(chosen, destination, excel_csv=excel_csv)
            summary = _collect(summary_query(scored, cards, layout))
    except ScorecardError:
        raise
    except Exception as exc:
        if is_os_error(exc):
            raise ScorecardError([write_error(destination, exc)]) from None
        if isinstance(exc, pl.exceptions.PolarsError):
            raise ScorecardError(
                [error("E839", f"cannot compute the result: {_first_line(exc)}")]
            ) from None
        raise
    seconds = time.perf_counter() - start
    return read_summaries(summary.row(0, named=True), cards, seconds, planned.deduplicated)


def choose_rows(lf: pl.LazyFrame, layout: runner.Layout, options: RunOptions) -> pl.LazyFrame:
    """`--select` then `--top`: the rows whose results meet the condition, then the best N
    (or P%) of those with a score, in rank order (score descending, key ascending byte-wise,
    as classes rank them)."""
    if options.select is not None:
        schema = lf.collect_schema()
        columns = {
            name: scalar
            for name, dtype in schema.items()
            if (scalar := scalar_type(dtype)) is not None
        }
        from engine.check.condition import check_condition  # the parser, only for --select

        condition = check_condition(options.select, columns, "--select")
        lf = lf.filter(translate(condition))
    if options.top is not None:
        score = pl.col(layout.cards[0].score)
        ranked = lf.filter(score.is_not_null()).sort(
            [score, pl.col(layout.key)], descending=[True, False], maintain_order=True
        )
        if options.top.percent:
            limit = (pl.len().cast(pl.Float64) * (options.top.count / 100.0)).ceil()
            lf = ranked.filter(pl.int_range(pl.len(), dtype=pl.Int64) < limit.cast(pl.Int64))
        else:
            lf = ranked.head(int(options.top.count))
    return lf


def _batches(rows: int | None) -> AbstractContextManager[object]:
    """Polars' batch size for a wide pipeline (`runner.batch_rows`), restored afterwards."""
    return pl.Config(streaming_chunk_size=rows) if rows is not None else nullcontext()


def _collect(lf: pl.LazyFrame, batch_rows: int | None = None) -> pl.DataFrame:
    """Collect on Polars' streaming engine, turning a data error Polars finds late into a
    diagnostic (never a traceback).

    The streaming engine, whatever the table's size: on the reference card's 1M rows it
    takes 1.4 s where the in-memory engine takes 3.1-3.5 s for the same rows (it decodes and
    computes batch by batch on every core, docs/performance.md). A wide pipeline
    (`batch_rows` set) runs in batches of that many rows, so its working columns never exist
    for the whole table at once."""
    try:
        with _batches(batch_rows):
            return lf.collect(engine="streaming")
    except pl.exceptions.PolarsError as exc:
        raise ScorecardError(
            [error("E839", f"cannot compute the result: {_first_line(exc)}")]
        ) from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
