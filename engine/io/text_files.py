"""The text of a CSV file: its encoding, its separator, and the hints when either is wrong.

A byte order mark says the encoding and wins over `--encoding` (a UTF-8 BOM is what Excel's
"CSV UTF-8" writes; a UTF-16 one is what its "Unicode text" writes). Without one, the file is
read in the encoding asked for, UTF-8 by default. A file read as UTF-8 that is not is E841,
naming the first bad byte, its offset and line, and the encoding it most likely is; a file
that is not in the encoding asked for is E842. A header without the separator but with another
likely one (`;`, tab, `|`) is E840, which names the option that fixes it.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from engine.diagnostics import Diagnostic, ScorecardError, error
from engine.io.csv_shape import NotUtf8
from engine.io.reading import ReadOptions

BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
HEAD_BYTES = 1 << 16
CANDIDATES = (";", "\t", "|", ",")
_DECIMAL = re.compile(r"(^|[;\t|])\s*-?\d+,\d+\s*($|[;\t|])", re.MULTILINE)


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def encoding_of(path: Path, options: ReadOptions) -> str:
    """The Python codec to read `path` with: its byte order mark's, else the options'."""
    head = _head(path)
    for bom, name in BOMS:
        if head.startswith(bom):
            return name
    return options.codec


def transcode(path: Path, encoding: str, options: ReadOptions) -> bytes:
    """The file's text as UTF-8 bytes (a BOM dropped), or E842 at the first byte that is not
    `encoding`."""
    raw = path.read_bytes()
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ScorecardError(
            [
                error(
                    "E842",
                    f"{path}: byte {_hex(raw[exc.start : exc.end])} at offset {exc.start} "
                    f"(line {line}) cannot be read as {options.encoding}: {exc.reason}",
                    None,
                    "give the file's encoding with --encoding (utf-8, cp1252, latin-1, utf-16)",
                )
            ]
        ) from None
    return text.removeprefix("\ufeff").encode("utf-8")


def not_utf8(name: str, where: NotUtf8) -> Diagnostic:
    """E841: the file is read as UTF-8 and is not; the encoding it most likely is, as a hint."""
    return error(
        "E841",
        f"{name}: byte {_hex(where.bad)} at offset {where.offset} (line {where.line}) is not "
        "UTF-8: the file is in another encoding",
        None,
        _encoding_hint(where.bad),
    )


def _encoding_hint(bad: bytes) -> str:
    if b"\x00" in bad:
        return "it looks like UTF-16 without a byte order mark: use --encoding utf-16le"
    try:
        shown = bad.decode("cp1252")
    except UnicodeDecodeError:
        shown = ""
    word = f" (byte {_hex(bad[:1])} is {shown[:1]!r} there)" if shown else ""
    return (
        "files saved by Excel or Windows are usually Windows-1252"
        f'{word}: use --encoding cp1252 (or encoding = "cp1252" under [read] in '
        "scorecard.toml)"
    )


def _hex(data: bytes) -> str:
    return " ".join(f"0x{b:02X}" for b in data) or "(end of file)"


def check_separator(path: Path, content: Path | bytes, options: ReadOptions) -> None:
    """E840 when the header holds no separator but another likely one: the message names it
    (and `--decimal-comma` too when the rows hold numbers written `1234,5`)."""
    head = content[:HEAD_BYTES] if isinstance(content, bytes) else _head(path)
    text = head.decode("utf-8", "replace").removeprefix("\ufeff")
    header = text.split("\n", 1)[0].rstrip("\r")
    if options.sep in header:
        return
    counts = {c: header.count(c) for c in CANDIDATES if c != options.sep}
    found = max(counts, key=lambda c: counts[c])
    if not counts[found]:
        return
    shown = "tab" if found == "\t" else repr(found)
    fix = f"--sep {shown if found != chr(9) else 'tab'}"
    if found == ";" and not options.decimal_comma and _DECIMAL.search(text):
        fix += " --decimal-comma (the numbers are written with a decimal comma)"
    raise ScorecardError(
        [
            error(
                "E840",
                f"{path}: the header has no {options.sep!r} but {counts[found]} {shown}: "
                f"the file looks separated by {shown}",
                None,
                f"use {fix}, or set sep under [read] in scorecard.toml beside the card",
            )
        ]
    )
