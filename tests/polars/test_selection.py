"""`--top` and `--select`: which rows are kept, in which order, and what the summary counts.

The expected rows are computed here with plain Python from the scores of a run without
selection: the rank is score descending, then key ascending byte-wise; a percentage is of the
rows with a score, rounded up; `--select` comes first, then `--top` among the selected rows.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import engine
from engine.cli.app import app, load_commands

load_commands(None)

CARD = """
scorecard sel {
}
input {
  id   : string key
  a    : int
  b    : float
  kind : string
}
rule big "a is big" when a >= 5 then 10
rule small when a < 2 then -3
bins b_pts on b {
  missing -> 0
  < 0.5   -> 1
  >= 0.5  -> 4
}
exclude "no kind" when kind is missing
segment "high" when score >= 10
segment "low" otherwise
classes 4
"""


def _data(n: int, seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    keys = [f"k{rng.randrange(10**6):06d}é" if i % 7 == 0 else f"K{i:04d}" for i in range(n)]
    keys = list(dict.fromkeys(keys))
    return pl.DataFrame(
        {
            "id": keys,
            "a": [rng.randrange(0, 8) for _ in keys],
            "b": [None if rng.random() < 0.1 else round(rng.random(), 1) for _ in keys],
            "kind": [None if rng.random() < 0.1 else rng.choice(["x", "y"]) for _ in keys],
        }
    )


def _expected(full: pl.DataFrame, keep: list[bool], top: tuple[float, bool] | None) -> list[str]:
    rows = [r for r, k in zip(full.iter_rows(named=True), keep, strict=True) if k]
    if top is None:
        return [r["id"] for r in rows]
    scored = [r for r in rows if r["score"] is not None]
    scored.sort(key=lambda r: (-r["score"], r["id"].encode()))
    count, percent = top
    n = math.ceil(len(scored) * count / 100.0) if percent else int(count)
    return [r["id"] for r in scored[:n]]


@pytest.mark.parametrize(
    ("select", "top"),
    [
        (None, (25.0, False)),
        (None, (12.5, True)),
        (None, (2.5, True)),
        ('class <= 2 and segment = "high"', None),
        ("score >= 4 or excluded is not missing", (7.0, False)),
        ("class = 4", (50.0, True)),
    ],
)
def test_selection_matches_a_plain_computation(
    tmp_path: Path, select: str | None, top: tuple[float, bool] | None
) -> None:
    card = engine.loads(CARD)
    data = _data(300, seed=len(select or "") + int(top[0] if top else 0))
    full = card.apply(data)
    keep = [True] * full.height
    if select is not None:
        # the same conditions, written in Python
        def holds(r: dict[str, object]) -> bool:
            score, cls, seg, exc = r["score"], r["class"], r["segment"], r["excluded"]
            if select.startswith("class <= 2"):
                return cls is not None and cls <= 2 and seg == "high"  # type: ignore[operator]
            if select.startswith("score >= 4"):
                return (score is not None and score >= 4) or exc is not None  # type: ignore[operator]
            return cls == 4

        keep = [holds(r) for r in full.iter_rows(named=True)]
    want = _expected(full, keep, top)
    chosen = card.apply(data, top=engine.Top(top[0], top[1]) if top else None, select=select)
    assert chosen["id"].to_list() == want
    # the streamed file path chooses the same rows, and the summary counts every row read
    out = tmp_path / "o.parquet"
    summaries = engine.api.run_to_file(
        [card],
        data,
        out,
        top=engine.Top(top[0], top[1]) if top else None,
        select=select,
        streaming=True,
    )
    assert pl.read_parquet(out)["id"].to_list() == want
    assert summaries[0].rows == data.height


def test_cli_select_error_names_the_option_and_column(tmp_path: Path) -> None:
    card = tmp_path / "c.scorecard"
    card.write_text(CARD, encoding="utf-8")
    data = tmp_path / "d.csv"
    _data(20, 1).write_csv(data)
    out = tmp_path / "o.csv"
    result = CliRunner().invoke(
        app, ["apply", str(card), str(data), "-o", str(out), "--select", "clas <= 2"]
    )
    assert result.exit_code == 1
    assert "--select:1:1: error[E200]: unknown name `clas`: did you mean `class`?" in result.stderr
    assert "rows read" not in result.stderr  # stopped before the run
    assert not out.exists()
    result = CliRunner().invoke(
        app, ["apply", str(card), str(data), "-o", str(out), "--select", "segment < 3"]
    )
    assert result.exit_code == 1 and "error[E30" in result.stderr


def test_cli_top_is_in_rank_order_and_summary_counts_all(tmp_path: Path) -> None:
    card = tmp_path / "c.scorecard"
    card.write_text(CARD, encoding="utf-8")
    data = tmp_path / "d.csv"
    frame = _data(50, 3)
    frame.write_csv(data)
    out = tmp_path / "o.csv"
    result = CliRunner().invoke(app, ["apply", str(card), str(data), "-o", str(out), "--top", "5"])
    assert result.exit_code == 0, result.stderr
    full = engine.loads(CARD).apply(frame)
    assert pl.read_csv(out)["id"].to_list() == _expected(full, [True] * full.height, (5, False))
    assert f"{frame.height} rows read" in result.stderr
