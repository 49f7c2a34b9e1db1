"""The Python API: load a card, check it, score a table, explain one row, run its examples.

The command line is a thin layer over this module:

    import engine
    card = engine.load("scorecards/churn_risk.scorecard")
    result = card.apply("scorecards/data/customers.csv", params={"base": 450})

Every problem a user can cause (card, data, params, models) is raised as
`engine.ScorecardError`, whose `diagnostics` say what and where.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeAlias

import polars as pl

from engine import io, ir
from engine.atomic import temporary_folder
from engine.backends.polars import runner
from engine.backends.polars.expressions import polars_dtype
from engine.check import CheckResult, check_file, check_source
from engine.check.model_files import model_path
from engine.diagnostics import Diagnostic, ScorecardError, error, is_os_error
from engine.outputs import InputFile, check_output, write_error
from engine.params import check_overrides, parse_value
from engine.program import Program, bind_params
from engine.validate import validate

Data: TypeAlias = pl.DataFrame | pl.LazyFrame | str | Path
Top: TypeAlias = tuple[int, bool]


@dataclass(frozen=True)
class Summary:
    """What a run did, printed on stderr by `scorecard apply`."""

    card: str
    rows: int
    scored: int
    excluded: dict[str, int]
    null_scores: int
    segments: dict[str, int]
    no_bin: dict[str, int]
    """Rows (not excluded) that matched no bin, per bins block without `else`."""
    seconds: float = 0.0


@dataclass(frozen=True)
class RunResult:
    frame: pl.DataFrame
    summaries: list[Summary]


class Scorecard:
    """A checked card. Build it with `load` or `loads`."""

    def __init__(self, result: CheckResult, *, trust_models: bool = False) -> None:
        self._result = result
        self.trust_models = trust_models
        if result.program is None or not result.ok:
            raise ScorecardError(result.diagnostics, result.source)
        self.program: Program = result.program

    @property
    def name(self) -> str:
        return self.program.name

    @property
    def path(self) -> Path | None:
        return self._result.path

    @property
    def source(self) -> str:
        return self._result.source

    def files(self) -> list[InputFile]:
        """The files this card reads: itself and its model files (an output must be none)."""
        if self.path is None:
            return []
        return [("card", self.path)] + [
            ("model file", model_path(m, self.path.parent)) for m in self.program.models
        ]

    def check(self) -> list[Diagnostic]:
        """The card's diagnostics (warnings only: a card with errors does not load)."""
        return list(self._result.diagnostics)

    # ---- running ----------------------------------------------------------------------

    def prepare(
        self, params: Mapping[str, ir.Value] | None = None, prefix: str = ""
    ) -> runner.CardRun:
        """The card with params bound and models linked, ready for the Polars runner."""
        values = check_overrides(self.program, params or {})
        program = bind_params(self.program, values)
        if not program.models:
            return runner.CardRun(program, {}, prefix)
        try:
            from engine.models import link
        except ImportError:  # pragma: no cover - the models package is part of the engine
            raise ScorecardError(
                [error("E836", "this installation cannot run models", program.models[0].span)]
            ) from None
        base = self.path.parent if self.path is not None else Path.cwd()
        linked = link(program, base, self.trust_models)
        return runner.CardRun(linked.program, linked.batch_predictors, prefix)

    def apply(
        self,
        data: Data,
        *,
        params: Mapping[str, ir.Value] | None = None,
        keep: Sequence[str] = (),
        explain: bool = False,
        top: Top | None = None,
    ) -> pl.DataFrame:
        """The result table (spec "Results"), one row per input row, in input order."""
        return run([self], data, params=[params or {}], keep=keep, explain=explain, top=top).frame

    def explain(
        self, data: Data, key: ir.Value, *, params: Mapping[str, ir.Value] | None = None
    ) -> Explanation:
        """Every let, rule, bins and model value for the row whose key is `key`."""
        key_col = self.program.key
        if isinstance(key, str) and key_col.type.value != "string":
            try:
                key = parse_value(key, key_col.type)
            except ValueError as exc:
                raise ScorecardError(
                    [error("E834", f"--key {key!r}: not a {key_col.type} value: {exc}")]
                ) from None
        frame = run([self], data, params=[params or {}], details=True).frame
        rows = frame.filter(pl.col(key_col.name) == pl.lit(key, dtype=polars_dtype(key_col.type)))
        if rows.height == 0:
            raise ScorecardError([error("E835", f"no row has {key_col.name} = {key!r}")])
        return Explanation(self.program, rows.row(0, named=True))

    def test(self) -> list[ExampleOutcome]:
        """Run every `example` block; each outcome lists the mismatches found."""
        from engine.examples import run_examples

        return run_examples(self)


@dataclass(frozen=True)
class Explanation:
    """One row's values: `items` are (kind, name, value, detail) in card order."""

    program: Program
    values: Mapping[str, Any]

    @property
    def items(self) -> list[tuple[str, str, Any, str]]:
        out: list[tuple[str, str, Any, str]] = []
        rules = {r.name: r for r in self.program.rules}
        bins = {b.name: b for b in self.program.bins}
        for d in self.program.definitions:
            if d.kind == "let":
                out.append(("let", d.name, self.values.get(d.name), ""))
            elif d.kind == "rule":
                fired = self.values.get(f"{d.name}.fired")
                label = rules[d.name].label or ""
                detail = ("fired" if fired else "did not fire") + (f" ({label})" if label else "")
                out.append(("rule", d.name, self.values.get(d.name), detail))
            elif d.kind == "bins":
                matched = self.values.get(f"{d.name}.bin")
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
        out.append(("points", "points", self.values.get("points"), "sum of rules and bins"))
        for col in self.program.result_columns()[1:]:
            out.append(("result", col, self.values.get(col), ""))
        return out


@dataclass(frozen=True)
class ExampleOutcome:
    name: str
    mismatches: list[tuple[str, Any, Any]] = field(default_factory=list)
    """(name, expected, actual) for every expectation that failed."""
    error: str | None = None

    @property
    def passed(self) -> bool:
        return not self.mismatches and self.error is None


def load(path: str | Path, *, trust_models: bool = False) -> Scorecard:
    """Read and check a card file; raises `ScorecardError` if it has errors."""
    return Scorecard(check_file(Path(path)), trust_models=trust_models)


def loads(text: str, path: str | Path | None = None, *, trust_models: bool = False) -> Scorecard:
    """Check a card given as text (`path` only names it and anchors model paths)."""
    return Scorecard(
        check_source(text, Path(path) if path is not None else None), trust_models=trust_models
    )


def input_files(cards: Sequence[Scorecard], *tables: Data) -> list[InputFile]:
    """Every file a run reads: the cards, their models and the data tables given as paths."""
    found = [f for card in cards for f in card.files()]
    return found + [("data file", Path(t)) for t in tables if isinstance(t, str | Path)]


def _scan(data: Data) -> tuple[pl.LazyFrame, str]:
    if isinstance(data, pl.DataFrame):
        return data.lazy(), "<frame>"
    if isinstance(data, pl.LazyFrame):
        return data, "<frame>"
    return io.scan(data), str(data)


def plan(
    cards: Sequence[Scorecard],
    data: Data,
    *,
    params: Sequence[Mapping[str, ir.Value]] | None = None,
    keep: Sequence[str] = (),
    explain: bool = False,
    details: bool = False,
    top: Top | None = None,
    check_data: bool = True,
) -> tuple[pl.LazyFrame, runner.Layout]:
    """Validate the data for every card and build the lazy pipeline (nothing scored yet)."""
    if not cards:
        raise ValueError("no cards to run")
    frame, data_name = _scan(data)
    params = list(params or [{} for _ in cards])
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
    for k in keep:
        if k not in schema_names:
            problems.append(error("E832", f"--keep {k!r}: the table has no such column"))
    if problems:
        raise ScorecardError(problems)
    runs = [
        card.prepare(p, prefix=f"{card.name}_" if several else "")
        for card, p in zip(cards, params, strict=True)
    ]
    if check_data:
        for card in cards:
            try:
                found = validate(frame, card.program, data_name)
            except pl.exceptions.PolarsError as exc:
                raise ScorecardError([io.unreadable(data_name, exc)]) from None
            if found:
                file = str(card.path) if card.path is not None else None
                raise ScorecardError([d.with_file(file) if file else d for d in found], card.source)
    lf, layout = runner.build(frame, runs, keep=keep, explain=explain, details=details, top=top)
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
    return lf, layout


def summary_query(
    lf: pl.LazyFrame, cards: Sequence[Scorecard], layout: runner.Layout
) -> pl.LazyFrame:
    """One aggregation over the (lazy) result that gives every figure of the summaries."""
    aggs: list[pl.Expr] = [pl.len().alias("rows")]
    for i, (card, cl) in enumerate(zip(cards, layout.cards, strict=True)):
        p = card.program
        score, excluded = pl.col(cl.score), pl.col(cl.excluded)
        aggs.append(score.is_not_null().sum().alias(f"{i}:scored"))
        aggs.append((score.is_null() & excluded.is_null()).sum().alias(f"{i}:null"))
        for x in dict.fromkeys(x.label for x in p.excludes):
            aggs.append((excluded == x).sum().alias(f"{i}:x:{x}"))
        if cl.segment is not None:
            for s in dict.fromkeys(s.name for s in p.segments):
                aggs.append((pl.col(cl.segment) == s).sum().alias(f"{i}:s:{s}"))
            aggs.append((pl.col(cl.segment).is_null() & excluded.is_null()).sum().alias(f"{i}:s:"))
        for b, hidden in cl.no_bin.items():
            aggs.append(pl.col(hidden).sum().alias(f"{i}:b:{b}"))
    return lf.select(aggs)


def read_summaries(
    row: Mapping[str, Any], cards: Sequence[Scorecard], seconds: float
) -> list[Summary]:
    out = []
    for i, card in enumerate(cards):

        def pick(prefix: str) -> dict[str, int]:
            return {k[len(prefix) :]: int(v) for k, v in row.items() if k.startswith(prefix)}

        segments = pick(f"{i}:s:")
        if "" in segments:
            segments["(none)"] = segments.pop("")
        out.append(
            Summary(
                card.name,
                int(row["rows"]),
                int(row[f"{i}:scored"]),
                pick(f"{i}:x:"),
                int(row[f"{i}:null"]),
                segments,
                pick(f"{i}:b:"),
                seconds,
            )
        )
    return out


def run(
    cards: Sequence[Scorecard],
    data: Data,
    *,
    params: Sequence[Mapping[str, ir.Value]] | None = None,
    keep: Sequence[str] = (),
    explain: bool = False,
    details: bool = False,
    top: Top | None = None,
    check_data: bool = True,
) -> RunResult:
    """Score `data` with one or several cards in one pass; the frame and the summaries."""
    start = time.perf_counter()
    lf, layout = plan(
        cards,
        data,
        params=params,
        keep=keep,
        explain=explain,
        details=details,
        top=top,
        check_data=check_data,
    )
    collected = _collect(lf)
    row = summary_query(collected.lazy(), cards, layout).collect().row(0, named=True)
    frame = collected.drop(layout.hidden_columns)
    return RunResult(frame, read_summaries(row, cards, time.perf_counter() - start))


def run_to_file(
    cards: Sequence[Scorecard],
    data: Data,
    destination: str | Path,
    *,
    params: Sequence[Mapping[str, ir.Value]] | None = None,
    keep: Sequence[str] = (),
    explain: bool = False,
    top: Top | None = None,
    streaming: bool = False,
) -> list[Summary]:
    """Score and write to `destination` (by extension; `-` is CSV on stdout), atomically.

    With `streaming`, the result is never held in memory: Polars' streaming engine writes it
    with `sink_*`, and the summary is a second streaming aggregation over the same plan.
    """
    start = time.perf_counter()
    check_output(destination, input_files(cards, data))
    lf, layout = plan(cards, data, params=params, keep=keep, explain=explain, top=top)
    if streaming and str(destination) != io.STDOUT:
        # Scored once, streamed to a Parquet file beside the output (hidden summary columns
        # included); the output and the summary are then cheap streaming reads of that file.
        # (One plan feeding both would hold the whole scored table in memory.)
        folder = Path(destination).resolve().parent
        try:
            with temporary_folder(folder) as work:
                scored_path = work / "scored.parquet"
                lf.sink_parquet(scored_path, engine="streaming")
                scored = pl.scan_parquet(scored_path)
                io.sink_frame(scored.drop(layout.hidden_columns), destination)
                summary = _collect(summary_query(scored, cards, layout), streaming=True)
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
        return read_summaries(summary.row(0, named=True), cards, time.perf_counter() - start)
    collected = _collect(lf)
    row = summary_query(collected.lazy(), cards, layout).collect().row(0, named=True)
    io.write_frame(collected.drop(layout.hidden_columns), destination)
    return read_summaries(row, cards, time.perf_counter() - start)


def _collect(lf: pl.LazyFrame, streaming: bool = False) -> pl.DataFrame:
    """Collect, turning a data error Polars finds late into a diagnostic (never a traceback)."""
    try:
        return lf.collect(engine="streaming" if streaming else "auto")
    except pl.exceptions.PolarsError as exc:
        raise ScorecardError(
            [error("E839", f"cannot compute the result: {_first_line(exc)}")]
        ) from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def example_matches(expected: ir.Value, actual: Any) -> bool:
    """Floats within 1e-9 relative; everything else exactly; null only equals null."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return bool(expected == actual)
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-12)
    return bool(expected == actual)


__all__ = [
    "ExampleOutcome",
    "Explanation",
    "RunResult",
    "Scorecard",
    "Summary",
    "input_files",
    "load",
    "loads",
    "plan",
    "replace",
    "run",
    "run_to_file",
]
