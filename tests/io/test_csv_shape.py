"""CSV files read exactly as written, or refused with the line of the first bad record.

Tables of awkward text (separators, quotes, CR and LF inside values, empty and missing values)
are written by a writer in this file (RFC 4180 quoting, each of the three line endings), and
read back with `engine.io.tables.scan`; the expected rows are the generated values themselves.
Bad records are made by editing one record of a good file, and the line the message must name
is counted in the written text. Blocks are made tiny so records straddle block boundaries.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.diagnostics import ScorecardError
from engine.io import csv_shape
from engine.io import tables as io
from tests.profiles import examples

Value = str | None
ENDINGS = ["\n", "\r\n", "\r"]

values = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from([",", '"', "\r", "\n", " ", "a", "Z", "é", "7"]), max_size=6),
)


@st.composite
def tables(draw: st.DrawFn, min_rows: int = 0) -> list[list[Value]]:
    width = draw(st.integers(2, 5))
    rows = draw(st.lists(st.lists(values, min_size=width, max_size=width), min_size=min_rows))
    return [[f"c{i}" for i in range(width)], *rows]


def field(value: Value) -> str:
    """None is an empty field (missing); any text with a special character, or empty text,
    is quoted with quotes doubled."""
    if value is None:
        return ""
    if value == "" or any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def record(row: list[Value]) -> str:
    return ",".join(field(v) for v in row)


_names = itertools.count()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("csv")


@pytest.fixture(autouse=True)
def tiny_blocks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(csv_shape, "BLOCK_BYTES", 7)
    yield


def write(folder: Path, text: str) -> Path:
    path = folder / f"t{next(_names)}.csv"  # a new file each time: no cached shape applies
    path.write_bytes(text.encode())
    return path


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(table=tables(), ending=st.sampled_from(ENDINGS), final_ending=st.booleans())
def test_every_value_reads_back_as_written(
    folder: Path, table: list[list[Value]], ending: str, final_ending: bool
) -> None:
    header, *rows = table
    text = ending.join(record(r) for r in table) + (ending if final_ending else "")
    frame = io.scan(write(folder, text)).collect()
    assert frame.columns == header
    assert [list(r) for r in frame.rows()] == rows


@st.composite
def damaged(draw: st.DrawFn) -> tuple[str, int, int, str]:
    """A good file with one record made short, long or empty: (text, line, fields, ending)."""
    header, *rows = draw(tables(min_rows=1))
    ending = draw(st.sampled_from(ENDINGS))
    target = draw(st.integers(0, len(rows) - 1))
    how = draw(st.sampled_from(["short", "long", "empty"]))
    records = [record(header), *(record(r) for r in rows)]
    bad = target + 1
    if how == "short":
        records[bad] = record(rows[target][:-1])
        fields = len(header) - 1
    elif how == "long":
        records[bad] = records[bad] + ",x"
        fields = len(header) + 1
    else:
        records[bad] = ""
        fields = 1
    text = ending.join(records) + ending
    before = ending.join(records[:bad]) + ending
    line = before.count("\r" if ending == "\r" else "\n") + 1
    return text, line, fields, ending


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=damaged())
def test_a_damaged_record_is_named_by_its_line(
    folder: Path, case: tuple[str, int, int, str]
) -> None:
    text, line, fields, _ = case
    with pytest.raises(ScorecardError) as caught:
        io.scan(write(folder, text))
    (problem,) = caught.value.diagnostics
    assert problem.code == "E815"
    found = re.findall(r"line (\d+): (\d+) fields?", problem.message)
    assert (str(line), str(fields)) in found, problem.message


def test_line_endings_of_the_other_kind_are_refused(folder: Path) -> None:
    cases = {
        "id,x\na,1\rb,2\nc,3\n": 2,  # a lone CR in an LF file
        'id,x\n"a\rq",1\nb,2\rc,3\n': 3,  # the quoted CR is data; the other is not
        "id,x\ra,1\nb,2\r": 2,  # an LF in a CR file
    }
    for text, line in cases.items():
        with pytest.raises(ScorecardError) as caught:
            io.scan(write(folder, text))
        (problem,) = caught.value.diagnostics
        assert problem.code == "E816" and f"(line {line})" in problem.message, problem.message


def test_a_quote_never_closed_is_named_by_its_line(folder: Path) -> None:
    with pytest.raises(ScorecardError) as caught:
        io.scan(write(folder, 'id,x\na,1\n"b,2\nc,3\n'))
    (problem,) = caught.value.diagnostics
    assert problem.code == "E817" and "line 3" in problem.message
