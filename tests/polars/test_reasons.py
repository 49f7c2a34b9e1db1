"""`reasons K` on cards with many contributions, compared with an independent computation.

The expected reasons are computed here from the data with plain Python: each contribution
worked out by hand from the card's text, candidates (> 0 for `highest`, < 0 for `lowest`,
never missing) sorted by size then by their place in the file. Nothing is read back from the
engine but its output columns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.api import run_to_file
from engine.backends.polars.reasons import block_rows, top_indices

Contribution = float | None

# The rules of the many-contributions card: rule i fires when a > THRESHOLD[i]; its points
# are POINTS[i], or `b * FACTOR[i]` for the rules in FROM_B (missing when b is missing).
N_RULES = 300
BINS_AFTER = 150  # the bins block stands between rule 149 and rule 150 in the file
THRESHOLDS = [i % 50 for i in range(N_RULES)]
POINTS = [[2, -1, 2, 0, 3, 1, -2, 3, 0.5][i % 9] for i in range(N_RULES)]
FROM_B = {i for i in range(N_RULES) if i % 37 == 5}
FACTOR = {i: [1.5, -2.0, 3.0][i % 3] for i in FROM_B}
BINS = [(None, 10, 3.0), (10, 30, 1.0), (30, None, 0.0)]  # [lo, hi) -> points


def many_card(count: int, direction: str) -> str:
    lines = [
        "scorecard many { }",
        "input {",
        "  id : int key",
        "  a : int required",
        "  b : float",
        "}",
        'exclude "seven" when a = 7',
    ]
    for i in range(N_RULES):
        if i == BINS_AFTER:
            lines += ["bins ab on a {", "  < 10 -> 3", "  [10, 30) -> 1", "  >= 30 -> 0", "}"]
        points = f"b * {FACTOR[i]}" if i in FROM_B else f"{POINTS[i]}"
        lines.append(f"rule r{i} when a > {THRESHOLDS[i]} then {points}")
    lines.append(f"reasons {count} {direction}")
    return "\n".join(lines) + "\n"


def many_contributions(a: int, b: float | None) -> list[tuple[str, Contribution]]:
    """(name, contribution) in file order, worked out from the card's text."""
    out: list[tuple[str, Contribution]] = []
    for i in range(N_RULES):
        if i == BINS_AFTER:
            points = next(
                p for lo, hi, p in BINS if (lo is None or a >= lo) and (hi is None or a < hi)
            )
            out.append(("ab", points))
        if a > THRESHOLDS[i]:
            if i in FROM_B:
                out.append((f"r{i}", None if b is None else b * FACTOR[i]))
            else:
                out.append((f"r{i}", float(POINTS[i])))
        else:
            out.append((f"r{i}", 0.0))
    return out


def expected_reasons(
    contributions: Sequence[tuple[str, Contribution]], count: int, direction: str
) -> list[str | None]:
    """The candidates sorted by size, ties in file order, padded with None to `count`."""
    sign = 1.0 if direction == "highest" else -1.0
    candidates = [
        (-sign * value, order, name)
        for order, (name, value) in enumerate(contributions)
        if value is not None and sign * value > 0
    ]
    chosen: list[str | None] = [name for _, _, name in sorted(candidates)[:count]]
    return chosen + [None] * (count - len(chosen))


def many_data(rows: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.integers(-3, 60, size=rows)
    a[0] = 0  # no rule fires on the first row: only the bins block is a candidate
    a[1] = 1  # one rule fires
    b = np.round(rng.normal(0, 4, size=rows), 1)
    b_list: list[float | None] = [
        None if m else float(v) for v, m in zip(b, rng.random(rows) < 0.2, strict=True)
    ]
    return pl.DataFrame(
        {"id": np.arange(rows), "a": a, "b": b_list}, schema_overrides={"b": pl.Float64}
    )


def expected_frame(data: pl.DataFrame, count: int, direction: str) -> list[list[str | None]]:
    rows: list[list[str | None]] = []
    for a, b in zip(data["a"].to_list(), data["b"].to_list(), strict=True):
        if a == 7:
            rows.append([None] * count)
        else:
            rows.append(expected_reasons(many_contributions(a, b), count, direction))
    return rows


def reason_rows(frame: pl.DataFrame, count: int) -> list[list[str | None]]:
    columns = [frame[f"reason_{k + 1}"].to_list() for k in range(count)]
    return [list(row) for row in zip(*columns, strict=True)]


@pytest.mark.parametrize("direction", ["highest", "lowest"])
def test_more_than_256_contributions_first_row_with_fewer_candidates_than_k(
    direction: str,
) -> None:
    """301 contributions, reasons 6: the first row has one candidate (it failed with E839
    when the names were built in an object array); ties, missing contributions, excluded
    rows, and rows with fewer candidates than K."""
    card = engine.loads(many_card(6, direction))
    data = many_data(3000, seed=7)
    out = card.apply(data)
    assert out["reason_1"].dtype == pl.String
    expected = expected_frame(data, 6, direction)
    assert reason_rows(out, 6) == expected
    if direction == "highest":
        assert expected[0] == ["ab", None, None, None, None, None]
    # the data covers what the test claims: a tie broken by file order among the chosen,
    # a missing contribution where the rule fired, rows padded with missing reasons
    ties = missing = padded = False
    for (a, b), row in zip(data.select("a", "b").iter_rows(), expected, strict=True):
        if a == 7:
            continue
        values = dict(many_contributions(a, b))
        chosen = [values[name] for name in row if name is not None]
        ties |= any(x == y for x, y in pairwise(chosen))
        missing |= any(values[f"r{i}"] is None for i in FROM_B)
        padded |= row[0] is not None and row[-1] is None
    assert ties and missing and padded and (data["a"] == 7).any()


def test_streamed_file_gives_the_same_reasons(tmp_path: Path) -> None:
    """The streaming engine hands the ranking many small batches: same rows."""
    card = engine.loads(many_card(4, "highest"))
    data = many_data(20_000, seed=11)
    source = tmp_path / "in.parquet"
    data.write_parquet(source, row_group_size=3000)
    out = tmp_path / "out.parquet"
    run_to_file([card], source, out, streaming=True)
    written = pl.read_parquet(out).sort("id")
    assert reason_rows(written, 4) == expected_frame(data, 4, "highest")


@pytest.mark.slow  # 5,000 rules
def test_five_thousand_rules_with_classes() -> None:
    """A 5,000-rule card with `reasons 3` and `classes 10`, checked against numpy and a
    hand-written NTILE."""
    n_rules, rows = 5000, 400
    rng = np.random.default_rng(3)
    thresholds = rng.integers(0, 100, size=n_rules)
    points = rng.choice([-4.0, -1.0, 1.0, 2.0, 2.0, 5.0], size=n_rules)
    columns = rng.integers(0, 4, size=n_rules)
    lines = ["scorecard wide { }", "input {", "  id : int key"]
    lines += [f"  x{j} : int" for j in range(4)]
    lines.append("}")
    lines += [
        f"rule w{i} when x{columns[i]} > {thresholds[i]} then {points[i]}" for i in range(n_rules)
    ]
    lines += ["classes 10", "reasons 3"]
    card = engine.loads("\n".join(lines) + "\n")
    x = rng.integers(0, 101, size=(rows, 4))
    x[0] = 0  # nothing fires
    data = pl.DataFrame({"id": np.arange(rows), **{f"x{j}": x[:, j] for j in range(4)}})
    out = card.apply(data).sort("id")

    fired = x[:, columns] > thresholds  # rows x rules
    contributions = np.where(fired, points, 0.0)
    score = contributions.sum(axis=1)
    np.testing.assert_allclose(out["score"].to_numpy(), score, rtol=1e-12)
    expected = [
        expected_reasons([(f"w{i}", float(v)) for i, v in enumerate(row)], 3, "highest")
        for row in contributions
    ]
    assert reason_rows(out, 3) == expected
    assert expected[0] == [None, None, None]
    order = sorted(range(rows), key=lambda r: (-score[r], r))
    classes = [0] * rows
    size, extra = divmod(rows, 10)
    position = 0
    for bucket in range(10):
        for _ in range(size + (1 if bucket < extra else 0)):
            classes[order[position]] = bucket + 1
            position += 1
    assert out["class"].to_list() == classes


def _python_top(row: Sequence[float], count: int, lowest: bool) -> list[int]:
    sign = -1.0 if lowest else 1.0
    candidates = sorted(
        (-sign * v, j) for j, v in enumerate(row) if not math.isnan(v) and sign * v > 0
    )
    found = [j for _, j in candidates[:count]]
    return found + [len(row)] * (count - len(found))


@settings(max_examples=40, deadline=None)
@given(
    width=st.sampled_from([1, 2, 7, 68, 257, 1100]),
    rows=st.sampled_from([0, 1, 5, 300, 2100]),
    count=st.integers(1, 12),
    lowest=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_top_indices_against_sorting(
    width: int, rows: int, count: int, lowest: bool, seed: int
) -> None:
    """The ranking kernel on its own: small integer values (many ties), zeros, NaN
    (missing), infinities, and row counts across block boundaries."""
    rng = np.random.default_rng(seed)
    matrix = rng.choice([-3.0, -1.0, 0.0, -0.0, 1.0, 2.0, 2.0, 4.5, np.nan], size=(rows, width))
    matrix[rng.random((rows, width)) < 0.01] = np.inf
    matrix[rng.random((rows, width)) < 0.01] = -np.inf
    columns = [np.ascontiguousarray(matrix[:, j]) for j in range(width)]
    before = [c.copy() for c in columns]
    chosen = top_indices(columns, count, lowest)
    got = np.stack(chosen, axis=1) if rows else np.zeros((0, count))
    want = [_python_top(list(row), count, lowest) for row in matrix]
    assert got.tolist() == want
    for c, b in zip(columns, before, strict=True):  # the input is left as it was
        np.testing.assert_array_equal(c, b)


def test_blocks_are_bounded() -> None:
    """A block holds about a megabyte of rows, never rows x contributions of a batch."""
    assert block_rows(68) * 68 * 8 <= 1 << 21
    assert block_rows(5000) * 5000 * 8 <= 1 << 26
    assert block_rows(100_000) >= 1
