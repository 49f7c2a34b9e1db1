"""`reasons K`: the names of the K contributions that push each row's score the most.

One path for any number of rules and bins: a single elementwise `map_batches` receives the
contribution columns of one batch of rows (a morsel of Polars' engine), and numpy ranks them
in blocks of rows copied into a small C-ordered float64 matrix. So the memory the ranking
adds is one batch's contributions plus one block, never rows x contributions for the whole
table, and the time is linear in rows x contributions (times K, with an early stop once no
row of a block has a candidate left).

The ranking (docs/language.md, "Results"): with `highest`, only contributions > 0 are
candidates; with `lowest`, only contributions < 0, most negative first. A missing
contribution is never a reason. Equal contributions go in the order the rules and bins
stand in the file. Each of the K rounds takes, per row, the first largest key (`argmax`
returns the first of equal maxima, so ties go in file order) and then zeroes it; keys are
`max(contribution, 0)` (`max(-contribution, 0)` for `lowest`) with a missing one as 0, so a
key of 0 is "no candidate". Names come from the round's column index by one `gather` from
the list of names, whose extra last entry is the missing name.

Most cards fix the values their contributions can take (`engine.reason_keys`): those are
ranked as integer keys instead, column by column over blocks of rows with no transposition
(`keyed_top`: 14 ms per 131,072-row batch of the reference card against about 35 ms); the
float ranking above serves the others.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from engine.reason_keys import KeyedSource, ReasonKeys

BLOCK_BYTES = 1 << 20
"""Bytes of one block of rows ranked at once (1 MiB: the buffer stays in the processor's
cache), but never fewer than `MIN_BLOCK_ROWS` rows while the block is under `MAX_BLOCK_BYTES`:
each column is copied by one numpy call, which must move enough values to be worth it."""
MIN_BLOCK_ROWS = 2048
MAX_BLOCK_BYTES = 1 << 26


def reasons(
    ns: str,
    sources: Sequence[tuple[str, str]],
    outputs: Sequence[str],
    direction: str,
    kept: pl.Expr,
    keyed: ReasonKeys | None = None,
) -> list[list[pl.Expr]]:
    """Steps of `with_columns`: the chosen names as a hidden struct, then the columns
    `outputs` (reason_1..K, empty on excluded rows). `sources` are (reason name, column
    ranked) in file order (`ReasonsDef.sources`); columns are read under the card's
    prefix `ns`. With `keyed` (`engine.reason_keys.plan`), only its sources are read and
    ranked by their keys."""
    string_null = pl.lit(None, dtype=pl.String)
    ranker: _Ranker | _KeyedRanker
    if keyed is not None:
        sources = [(s.name, s.column) for s in keyed.sources]
    names = [name for name, _ in sources]
    if not names:
        return [[string_null.alias(out) for out in outputs]]
    fields = [f"r{k + 1}" for k in range(len(outputs))]
    dtype = pl.Struct(dict.fromkeys(fields, pl.String))
    if keyed is not None:
        ranker = _KeyedRanker(keyed, fields)
    else:
        ranker = _Ranker(names, fields, direction == "lowest")
    chosen = pl.map_batches(
        [pl.col(ns + column).cast(pl.Float64) for _, column in sources],
        ranker,
        return_dtype=dtype,
        is_elementwise=True,
    )
    hidden = f"{ns}__reason_names"
    return [
        [chosen.alias(hidden)],
        [
            pl.when(kept).then(pl.col(hidden).struct.field(f)).otherwise(string_null).alias(out)
            for f, out in zip(fields, outputs, strict=True)
        ],
    ]


class _Ranker:
    """The batch function: contribution columns in, a struct of K name columns out."""

    def __init__(self, names: Sequence[str], fields: Sequence[str], lowest: bool) -> None:
        self.labels = pl.Series("names", [*names, None], dtype=pl.String)
        self.fields = list(fields)
        self.lowest = lowest

    def __call__(self, columns: Sequence[pl.Series]) -> pl.Series:
        arrays = [c.to_numpy() for c in columns]  # no copy without nulls; a null becomes NaN
        chosen = top_indices(arrays, len(self.fields), self.lowest)
        frame = pl.DataFrame(
            [self.labels.gather(c).alias(f) for f, c in zip(self.fields, chosen, strict=True)]
        )
        return frame.to_struct("reasons")


class _KeyedRanker:
    """The batch function of the keyed ranking: the keyed sources' columns in, names out."""

    def __init__(self, keyed: ReasonKeys, fields: Sequence[str]) -> None:
        self.keyed = keyed
        self.labels = pl.Series("names", [s.name for s in keyed.sources] + [None], pl.String)
        self.fields = list(fields)

    def __call__(self, columns: Sequence[pl.Series]) -> pl.Series:
        arrays = [c.to_numpy() for c in columns]
        keyed = self.keyed
        chosen = keyed_top(keyed, arrays, len(self.fields))
        frame = pl.DataFrame(
            [
                self.labels.gather(np.where(best > 0, keyed.slot_of(best), keyed.width)).alias(f)
                for f, best in zip(self.fields, chosen, strict=True)
            ]
        )
        return frame.to_struct("reasons")


def key_dtype(keyed: ReasonKeys) -> type[np.signedinteger]:
    """The smallest integer type that holds every key (int16 for most cards: less memory
    to go through in each round)."""
    for dtype in (np.int16, np.int32):
        if keyed.largest <= np.iinfo(dtype).max:
            return dtype
    return np.int64


KEYED_BLOCK_ROWS = 16_384
"""Rows keyed and ranked at once: a block's keys (2 bytes x contributions per row for most
cards) stay in the processor's cache through the rounds, where a batch of 1M rows did not
(0.42 s against 0.24 s for the float ranking at 1M rows x 68 rule-like contributions)."""


def keyed_top(keyed: ReasonKeys, columns: Sequence[np.ndarray], count: int) -> list[np.ndarray]:
    """Per round, each row's chosen key (0: none). `columns` are the keyed sources'
    contributions in slot order, float64 with NaN for a missing one."""
    rows = len(columns[0]) if columns else 0
    dtype = key_dtype(keyed)
    chosen = [np.zeros(rows, dtype=dtype) for _ in range(count)]
    step = min(KEYED_BLOCK_ROWS, max(rows, 1))
    below = np.empty(step, dtype=bool)
    masked = np.empty(step, dtype=dtype)
    for start in range(0, rows, step):
        stop = min(start + step, rows)
        size = stop - start
        block = [c[start:stop] if keyed.highest else -c[start:stop] for c in columns]
        generals = [s for s, src in zip(block, keyed.sources, strict=True) if src.keys is None]
        keys = [
            _source_keys(keyed, src, s, generals, dtype)
            for src, s in zip(keyed.sources, block, strict=True)
        ]
        _keyed_rounds(keys, [c[start:stop] for c in chosen], below[:size], masked[:size])
    return chosen


def _keyed_rounds(
    keys: Sequence[np.ndarray], chosen: Sequence[np.ndarray], below: np.ndarray, masked: np.ndarray
) -> None:
    """Fill `chosen` (zeros, one array per round) column by column: keys are distinct in a
    row, so each round takes the largest key below the last round's."""
    previous: np.ndarray | None = None
    for best in chosen:
        for key in keys:
            if previous is not None:
                np.less(key, previous, out=below)
                np.multiply(key, below, out=masked)
                np.maximum(best, masked, out=best)
            else:
                np.maximum(best, key, out=best)
        previous = best


def _source_keys(
    keyed: ReasonKeys,
    src: KeyedSource,
    strength: np.ndarray,
    generals: Sequence[np.ndarray],
    dtype: type[np.signedinteger],
) -> np.ndarray:
    """One source's keys for a batch (`engine.reason_keys`: 0 where not a candidate)."""
    if src.keys is not None:  # a key where the value is a candidate's (values are exact)
        (first, key), *others = src.keys
        out: np.ndarray = np.multiply(strength == keyed.strength(first), dtype(key))
        for value, key in others:
            out += (strength == keyed.strength(value)) * dtype(key)
        return out
    fixed = np.asarray(keyed.strengths, dtype=np.float64)
    below = np.searchsorted(fixed, strength, side="left")  # fixed strengths < this one
    if len(fixed):
        equal = fixed[np.minimum(below, len(fixed) - 1)] == strength
    else:
        equal = np.zeros(len(strength), dtype=bool)
    sub = np.zeros(len(strength), dtype=np.int64)
    for other in generals:
        if other is not strength:
            sub += other < strength
    spacing = keyed.spacing
    level = np.where(equal, (below + 1) * spacing, below * spacing + 1 + sub)
    keys = level * keyed.width + (keyed.width - 1 - src.slot)
    return np.where(strength > 0, keys, 0).astype(dtype)


def block_rows(width: int) -> int:
    """Rows per block of a `width`-column matrix of float64 (see BLOCK_BYTES)."""
    row_bytes = 8 * max(width, 1)
    least = min(MIN_BLOCK_ROWS, MAX_BLOCK_BYTES // row_bytes)
    return max(BLOCK_BYTES // row_bytes, least, 1)


def top_indices(columns: Sequence[np.ndarray], count: int, lowest: bool) -> list[np.ndarray]:
    """Per round, each row's chosen column index; `len(columns)` where there is none.

    Rows are taken in blocks copied column by column into one reused C-ordered buffer:
    the copy is the transposition, and it stays in the processor's cache (transposing the
    whole batch at once, or asking Polars for a C-ordered array, is several times slower).
    """
    width = len(columns)
    rows = len(columns[0]) if columns else 0
    chosen = [np.full(rows, width, dtype=np.uint32) for _ in range(count)]
    step = block_rows(width)
    buffer = np.empty((min(step, rows), width), dtype=np.float64)
    for start in range(0, rows, step):
        stop = min(start + step, rows)
        block = buffer[: stop - start]
        for j, column in enumerate(columns):
            block[:, j] = column[start:stop]
        if lowest:
            np.negative(block, out=block)
        np.fmax(block, 0.0, out=block)  # NaN (missing), 0 and the wrong sign become 0
        _rounds(block, [c[start:stop] for c in chosen])
    return chosen


def _rounds(keys: np.ndarray, chosen: Sequence[np.ndarray]) -> None:
    """Fill `chosen` (one array per round, preset to "none") from a block of keys >= 0."""
    flat = keys.reshape(-1)
    width = keys.shape[1]
    offsets = np.arange(keys.shape[0], dtype=np.int64) * width
    for out in chosen:
        best = np.argmax(keys, axis=1)
        where = offsets + best
        found = flat[where] > 0.0
        if not found.any():
            return
        np.copyto(out, best, where=found, casting="unsafe")
        flat[where] = 0.0
