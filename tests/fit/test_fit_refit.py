"""`fit --from`: a card's bins edited by hand are kept exactly; only the points change."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

import engine
from engine.cli import app
from engine.fitting import CreditScaling
from engine.syntax import ast, parse_card
from engine.syntax.printer import format_card
from tests.fit.fitgen import make_table
from tests.fit.helpers import bins_blocks, match, woe_table

CREDIT = ["--pdo", "20", "--odds", "50", "--points", "600"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("refit")


@pytest.fixture(scope="module")
def table(folder: Path) -> pl.DataFrame:
    frame = make_table(5000, seed=3)
    frame.write_csv(folder / "history.csv")
    return frame


def _edit(card_text: str) -> tuple[str, str, str]:
    """Move an edge of `age` by 3 years and merge two groups of `region`; returns the text
    and the two edited bins as written."""
    card, _ = parse_card(card_text)
    assert card is not None
    statements: list[Any] = []
    moved = merged = ""
    for stmt in card.statements:
        if isinstance(stmt, ast.BinsStmt) and stmt.on.name == "age":
            entries = list(stmt.entries)
            i = next(k for k, e in enumerate(entries) if isinstance(e.match, ast.BinInterval))
            m = entries[i].match
            assert isinstance(m, ast.BinInterval)
            edge = ast.IntLit(value=m.high.value + 3)
            entries[i] = entries[i].model_copy(
                update={"match": m.model_copy(update={"high": edge})}
            )
            nxt = entries[i + 1].match
            new_next = (
                nxt.model_copy(update={"low": edge})
                if isinstance(nxt, ast.BinInterval)
                else nxt.model_copy(update={"value": edge})
            )
            entries[i + 1] = entries[i + 1].model_copy(update={"match": new_next})
            moved = f"[{m.low.value}, {edge.value})"
            stmt = stmt.model_copy(update={"entries": entries})
        elif isinstance(stmt, ast.BinsStmt) and stmt.on.name == "region":
            entries = list(stmt.entries)
            groups = [k for k, e in enumerate(entries) if isinstance(e.match, ast.BinCompare)]
            a, b = groups[0], groups[1]
            values = []
            for k in (a, b):
                m = entries[k].match
                assert isinstance(m, ast.BinCompare)
                values.append(m.value)
            entries[a] = entries[a].model_copy(update={"match": ast.BinIn(values=values)})
            del entries[b]
            merged = "in [" + ", ".join(f'"{v.value}"' for v in values) + "]"
            stmt = stmt.model_copy(update={"entries": entries})
        statements.append(stmt)
    edited = card.model_copy(update={"statements": statements})
    text = format_card(edited, card_text).replace(
        "\nscore = ", "\n# my own note, kept by the refit\nscore = ", 1
    )
    return text, moved, merged


@pytest.fixture(scope="module")
def cards(folder: Path, table: pl.DataFrame) -> dict[str, str]:
    first = engine.fit(
        table, "bad", holdout=0, sensitive=["gender"], exclude=["month"], scaling=CreditScaling()
    ).card
    edited, moved, merged = _edit(first)
    (folder / "edited.scorecard").write_text(edited, encoding="utf-8")
    args = ["fit", str(folder / "history.csv"), "--target", "bad", "--holdout", "0", *CREDIT]
    args += ["--from", str(folder / "edited.scorecard"), "-o", str(folder / "refit.scorecard")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    refit = (folder / "refit.scorecard").read_text(encoding="utf-8")
    return {"first": first, "edited": edited, "refit": refit, "moved": moved, "merged": merged}


def _without_numbers(text: str) -> Any:
    """The card's tree with every bin's points, base_points and expected value blanked."""
    card, _ = parse_card(text)
    assert card is not None
    out = []
    for stmt in card.statements:
        if isinstance(stmt, ast.BinsStmt):
            stmt = stmt.model_copy(
                update={
                    "entries": [
                        e.model_copy(update={"points": ast.IntLit(value=0)}) for e in stmt.entries
                    ]
                }
            )
        elif isinstance(stmt, ast.ParamStmt) and stmt.name.name == "base_points":
            stmt = stmt.model_copy(update={"value": ast.FloatLit(value=0.0)})
        elif isinstance(stmt, ast.ExampleStmt):
            stmt = stmt.model_copy(
                update={
                    "expect": [
                        a.model_copy(update={"value": ast.IntLit(value=0)}) for a in stmt.expect
                    ]
                }
            )
        out.append(stmt)
    return ast.without_spans(card.model_copy(update={"statements": out}))


def _points(text: str) -> dict[str, list[float]]:
    return {
        name: [float(e.points.value) for e in b.entries] for name, b in bins_blocks(text).items()
    }


def test_the_edits_are_kept_and_only_numbers_change(cards: dict[str, str]) -> None:
    assert cards["moved"] in cards["edited"] and cards["merged"] in cards["edited"]
    assert cards["moved"] in cards["refit"] and cards["merged"] in cards["refit"]
    assert _without_numbers(cards["refit"]) == _without_numbers(cards["edited"])
    assert "# my own note, kept by the refit" in cards["refit"]
    before, after = _points(cards["edited"]), _points(cards["refit"])
    assert before.keys() == after.keys()
    for name in ("age_points", "region_points"):
        assert len(before[name]) == len(after[name]) and before[name] != after[name]


def test_the_edited_bins_get_their_own_woe(cards: dict[str, str], table: pl.DataFrame) -> None:
    """Points of the edited blocks follow the WoE of the bins as edited (counted here)."""
    event = table["bad"].to_numpy() == 1
    blocks = bins_blocks(cards["refit"])
    lines = cards["refit"].splitlines()
    for name in ("age_points", "region_points"):
        stmt = blocks[name]
        want = woe_table(match(stmt, table[stmt.on.name]), len(stmt.entries), event)
        for entry, woe, rows in zip(stmt.entries, want["woe"], want["rows"], strict=True):
            assert entry.span is not None
            comment = lines[entry.span.line - 1].split("#", 1)[1]
            if rows:
                assert f"WoE {woe:+.4f}" in comment, (name, comment, woe)
            else:
                assert "no training rows" in comment


def test_the_refitted_card_is_its_regression(
    cards: dict[str, str], table: pl.DataFrame, folder: Path
) -> None:
    result = engine.fit(
        folder / "history.csv",
        "bad",
        holdout=0,
        scaling=CreditScaling(),
        from_card=folder / "edited.scorecard",
    )
    # the API gives the CLI's card; only the command in the first line differs (no -o)
    assert result.card.split("\n", 1)[1] == cards["refit"].split("\n", 1)[1]
    blocks = bins_blocks(result.card)
    event = table["bad"].to_numpy() == 1
    columns = []
    for name in result.regression.features:
        stmt = blocks[name]
        index = match(stmt, table[stmt.on.name])
        columns.append(woe_table(index, len(stmt.entries), event)["woe"][index])
    log_odds = result.regression.estimator.decision_function(np.column_stack(columns))
    factor = 20 / math.log(2)
    expected = 600 - factor * math.log(50) - factor * log_odds
    scores = engine.loads(result.card).apply(table)["score"].to_numpy()
    np.testing.assert_allclose(scores, expected, rtol=0, atol=1e-9)
    before = result.figures.before
    assert before is not None and before.train.auc is not None
    changed = [
        b for c in result.figures.characteristics for b in c.bins if b.points != b.points_before
    ]
    assert changed


def test_the_refitted_card_checks_formats_and_tests_clean(
    folder: Path, cards: dict[str, str]
) -> None:
    path = folder / "refit.scorecard"
    for args in (["check", path], ["fmt", "--check", path], ["test", path]):
        result = CliRunner().invoke(app, [str(a) for a in args])
        assert result.exit_code == 0, (args, result.output, result.stderr)


def test_output_never_replaces_an_input_unless_asked(folder: Path, cards: dict[str, str]) -> None:
    data = folder / "history.csv"
    card = folder / "own.scorecard"
    card.write_text(cards["edited"], encoding="utf-8")
    base = ["fit", str(data), "--target", "bad", "--holdout", "0", *CREDIT]
    refused = CliRunner().invoke(app, [*base, "-o", str(data)])
    assert refused.exit_code == 1 and "E1120" in refused.stderr and "data file" in refused.stderr
    assert data.read_text(encoding="utf-8").startswith("customer_id,")
    refused = CliRunner().invoke(app, [*base, "--from", str(card), "-o", str(card)])
    assert refused.exit_code == 1 and "--replace" in refused.stderr
    assert card.read_text(encoding="utf-8") == cards["edited"]
    refused = CliRunner().invoke(
        app, [*base, "-o", str(folder / "x.scorecard"), "--report", str(data)]
    )
    assert refused.exit_code == 1 and "E1120" in refused.stderr
    replaced = CliRunner().invoke(app, [*base, "--from", str(card), "-o", str(card), "--replace"])
    assert replaced.exit_code == 0, replaced.stderr
    assert _without_numbers(card.read_text(encoding="utf-8")) == _without_numbers(cards["edited"])


def test_blocks_removed_or_added_by_hand_are_respected(
    folder: Path, cards: dict[str, str], table: pl.DataFrame
) -> None:
    """Delete one bins block, add one on a let of a column the fit left out: the refit
    prices exactly the blocks the card has."""
    card, _ = parse_card(cards["first"])
    assert card is not None
    removed = next(
        s.name.name
        for s in card.statements
        if isinstance(s, ast.BinsStmt) and s.on.name == "tenure"
    )
    text = cards["first"]
    start = text.index(f"bins {removed} on tenure")
    start = text.rindex("\n#", 0, start) + 1  # with its heading comment
    end = text.index("}\n", start) + 2
    text = text[:start] + text[end:]
    text = text.replace("  gender ", "  noise       : float\n  gender ", 1)
    text = text.replace(
        "\nscore = ",
        "\nlet noise_abs = abs(noise)\n\nbins noise_points on noise_abs {\n  < 1 -> 0\n  >= 1 -> 0\n}\n\nscore = ",
        1,
    )
    path = folder / "blocks.scorecard"
    path.write_text(text, encoding="utf-8")
    result = engine.fit(
        folder / "history.csv", "bad", holdout=0, scaling=CreditScaling(), from_card=path
    )
    blocks = bins_blocks(result.card)
    assert removed not in blocks and "noise_points" in blocks
    assert [c.column for c in result.figures.characteristics] == list(blocks)
    noise = next(c for c in result.figures.characteristics if c.column == "noise_points")
    rows = (table["noise"].abs() < 1).sum()
    assert noise.bins[0].train_rows == rows and noise.bins[1].train_rows == table.height - rows
    assert all(b.points is not None for b in noise.bins)
    checked = engine.loads(result.card)
    assert not [d for d in checked.check() if d.is_error]
