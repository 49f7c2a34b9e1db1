"""The shape of a CSV file, checked on its raw bytes before Polars reads it.

Polars fills a record that has too few fields with nulls, drops the fields of a record that
has too many when only some columns are read, and reads a file whose lines end with a lone
carriage return (Excel for Mac) as a single line. Each of these would score rows silently
wrong. This pass reads the file once, in blocks of `BLOCK_BYTES`, and finds:

- the line ending: `\\n` (or `\\r\\n`), or a lone `\\r` (the file is then read with that ending);
- every record whose number of fields differs from the header's (short, long or empty);
- a line ending of the other kind outside quotes (a file with mixed endings);
- a quoted field that is still open at the end of the file.

Quotes follow RFC 4180 and Polars: a `"` opens or closes a quoted field wherever it stands
(`""` inside one is a quote character), and separators and line breaks between an opening and
a closing quote are data. Line numbers count physical lines from 1 (the header is line 1), so
a quoted line break moves the next record down a line, as in an editor.

The counting is vectorised with numpy: the positions of quotes, separators and line breaks
per block, the separators and breaks between an opening and a closing quote set aside; a block whose records all have the header's field count is accepted with one check of
how separators and record ends interleave, and only a block that fails is examined record by
record for the message.
"""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

BLOCK_BYTES = 1 << 23
LONGEST_QUOTED = 1 << 26
"""A quoted field still open after this many bytes is taken as a quote never closed (reading
on would hold the rest of the file in memory)."""
EXAMPLES = 5
SNIPPET = 60

_QUOTE = 0x22
COMMA = 0x2C
_LF = 0x0A
_CR = 0x0D

Positions = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A record whose field count differs from the header's."""

    line: int
    """The physical line the record starts on (the header is line 1)."""
    fields: int
    text: str
    """The start of the record as written, for the message."""

    @property
    def blank(self) -> bool:
        return self.text in ("", "\r")


@dataclass(frozen=True, slots=True)
class NotUtf8:
    """Where a file stops being UTF-8: the byte offset (from 0), its line and the bytes."""

    offset: int
    line: int
    bad: bytes


@dataclass
class CsvShape:
    """What the pass found; `ok` when Polars can read the file exactly as written."""

    line_ending: str = "\n"
    columns: int = 0
    rows: int = 0
    ragged: list[BadRecord] = field(default_factory=list)
    ragged_count: int = 0
    stray_endings: list[int] = field(default_factory=list)
    """Lines holding a line ending of the other kind outside quotes."""
    stray_count: int = 0
    unclosed_quote_line: int | None = None
    not_utf8: NotUtf8 | None = None
    """The first byte sequence that is not UTF-8 (only looked for when asked)."""

    @property
    def ok(self) -> bool:
        return not self.ragged_count and not self.stray_count and self.unclosed_quote_line is None


def inspect(path: Path, separator: int = COMMA, check_utf8: bool = False) -> CsvShape:
    """Read `path` once and report its shape (OSError if it cannot be read).

    With `check_utf8`, the bytes are also decoded as UTF-8 on the way, and the first sequence
    that is not UTF-8 is kept in `not_utf8` (the reader then names the byte and its line
    instead of Polars' bare "invalid utf-8 sequence")."""
    with path.open("rb") as handle:
        return _inspect(handle, separator, check_utf8)


def inspect_bytes(data: bytes, separator: int = COMMA) -> CsvShape:
    """`inspect` for a file already in memory (one transcoded to UTF-8)."""
    return _inspect(io.BytesIO(data), separator, False)


def _inspect(handle: BinaryIO, separator: int, check_utf8: bool) -> CsvShape:
    scanner = _Scanner(separator)
    decoder = codecs.getincrementaldecoder("utf-8")() if check_utf8 else None
    offset = 0
    lines_before = 0
    carry = b""
    while chunk := handle.read(BLOCK_BYTES):
        if decoder is not None:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                scanner.shape.not_utf8 = _not_utf8(chunk, exc, offset, lines_before)
                decoder = None
            lines_before += chunk.count(b"\n")
            offset += len(chunk)
        carry = scanner.feed(carry + chunk)
        if len(carry) > LONGEST_QUOTED and carry.count(b'"') % 2:
            scanner.shape.unclosed_quote_line = scanner.line
            return scanner.shape
    if decoder is not None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            scanner.shape.not_utf8 = NotUtf8(offset - 1, lines_before + 1, b"")
    scanner.finish(carry)
    return scanner.shape


def _not_utf8(chunk: bytes, exc: UnicodeDecodeError, offset: int, lines_before: int) -> NotUtf8:
    # The decoder holds back up to 3 bytes of the previous block and decodes them first.
    held = len(exc.object) - len(chunk)
    start = exc.start - held
    line = lines_before + chunk.count(b"\n", 0, max(start, 0)) + 1
    bad = bytes(exc.object[exc.start : max(exc.end, exc.start + 1)])
    return NotUtf8(offset + start, line, bad)


def _sniff_line_ending(data: bytes) -> str:
    """`\\r` when the header ends with a lone carriage return, else `\\n`."""
    start = 0
    while True:
        lf, cr = data.find(b"\n", start), data.find(b"\r", start)
        found = [p for p in (lf, cr) if p >= 0]
        if not found:
            return "\n"
        pos = min(found)
        if data.count(b'"', 0, pos) % 2 == 0:
            return "\r" if pos == cr and data[pos + 1 : pos + 2] != b"\n" else "\n"
        start = pos + 1


class _Scanner:
    """Feeds blocks that start on a record boundary; keeps the running line and row counts."""

    def __init__(self, separator: int = COMMA) -> None:
        self.sep = separator
        self.shape = CsvShape()
        self.line = 1
        """The physical line the next block starts on."""
        self.header_seen = False
        self.eol = _LF

    def feed(self, data: bytes) -> bytes:
        """Check every complete record of `data`; return the incomplete tail to carry."""
        if not self.header_seen:
            self.shape.line_ending = _sniff_line_ending(data)
            self.eol = _CR if self.shape.line_ending == "\r" else _LF
        buf = np.frombuffer(data, dtype=np.uint8)
        if b'"' in data:
            quotes, breaks, record_ends, separators = self._quoted_positions(buf)
        else:
            quotes = None
            breaks = record_ends = np.flatnonzero(buf == self.eol)
            separators = np.flatnonzero(buf == self.sep)
        if record_ends.size == 0:
            return data
        end = int(record_ends[-1]) + 1
        if quotes is not None:
            quotes = quotes[quotes < end]
        self._check(
            data[:end],
            buf[:end],
            quotes,
            breaks[breaks < end],
            record_ends,
            separators[separators < end],
        )
        return data[end:]

    def _quoted_positions(
        self, buf: npt.NDArray[np.uint8]
    ) -> tuple[Positions, Positions, Positions, Positions]:
        """Quotes, line breaks, record ends and separators of a block holding quotes.

        Only the positions of the three special bytes are kept, in order; a running parity of
        the quotes among them tells which separators and breaks are inside a quoted field."""
        positions = np.flatnonzero((buf == _QUOTE) | (buf == self.sep) | (buf == self.eol))
        kinds = buf[positions]
        is_quote = kinds == _QUOTE
        parity = np.bitwise_and(np.cumsum(is_quote, dtype=np.uint8), np.uint8(1))
        outside = parity == 0
        is_break = kinds == self.eol
        return (
            positions[is_quote],
            positions[is_break],
            positions[is_break & outside],
            positions[(kinds == self.sep) & outside],
        )

    def finish(self, tail: bytes) -> None:
        """The last record, when the file does not end with a line ending."""
        if not tail:
            return
        if tail.count(b'"') % 2:
            self.shape.unclosed_quote_line = self.line
            return
        self.feed(tail + bytes([self.eol]))

    def _check(
        self,
        block: bytes,
        buf: npt.NDArray[np.uint8],
        quotes: Positions | None,
        breaks: Positions,
        record_ends: Positions,
        separators: Positions,
    ) -> None:
        first = 0
        if not self.header_seen:
            self.header_seen = True
            self.shape.columns = int(np.searchsorted(separators, record_ends[0])) + 1
            first = 1
        k = self.shape.columns - 1
        ends = record_ends[first:]
        seps = separators[np.searchsorted(separators, record_ends[0]) :] if first else separators
        if ends.size and not _interleaved(seps, ends, k):
            self._report_ragged(block, breaks, record_ends, separators, first)
        self._check_endings(block, buf, quotes, breaks)
        self.shape.rows += int(ends.size)
        self.line += int(breaks.size)

    def _report_ragged(
        self,
        block: bytes,
        breaks: Positions,
        record_ends: Positions,
        separators: Positions,
        first: int,
    ) -> None:
        counts = np.diff(np.searchsorted(separators, record_ends), prepend=0) + 1
        starts = np.concatenate(([0], record_ends[:-1] + 1))
        bad = np.flatnonzero(counts != self.shape.columns)
        bad = bad[bad >= first]
        self.shape.ragged_count += int(bad.size)
        room = EXAMPLES - len(self.shape.ragged)
        for i in bad[: max(room, 0)]:
            start, stop = int(starts[i]), int(record_ends[i])
            text = block[start : min(stop, start + SNIPPET)].decode("utf-8", "replace")
            line = self.line + int(np.searchsorted(breaks, start))
            self.shape.ragged.append(BadRecord(line, int(counts[i]), text))

    def _check_endings(
        self, block: bytes, buf: npt.NDArray[np.uint8], quotes: Positions | None, breaks: Positions
    ) -> None:
        """Line endings of the other kind, outside quotes: lone `\\r` in an `\\n` file, or
        `\\n` in a `\\r` file."""
        if self.eol == _LF:
            if b"\r" not in block or block.count(b"\r") == block.count(b"\r\n"):
                return
            crs = _outside(np.flatnonzero(buf == _CR), quotes)
            stray = crs[buf[np.minimum(crs + 1, len(buf) - 1)] != _LF]
        else:
            if b"\n" not in block:
                return
            stray = _outside(np.flatnonzero(buf == _LF), quotes)
        if not stray.size:
            return
        lines = self.line + np.searchsorted(breaks, stray)
        self.shape.stray_count += int(np.unique(lines).size)
        room = EXAMPLES - len(self.shape.stray_endings)
        self.shape.stray_endings.extend(int(n) for n in np.unique(lines)[: max(room, 0)])


def _outside(positions: Positions, quotes: Positions | None) -> Positions:
    """The positions outside any quoted field, given every quote's position in a block that
    starts outside quotes: quotes pair up (open, close), and a last unpaired one stays open.

    Work is proportional to the number of positions and quotes, not to the block's bytes: for
    each quote, the count of positions before it; a position is inside when it comes after an
    opening quote and before its closing one."""
    if quotes is None or not quotes.size or not positions.size:
        return positions
    before = np.searchsorted(positions, quotes)
    paired = quotes.size - quotes.size % 2
    opens, closes = before[0:paired:2], before[1:paired:2]
    open_tail = int(before[-1]) if quotes.size % 2 else positions.size
    if open_tail == positions.size and bool((opens == closes).all()):
        return positions  # no quoted field holds any of them: the common case
    edges = np.bincount(opens, minlength=positions.size + 1)
    edges -= np.bincount(closes, minlength=positions.size + 1)
    inside = np.cumsum(edges[: positions.size]) > 0
    inside[open_tail:] = True
    return positions[~inside]


def _interleaved(separators: Positions, ends: Positions, k: int) -> bool:
    """True when each record (ending at `ends`, starting after the previous end) holds exactly
    `k` of `separators`: there are k per record and each record's first and last fall between
    its ends."""
    if separators.size != k * ends.size:
        return False
    if k == 0:
        return True
    grid = separators.reshape(ends.size, k)
    return bool((grid[:, -1] < ends).all() and (grid[1:, 0] > ends[:-1]).all())
