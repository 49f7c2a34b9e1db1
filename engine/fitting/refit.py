"""`fit --from CARD`: keep a card's bins exactly as written and estimate only their points.

The card is checked, then run over the table by the engine itself, so every bins block's
bins are matched exactly as `apply` matches them (lets, special values, hand-made groups,
first match wins). Each block becomes one characteristic; the regression on their WoE gives
new points for every bin and a new `base_points`. Nothing else of the card changes: lets,
rules (their points stay as written, added on top of the refitted ones), excludes, segments,
classes and reasons are kept, and so are the user's comments. The fit's own comments (the
`# fit:` header, the figures after each bin, the line above each block) are rewritten with
the new figures, and the examples' expected `score` and bins points are recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from engine.backends.polars.validate import validate
from engine.check.result import CheckResult
from engine.check.source import check_file, check_source
from engine.diagnostics import ScorecardError, error
from engine.fitting import card as card_text
from engine.fitting.bins import Bin, BinKind, BoolArray, Characteristic, IntArray, points_literal
from engine.fitting.cardrun import bin_indexes, example_rows, run_card
from engine.fitting.comments import (
    bin_comment,
    block_heading,
    describe_event,
    describe_scaling,
    header_lines,
)
from engine.fitting.data import Data, outcome, read, split
from engine.fitting.figures import Comparison, FitFigures, characteristic_figures
from engine.fitting.model import Fitted, FloatArray, performance, select_and_fit
from engine.fitting.options import FitOptions, command_line
from engine.fitting.run import BASE_NAME, FitResult
from engine.program import Program
from engine.run.options import Progress
from engine.run.progress import step
from engine.syntax import ast
from engine.syntax.printer import Printer, SourceComment, find_comments
from engine.types import ScalarType


def _fail(
    code: str, message: str, checked: CheckResult, span: Any = None, *notes: str
) -> ScorecardError:
    d = error(code, message, span, *notes)
    return ScorecardError([d.with_file(str(checked.path)) if checked.path else d], checked.source)


def _kind(match: ast.BinMatch) -> BinKind:
    if isinstance(match, ast.BinMissing):
        return "missing"
    if isinstance(match, ast.BinElse):
        return "else"
    if isinstance(match, ast.BinIn) or (isinstance(match, ast.BinCompare) and match.op == "="):
        return "group"
    return "range"


def _subject_type(program: Program, on: str) -> ScalarType:
    for column in program.inputs:
        if column.name == on:
            return column.type
    return program.definition(on).type


def load_card(path: str | Path) -> tuple[CheckResult, Program, ast.Card]:
    checked = check_file(path)
    if not checked.ok or checked.program is None or checked.card is None:
        raise ScorecardError(checked.diagnostics, checked.source)
    program, tree = checked.program, checked.card
    if program.models:
        raise _fail(
            "E1110",
            "--from: a card with models cannot be refitted (its score is not the sum of its bins)",
            checked,
            program.models[0].span,
        )
    base = next((p for p in program.params if p.name == BASE_NAME), None)
    if base is None or base.type is not ScalarType.FLOAT:
        raise _fail(
            "E1110",
            f"--from: the card has no `param {BASE_NAME} : float`, which a refit sets",
            checked,
            None,
            f"add `param {BASE_NAME} : float = 0` and write `score = {BASE_NAME} + points`",
        )
    if not program.bins:
        raise _fail(
            "E1110", "--from: the card has no bins block: there are no points to refit", checked
        )
    return checked, program, tree


def _with_points(
    tree: ast.Card, new_points: Mapping[str, Sequence[float]], base: float, whole: bool
) -> ast.Card:
    statements: list[Any] = []
    for stmt in tree.statements:
        if isinstance(stmt, ast.BinsStmt):
            entries = [
                e.model_copy(update={"points": points_literal(p, whole)})
                for e, p in zip(stmt.entries, new_points[stmt.name.name], strict=True)
            ]
            stmt = stmt.model_copy(update={"entries": entries})
        elif isinstance(stmt, ast.ParamStmt) and stmt.name.name == BASE_NAME:
            stmt = stmt.model_copy(update={"value": ast.FloatLit(value=float(base) + 0.0)})
        statements.append(stmt)
    return tree.model_copy(update={"statements": statements})


def _with_expectations(
    tree: ast.Card, values: Sequence[Mapping[str, Any]], bins_names: set[str], whole: bool
) -> ast.Card:
    """Examples expecting `score` or a bins block's points get the refitted values."""
    rows = iter(values)
    statements: list[Any] = []
    for stmt in tree.statements:
        if isinstance(stmt, ast.ExampleStmt):
            row = next(rows)
            expect = []
            for a in stmt.expect:
                if a.target.name == "score" and row["score"] is not None:
                    a = a.model_copy(
                        update={"value": ast.FloatLit(value=float(row["score"]) + 0.0)}
                    )
                elif a.target.name in bins_names and row[a.target.name] is not None:
                    a = a.model_copy(
                        update={"value": points_literal(float(row[a.target.name]), whole)}
                    )
                expect.append(a)
            stmt = stmt.model_copy(update={"expect": expect})
        statements.append(stmt)
    return tree.model_copy(update={"statements": statements})


def _comments(
    source: str,
    tree: ast.Card,
    header: Sequence[str],
    bin_texts: Mapping[str, Sequence[str]],
    headings: Mapping[str, str],
) -> list[SourceComment]:
    """The card's comments with the fit's own ones rewritten (or added where missing)."""
    comments = find_comments(source)
    fit_lines = [c.line for c in comments if c.text.startswith(card_text.FIT_MARK.rstrip())]
    comments = [c for c in comments if not c.text.startswith(card_text.FIT_MARK.rstrip())]
    at = fit_lines[0] if fit_lines else None
    for i, line in enumerate(header):
        number = at if at is not None else i - len(header)
        comments.append(SourceComment(number, card_text.FIT_MARK + line, False))
    for stmt in tree.statements:
        if not isinstance(stmt, ast.BinsStmt) or stmt.span is None:
            continue
        above = stmt.span.line - 1
        heading = "# " + headings[stmt.name.name]
        found = [c for c in comments if c.line == above and card_text.BLOCK_COMMENT.match(c.text)]
        if found:
            found[0].text = heading
        else:
            comments.append(SourceComment(above, heading, False))
        lines = [e.span.line for e in stmt.entries if e.span is not None]
        for entry, text in zip(stmt.entries, bin_texts[stmt.name.name], strict=True):
            if entry.span is None or lines.count(entry.span.line) > 1:
                continue
            on_line = [
                c
                for c in comments
                if c.trailing and entry.span.line <= c.line <= entry.span.end_line
            ]
            mine = [c for c in on_line if card_text.BIN_COMMENT.match(c.text)]
            if mine:
                mine[0].text = "# " + text
            elif not on_line:
                comments.append(SourceComment(entry.span.line, "# " + text, True))
    return comments


def _characteristics(
    program: Program, stmts: Mapping[str, ast.BinsStmt], indexes: Mapping[str, IntArray]
) -> list[Characteristic]:
    """Each bins block of the card as one characteristic, its bins as written."""
    return [
        Characteristic(
            b.name,
            _subject_type(program, b.on),
            tuple(Bin(e.match, _kind(e.match)) for e in stmts[b.name].entries),
            indexes[b.name],
        )
        for b in program.bins
    ]


def _comparison(
    before_score: FloatArray, event: BoolArray, train: BoolArray, holdout: BoolArray
) -> Comparison:
    """The given card on the same rows. It may have been scaled the other way: it is read in
    the direction in which it ranks the training events best."""
    as_given = performance(before_score, event, train, True)
    up = as_given.auc is None or as_given.auc >= 0.5
    return Comparison(
        performance(before_score, event, train, up),
        performance(before_score, event, holdout, up) if holdout.any() else None,
    )


def _fit_comments(
    fitted: Fitted, program: Program, train: BoolArray
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The figures after each bin and the line above each block, per block."""
    total_rows = float(train.sum())
    on = {b.name: b.on for b in program.bins}
    coefficient = dict(
        zip((c.column for c in fitted.kept), fitted.regression.coefficients, strict=True)
    )
    bin_texts = {
        c.column: [bin_comment(fitted.figures[c.column], i, total_rows) for i in range(len(c.bins))]
        for c in fitted.kept
    }
    headings = {
        c.column: block_heading(on[c.column], fitted.figures[c.column], None, coefficient[c.column])
        for c in fitted.kept
    }
    return bin_texts, headings


def refit(
    data: Data,
    card_path: str | Path,
    options: FitOptions,
    *,
    output: str | None = None,
    progress: Progress | None = None,
) -> FitResult:
    """Refit the points of the card at `card_path` on `data`, keeping its bins (`progress`
    is told of the steps: reading, scoring, fitting)."""
    options.check()
    checked, program, tree = load_card(card_path)
    raw, data_name, _ = read(data, progress)
    problems = validate(raw.lazy(), program, data_name)
    if problems:
        raise ScorecardError([d.with_file(str(card_path)) for d in problems], checked.source)
    event, known = outcome(raw, options.target, options.event, data_name)
    step(progress, "scoring")
    before = run_card(program, raw)
    scored = known & before["excluded"].is_null().to_numpy()
    parts = split(raw, options, scored)
    train, holdout = parts.train, parts.holdout
    stmts = {s.name.name: s for s in tree.statements if isinstance(s, ast.BinsStmt)}
    characteristics = _characteristics(program, stmts, bin_indexes(program, before))
    step(progress, "fitting")
    fitted = select_and_fit(
        characteristics,
        train,
        event,
        min_iv=None,
        max_correlation=None,
        scaling=options.scaling,
        whole=options.round_points,
    )
    new_points = dict(zip((c.column for c in fitted.kept), fitted.points.bins, strict=True))
    updated = _with_points(tree, new_points, fitted.points.base, options.round_points)
    source_path = Path(card_path)
    command = command_line(data_name, options, str(card_path), output)
    # First print: the program of the refitted card, to score the rows and the examples.
    draft = Printer(find_comments(checked.source)).card(updated)
    draft_checked = check_source(draft, source_path)
    if not draft_checked.ok or draft_checked.program is None:  # our bug: the tree was valid
        raise RuntimeError(
            "the refitted card does not check: "
            + "; ".join(d.headline() for d in draft_checked.diagnostics)
        )
    after = run_card(draft_checked.program, raw)
    higher_is_event = fitted.points.line.slope > 0
    after_score = after["score"].fill_null(np.nan).to_numpy().astype(np.float64)
    before_score = before["score"].fill_null(np.nan).to_numpy().astype(np.float64)
    train_perf = performance(after_score, event, train, higher_is_event)
    holdout_perf = (
        performance(after_score, event, holdout, higher_is_event) if holdout.any() else None
    )
    comparison = _comparison(before_score, event, train, holdout)
    warnings = _warnings(fitted, program)
    values = example_rows(draft_checked.program)
    updated = _with_expectations(updated, values, set(stmts), options.round_points)
    warnings += _example_warnings(draft_checked.program, values, set(stmts))
    direction, scaling_words = describe_scaling(options)
    header = header_lines(
        command,
        options,
        parts.description,
        train_perf,
        holdout_perf,
        "bins kept as written in the card; points refitted",
    )
    bin_texts, headings = _fit_comments(fitted, program, train)
    coefficient = dict(
        zip((c.column for c in fitted.kept), fitted.regression.coefficients, strict=True)
    )
    text = Printer(_comments(checked.source, updated, header, bin_texts, headings)).card(updated)
    old_points = {b.name: [e.points for e in b.entries] for b in program.bins}
    figures = FitFigures(
        card=program.name,
        data=data_name,
        command=command,
        target=options.target,
        event=describe_event(options),
        key=program.key.name,
        split=parts.description,
        direction=direction,
        scaling=scaling_words,
        rows_read=raw.height,
        rows_without_outcome=int((~known).sum()),
        train=train_perf,
        holdout=holdout_perf,
        intercept=fitted.regression.intercept,
        base_points=fitted.points.base,
        characteristics=[
            characteristic_figures(
                c,
                fitted.figures[c.column],
                holdout,
                event,
                selected=True,
                block=c.column,
                reason=None,
                coefficient=coefficient[c.column],
                points=new_points[c.column],
                before=old_points[c.column],
            )
            for c in fitted.kept
        ],
        skipped=[],
        before=comparison,
        warnings=warnings,
    )
    return FitResult(text, figures, fitted.regression)


def _warnings(fitted: Fitted, program: Program) -> list[str]:
    out = []
    if not fitted.regression.converged:
        out.append("the logistic regression did not converge: the points may be unstable")
    for c, beta in zip(fitted.kept, fitted.regression.coefficients, strict=True):
        if beta > 0:
            out.append(
                f"bins {c.column}: its coefficient is positive, so its points run against its "
                "own event rates (it repeats what other blocks say): consider removing it"
            )
        if fitted.figures[c.column].total_iv < 0.02:
            out.append(
                f"bins {c.column}: IV {fitted.figures[c.column].total_iv:.4f}, a weak characteristic"
            )
    if program.rules:
        names = ", ".join(r.name for r in program.rules)
        out.append(
            f"rules kept with their points as written, added on top of the refitted score: {names}"
        )
    return out


def _example_warnings(
    program: Program, values: Sequence[Mapping[str, Any]], bins_names: set[str]
) -> list[str]:
    out = []
    for example, row in zip(program.examples, values, strict=True):
        for name, expected in example.expect.items():
            if name == "score" or name in bins_names or name not in row:
                continue
            actual = row[name]
            if not _matches(expected, actual):
                out.append(
                    f"example {example.name!r}: {name} expected {expected!r}, the refitted card "
                    f"gives {actual!r} (left as written: check it with `scorecard test`)"
                )
    return out


def _matches(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return bool(expected == actual)
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return bool(np.isclose(float(expected), float(actual), rtol=1e-9, atol=1e-12))
    return bool(expected == actual)
