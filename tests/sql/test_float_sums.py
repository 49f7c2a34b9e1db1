"""Float sums give the same bits in Polars, in SQL and in a plain NumPy loop: left to right,
in one run up to 256 terms (a model's trees), in groups of 50 beyond (parsers limit depth)."""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl
import pytest

from engine import ir
from engine.backends.polars.expressions import translate
from engine.backends.sql.dialects import get_dialect
from engine.backends.sql.expressions import Compiler
from engine.types import ScalarType
from tests.sql.helpers import duckdb_table

ROWS = 20_000


def _in_order(columns: list[np.ndarray]) -> np.ndarray:
    total = columns[0].copy()
    for c in columns[1:]:
        total = total + c
    return total


def _expected(columns: list[np.ndarray]) -> np.ndarray:
    """What docs/sql.md says: one run up to 256 terms; else runs of 50, then their sums."""
    if len(columns) <= 256:
        return _in_order(columns)
    while len(columns) > 50:
        columns = [_in_order(columns[i : i + 50]) for i in range(0, len(columns), 50)]
    return _in_order(columns)


@pytest.mark.parametrize("terms", [2, 101, 256, 257, 600])
def test_polars_and_duckdb_add_floats_in_the_same_order(terms: int) -> None:
    rng = np.random.default_rng(terms)
    # Mixed magnitudes: an order of addition different from the one above changes the
    # last bit of most rows.
    columns = [rng.normal(size=ROWS) * 10.0 ** rng.integers(-3, 4) for _ in range(terms)]
    frame = pl.DataFrame({f"c{i}": c for i, c in enumerate(columns)})
    total = ir.Sum(tuple(ir.Ref(f"c{i}", ScalarType.FLOAT) for i in range(terms)), ScalarType.FLOAT)
    want = _expected(columns)

    polars_got = frame.select(translate(total).alias("s"))["s"].to_numpy()
    assert int((polars_got != want).sum()) == 0

    dialect = get_dialect("duckdb")
    sql = Compiler(dialect, lambda: "unused").compile(total)
    con = duckdb.connect()
    duckdb_table(con, "t", frame.with_row_index("i"))
    fetched = con.execute(f'SELECT {sql} AS s FROM "t" ORDER BY "i"').fetchnumpy()["s"]
    assert int((np.asarray(fetched) != want).sum()) == 0
