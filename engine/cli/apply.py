"""`scorecard apply CARD... DATA`: score a table, write the results, print a summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from engine.api import Summary
from engine.cli.app import app, stderr, stdout
from engine.cli.apply_db import WITHOUT_DB, apply_in_db, refuse_with_db, report
from engine.cli.common import (
    NO_READ,
    ReadArgs,
    TemplatesOpt,
    TrustOpt,
    guarded,
    load_cards,
    parse_top,
    shared_options,
    split_params,
)
from engine.cli.progress_bar import run_progress
from engine.io import tables
from engine.run import execute
from engine.run.options import RunOptions

STREAMING_BYTES = 1 << 30
"""Inputs larger than this are streamed (`--streaming` forces it, `--no-streaming` prevents it)."""

PREVIEW_ROWS = 20


class DedupeKeep(StrEnum):
    """Which row of a repeated key `--dedupe` keeps."""

    first = "first"
    last = "last"


DedupeOpt = Annotated[
    DedupeKeep | None,
    typer.Option(
        "--dedupe",
        help="Keep the first (or last) row of each key, compared trimmed, NFC and "
        "lower-cased, instead of stopping on duplicate keys (E814); the summary says how "
        "many rows were dropped.",
        show_default=False,
    ),
]
ExcelCsvOpt = Annotated[
    bool,
    typer.Option(
        "--excel-csv",
        help="Write the CSV output as French Excel opens it: ';', decimal comma, UTF-8 BOM.",
    ),
]


def print_summaries(summaries: Sequence[Summary]) -> None:
    for s in summaries:
        excluded = sum(s.excluded.values())
        stderr.print(
            f"[bold]{escape(s.card)}[/bold]: {s.rows} rows read, {s.scored} scored, "
            f"{excluded} excluded, {s.null_scores} with a null score ({s.seconds:.2f} s)"
        )
        if s.deduplicated:
            stderr.print(
                f"  [yellow]--dedupe: {s.deduplicated} rows dropped (their key, trimmed, NFC and "
                "lower-cased, is another row's)[/yellow]"
            )
        for label, n in s.excluded.items():
            stderr.print(f"  excluded {escape(repr(label))}: {n}")
        for seg, n in s.segments.items():
            stderr.print(f"  segment {escape(seg if seg == '(none)' else repr(seg))}: {n}")
        for bins, n in s.no_bin.items():
            style = "yellow" if n else "dim"
            stderr.print(
                f"  [{style}]bins {escape(bins)}: {n} rows matched no bin (scored 0)[/{style}]"
            )


def preview(frame: Any) -> None:
    from rich.table import Table  # only for a preview: 8 ms of every run otherwise

    table = Table(show_edge=False, header_style="bold")
    for name in frame.columns:
        table.add_column(escape(name))
    for row in frame.head(PREVIEW_ROWS).iter_rows():
        table.add_row(*("" if v is None else escape(str(v)) for v in row))
    stdout.print(table)
    if frame.height > PREVIEW_ROWS:
        stdout.print(f"... {frame.height - PREVIEW_ROWS} more rows (write them all with -o FILE)")


@app.command()
@shared_options(reads=True)
def apply(
    paths: Annotated[
        list[Path],
        typer.Argument(
            readable=False,
            help="One or more scorecard files, then the data file (.csv .parquet .ndjson .arrow).",
            metavar="CARD... DATA",
            show_default=False,
        ),
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="Write the results here, format by extension; '-' writes CSV to stdout. "
            "Without it, a preview is printed.",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="Override a param: NAME=VALUE (repeatable); CARD.NAME=VALUE for one card.",
        ),
    ] = None,
    keep: Annotated[
        list[str] | None,
        typer.Option("--keep", help="Input columns to pass through: COL,COL (repeatable)."),
    ] = None,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Add one column per let, rule, bins and model."),
    ] = False,
    top: Annotated[
        str | None,
        typer.Option(
            "--top",
            help="Keep only the N best-scored rows, or the best P%% (2.5%% works), in rank "
            "order: score descending, ties by key.",
        ),
    ] = None,
    select: Annotated[
        str | None,
        typer.Option(
            "--select",
            help="Keep the rows whose results meet a condition in the card language, e.g. "
            "'class <= 4' or 'score >= 650 and segment = \"high\"' (before --top).",
        ),
    ] = None,
    streaming: Annotated[
        bool | None,
        typer.Option(
            "--streaming/--no-streaming",
            help="Stream with bounded memory (default: for inputs over 1 GiB written to a file).",
            show_default=False,
        ),
    ] = None,
    dedupe: DedupeOpt = None,
    trust_models: TrustOpt = False,
    templates: TemplatesOpt = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Score inside this database instead (postgresql://..., duckdb:PATH, "
            "spark:MASTER or sc://HOST:PORT): "
            "give one CARD, --table and --into; see docs/sql.md.",
        ),
    ] = None,
    table: Annotated[
        str | None, typer.Option("--table", help="With --db: the customer table.")
    ] = None,
    into: Annotated[
        str | None,
        typer.Option("--into", help="With --db: the result table to create (replaced)."),
    ] = None,
    excel_csv: ExcelCsvOpt = False,
    read: ReadArgs = NO_READ,
) -> None:
    """Score every row of DATA with one or several cards.

    Several cards are computed in one pass; their columns are prefixed by the card name
    (churn_risk_score, churn_risk_segment, ...).

    Example: scorecard apply scorecards/rules_only.scorecard scorecards/data/customers.csv -o scores.parquet
    """
    if db is not None:
        local = (output, keep, explain or None, top, select, streaming, dedupe)
        given = [option for option, v in zip(WITHOUT_DB, local, strict=True) if v is not None]
        _in_db(paths, db, table, into, param or [], trust_models, templates, given)
        return
    if len(paths) < 2:
        raise typer.BadParameter(
            "give at least one CARD and the DATA file", param_hint="CARD... DATA"
        )
    if templates is not None:
        raise typer.BadParameter(
            "SQL templates shape the statement of --db runs only", param_hint="--templates"
        )
    card_paths, data = paths[:-1], paths[-1]
    kept = tuple(c.strip() for item in keep or [] for c in item.split(",") if c.strip())
    options = RunOptions(
        kept,
        explain,
        top=parse_top(top),
        select=select,
        dedupe=None if dedupe is None else dedupe.value,
    )
    writing = Writing(output, streaming, excel_csv)
    guarded(lambda: _score(card_paths, data, writing, options, param or [], trust_models, read))


@dataclass(frozen=True)
class Writing:
    """Where the results go and how: `-o`, `--streaming`, `--excel-csv`."""

    output: str | None
    streaming: bool | None
    excel_csv: bool


def _in_db(
    paths: Sequence[Path],
    db: str,
    table: str | None,
    into: str | None,
    params: Sequence[str],
    trust_models: bool,
    templates: Path | None,
    given: Sequence[str],
) -> None:
    """`apply --db`: refuse the options of a local run, run in the database, summarise."""
    refuse_with_db(given)
    name, run = apply_in_db(paths, db, table, into, params, trust_models, templates)
    summary = Summary(
        name, run.rows, run.scored, run.excluded, run.null_scores, run.segments, {}, run.seconds
    )
    print_summaries([summary])
    report(run)


def _score(
    card_paths: Sequence[Path],
    data_path: Path,
    writing: Writing,
    options: RunOptions,
    assignments: Sequence[str],
    trust_models: bool,
    read: ReadArgs,
) -> None:
    """Load the cards, score, and print a preview or write the output; then the summary."""
    data = read.source(data_path, card_paths[0])
    output = writing.output
    cards = load_cards(card_paths, trust_models)
    params = split_params(cards, assignments)
    if output is None:
        with run_progress() as bar:
            result = execute.run(cards, data, params, replace(options, progress=bar))
        preview(result.frame)
        print_summaries(result.summaries)
        return
    stream = writing.streaming
    if stream is None:
        stream = output != tables.STDOUT and tables.file_size(data) > STREAMING_BYTES
    with run_progress() as bar:
        summaries = execute.run_to_file(
            cards,
            data,
            output,
            params,
            replace(options, progress=bar),
            streaming=stream,
            excel_csv=writing.excel_csv,
        )
    print_summaries(summaries)
    if output != tables.STDOUT:
        stderr.print(f"wrote {escape(output)}")
