"""Running a checked card over a table with the Polars backend, for a refit.

A refit needs, per row, the bin each bins block matched (as the engine matches it: lets,
intervals, first match wins), the card's exclusions and its score. The backend's runner
gives them with `details`; nothing here re-implements a bin test.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

from engine.backends.polars import runner
from engine.backends.polars.expressions import polars_dtype
from engine.diagnostics import ScorecardError, error
from engine.program import Program, bind_params

IntArray = npt.NDArray[np.int64]


def run_card(
    program: Program, frame: pl.DataFrame, columns: Sequence[str] | None = ()
) -> pl.DataFrame:
    """`score`, `excluded`, every `NAME.bin` and the names in `columns` (None: every result
    and detail column), one row per row of `frame`."""
    bound = bind_params(program, {})
    lf, layout = runner.build(frame.lazy(), [runner.CardRun(bound)], details=True)
    if columns is None:
        lf = lf.drop(layout.hidden_columns)
    else:
        wanted = ["score", "excluded", *(f"{b.name}.bin" for b in program.bins), *columns]
        lf = lf.select(list(dict.fromkeys(wanted)))
    try:
        return lf.collect()
    except pl.exceptions.PolarsError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ScorecardError([error("E839", f"cannot compute the card: {first}")]) from None


def bin_indexes(program: Program, results: pl.DataFrame) -> dict[str, IntArray]:
    """Per bins block, the index of the entry each row matched (-1: none).

    The runner names the matched entry by its text; two entries with one text cannot both
    match (the first wins), so the first entry of that text is the one.
    """
    out: dict[str, IntArray] = {}
    for bins in program.bins:
        first: dict[str, int] = {}
        for i, entry in enumerate(bins.entries):
            first.setdefault(entry.text, i)
        matched = results[f"{bins.name}.bin"].replace_strict(
            list(first.keys()), list(first.values()), default=-1, return_dtype=pl.Int64
        )
        out[bins.name] = matched.fill_null(-1).to_numpy().astype(np.int64)
    return out


def example_rows(program: Program) -> list[dict[str, object]]:
    """The values of every example's own row under the card (`scorecard test`'s rows)."""
    rows = []
    for example in program.examples:
        frame = pl.DataFrame(
            {c.name: [example.given.get(c.name)] for c in program.inputs},
            schema={c.name: polars_dtype(c.type) for c in program.inputs},
        )
        rows.append(run_card(program, frame, None).row(0, named=True))
    return rows
