"""Files end to end through the real `scorecard` process: outputs never replace inputs, nothing
half-written survives a signal, CSV rows are read exactly or refused with their line, and
every I/O problem a user can cause is an E8xx message with the path and the system's reason.

Expected scores are computed by hand from the card below, never by the engine. Independent
runs of one test start together (`run_all`): each is a separate process, as a user runs it.
test_csv_shape.py covers the CSV reader exhaustively, in process.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

SCORECARD = str(Path(sys.executable).parent / "scorecard")

CARD = """scorecard c { }
input {
  id   : string key
  age  : int
  city : string
}
rule old when age >= 60 then 10
bins city_pts on city {
  = "Paris" -> 5
  else      -> 0
}
score = 400 + points
"""

ROWS = [("a", 70, "Paris"), ("b", 30, "Lyon"), ("c", 65, "Lyon"), ("d", 20, "Paris")]
# By hand: 400 + (age >= 60 ? 10 : 0) + (city = Paris ? 5 : 0).
SCORES = {"a": 415.0, "b": 400.0, "c": 410.0, "d": 405.0}
CSV_TEXT = "id,age,city\n" + "".join(f"{i},{a},{c}\n" for i, a, c in ROWS)


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass(frozen=True)
class Cmd:
    args: Sequence[str]
    prefix: Sequence[str] = ()
    preexec: Callable[[], None] | None = None


def run_all(commands: Mapping[str, Cmd]) -> dict[str, Run]:
    """Start every command at once, then collect each one's status, stdout and stderr."""
    procs = {
        name: subprocess.Popen(
            [*c.prefix, SCORECARD, *c.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=c.preexec,
        )
        for name, c in commands.items()
    }
    results = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        results[name] = Run(proc.returncode, out.decode(), err.decode())
    return results


def run(*args: str) -> Run:
    return run_all({"": Cmd(args)})[""]


def clean(name: str, r: Run) -> None:
    assert "Traceback" not in r.err and "internal error" not in r.err, (name, r.err)


@pytest.fixture()
def card(tmp_path: Path) -> Path:
    path = tmp_path / "c.scorecard"
    path.write_text(CARD, encoding="utf-8")
    return path


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "in.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    return path


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


# ---- outputs never replace inputs ------------------------------------------------------------


@pytest.mark.slow  # whole processes
def test_an_output_never_replaces_an_input(tmp_path: Path, card: Path, data: Path) -> None:
    """The output names an input by another spelling: `..`, a symlink, a hard link."""
    link = tmp_path / "link.csv"
    link.symlink_to(data)
    hard = tmp_path / "hard.csv"
    os.link(data, hard)
    dotted = f"{data.parent}/../data/./{data.name}"
    sql = ["compile", str(card), "-d", "postgres", "-t", "t", "-o"]
    cases: dict[str, tuple[list[str], Path]] = {
        "apply -o ..": (["apply", str(card), str(data), "-o", dotted], data),
        "apply -o symlink": (["apply", str(card), str(data), "-o", str(link)], data),
        "apply -o hard link": (["apply", str(card), str(data), "-o", str(hard)], data),
        "apply from a symlink": (["apply", str(card), str(link), "-o", str(data)], data),
        "apply -o card": (["apply", str(card), str(data), "-o", f"{tmp_path}/./c.scorecard"], card),
        "compile -o card": ([*sql, f"{data.parent}/../c.scorecard"], card),
        "evaluate --html": (
            ["evaluate", str(card), str(data), "--target", "age", "--html", dotted],
            data,
        ),
        "stability --html": (
            ["stability", str(card), str(hard), str(link), "--html", str(data)],
            data,
        ),
        "fairness --html card": (
            ["fairness", str(card), str(data), "--by", "city", "--html", str(card)],
            card,
        ),
    }
    before = {p: p.read_bytes() for p in (card, data)}
    results = run_all({name: Cmd(args) for name, (args, _) in cases.items()})
    for name, (_, victim) in cases.items():
        r = results[name]
        assert r.code == 1 and "E804" in r.err, (name, r.err)
        assert victim.name in r.err, (name, r.err)  # the input is named, with the output
        clean(name, r)
    assert {p: p.read_bytes() for p in (card, data)} == before
    assert hidden(tmp_path) == []


def test_an_output_never_replaces_a_model(tmp_path: Path) -> None:
    from sklearn.linear_model import LinearRegression
    from skops.io import dump

    x = [[20.0], [30.0], [40.0], [50.0]]
    dump(LinearRegression().fit(x, [1.0, 2.0, 2.5, 4.0]), tmp_path / "m.skops")
    card = tmp_path / "m.scorecard"
    card.write_text(
        "scorecard m { }\ninput {\n  id : string key\n  age : float\n}\n"
        'model lin = sklearn "m.skops" {\n  features [age]\n  output prediction\n}\n'
        "score = lin\n",
        encoding="utf-8",
    )
    before = (tmp_path / "m.skops").read_bytes()
    r = run("compile", str(card), "-d", "duckdb", "-t", "t", "-o", str(tmp_path / "m.skops"))
    assert r.code == 1 and "E804" in r.err and "model file" in r.err, r.err
    assert (tmp_path / "m.skops").read_bytes() == before


def test_a_read_only_output_is_not_replaced(tmp_path: Path, card: Path, data: Path) -> None:
    out, sql, messy = tmp_path / "out.csv", tmp_path / "out.sql", tmp_path / "messy.scorecard"
    out.write_text("previous\n", encoding="utf-8")
    sql.write_text("previous\n", encoding="utf-8")
    unformatted = CARD.replace("  = ", "   = ")
    messy.write_text(unformatted, encoding="utf-8")
    for path in (out, sql, messy):
        path.chmod(0o444)
    results = run_all(
        {
            "apply": Cmd(["apply", str(card), str(data), "-o", str(out)]),
            "compile": Cmd(["compile", str(card), "-d", "postgres", "-t", "t", "-o", str(sql)]),
            "fmt": Cmd(["fmt", str(messy)]),
        }
    )
    for name, r in results.items():
        assert r.code == 1 and "E805" in r.err, (name, r.err)
        clean(name, r)
    assert out.read_text(encoding="utf-8") == sql.read_text(encoding="utf-8") == "previous\n"
    assert messy.read_text(encoding="utf-8") == unformatted
    assert {stat.S_IMODE(p.stat().st_mode) for p in (out, sql, messy)} == {0o444}
    assert hidden(tmp_path) == []


def test_sigterm_while_writing_leaves_nothing_behind(tmp_path: Path) -> None:
    """Terminate a streaming run mid-write: no temporary file stays, the output is untouched."""
    card = tmp_path / "c.scorecard"
    card.write_text(
        "scorecard c { }\ninput { id : int key\n x : float }\n"
        "let y = sqrt(abs(x)) + ln(abs(x) + 1.0)\nrule r when y > 3 then 1\n",
        encoding="utf-8",
    )
    n = 3_000_000
    big = tmp_path / "big.parquet"
    pl.DataFrame({"id": range(n), "x": pl.int_range(n, eager=True) * 0.37}).write_parquet(big)
    out = tmp_path / "out.csv"
    out.write_text("previous\n", encoding="utf-8")
    proc = subprocess.Popen(
        [SCORECARD, "apply", str(card), str(big), "-o", str(out), "--streaming"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def writing() -> bool:
        return any(p.is_file() and p.stat().st_size > 0 for p in tmp_path.rglob(".*/*")) or any(
            p.is_file() and p.stat().st_size > 0 for p in tmp_path.glob(".*")
        )

    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and not writing():
            if proc.poll() is not None:
                pytest.skip("the run finished before it could be terminated")
            time.sleep(0.005)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    assert code == 128 + signal.SIGTERM, (code, err)
    assert "terminated" in err
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.parquet", "c.scorecard", "out.csv"]


# ---- CSV rows read exactly or refused --------------------------------------------------------


def test_cr_line_endings_and_quoted_breaks_read_every_row(tmp_path: Path, card: Path) -> None:
    """A file saved by Excel for Mac (lone CR endings), and quoted separators, quotes and line
    breaks, which are values, not row breaks."""
    cr = tmp_path / "mac.csv"
    cr.write_bytes(CSV_TEXT.replace("\n", "\r").encode())
    quoted = tmp_path / "quoted.csv"
    quoted.write_bytes(
        b'id,age,city\r\n"a",70,Paris\r\n"b, the ""second""",30,"Ly\non"\r\n'
        b'"c\r\nx",65,"Lyon, ""Rh\xc3\xb4ne"""\r\n'
    )
    out_cr, out_quoted = tmp_path / "mac.out.csv", tmp_path / "quoted.out.csv"
    results = run_all(
        {
            "cr": Cmd(["apply", str(card), str(cr), "-o", str(out_cr)]),
            "quoted": Cmd(["apply", str(card), str(quoted), "-o", str(out_quoted)]),
        }
    )
    assert results["cr"].code == 0 and results["quoted"].code == 0, results
    frame = pl.read_csv(out_cr)
    assert dict(zip(frame["id"].to_list(), frame["score"].to_list(), strict=True)) == SCORES
    frame = pl.read_csv(out_quoted)
    assert frame["id"].to_list() == ["a", 'b, the "second"', "c\r\nx"]
    assert frame["score"].to_list() == [415.0, 400.0, 410.0]


@pytest.mark.slow  # whole processes
def test_ragged_rows_and_broken_lines_are_errors_with_their_line(
    tmp_path: Path, card: Path
) -> None:
    narrow = tmp_path / "k.scorecard"  # reads one column: Polars alone would not notice
    narrow.write_text("scorecard k { }\ninput { id : string key }\nscore = 1.0\n", encoding="utf-8")
    cases = {
        # name: (file text, card, code, text the message must hold)
        "short row": (
            "id,age,city\na,70,Paris\nb,30\nc,65,Lyon\n",
            card,
            "E815",
            "line 3: 2 fields",
        ),
        "extra field": ("id,age,city\na,70,Paris\nb,30,Lyon,x\n", card, "E815", "line 3: 4 fields"),
        "unquoted comma": ("id,age,city\na,70,Lyon, Rhone\n", narrow, "E815", "line 2: 4 fields"),
        "short, one column read": (
            "id,age,city\na,70,Paris\nb,30\n",
            narrow,
            "E815",
            "line 3: 2 fields",
        ),
        "short, CR endings": ("id,age,city\ra,70,Paris\rb,30\r", card, "E815", "line 3: 2 fields"),
        "lone CR": ("id,age,city\na,70,Paris\rb,30,Lyon\n", card, "E816", "(line 2)"),
        "open quote": ('id,age,city\na,70,Paris\nb,30,"Lyon\nc,65,Lyon\n', card, "E817", "line 3"),
    }
    commands = {}
    for i, (name, (text, used, _, _)) in enumerate(cases.items()):
        path = tmp_path / f"bad{i}.csv"
        path.write_bytes(text.encode())
        commands[name] = Cmd(["apply", str(used), str(path), "-o", "-"])
    results = run_all(commands)
    for i, (name, (_, _, code, needle)) in enumerate(cases.items()):
        r = results[name]
        assert r.code == 1 and r.out == "", (name, r.out, r.err)
        assert code in r.err and needle in r.err and f"bad{i}.csv" in r.err, (name, r.err)


# ---- every I/O problem is an E8xx message with the path and the reason ------------------------


@pytest.mark.slow  # whole processes
def test_unreadable_data_files(tmp_path: Path, card: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "zero.parquet").write_bytes(b"")
    whole = tmp_path / "whole.parquet"
    pl.DataFrame({"id": ["a"], "age": [70], "city": ["Paris"]}).write_parquet(whole)
    (tmp_path / "cut.parquet").write_bytes(whole.read_bytes()[:-40])
    (tmp_path / "text.parquet").write_text(CSV_TEXT, encoding="utf-8")
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "header.csv").write_text("id,age,city\n", encoding="utf-8")
    expected = {
        "empty.csv": ("E809", "empty"),
        "zero.parquet": ("E809", "empty"),
        "cut.parquet": ("E800", "Parquet"),
        "text.parquet": ("E800", "Parquet"),
        "folder.csv": ("E808", "Is a directory"),
        "missing.csv": ("E802", "does not exist"),
    }
    results = run_all(
        {
            name: Cmd(["apply", str(card), str(tmp_path / name), "-o", "-"])
            for name in [*expected, "header.csv"]
        }
    )
    for name, (code, reason) in expected.items():
        r = results[name]
        assert r.code == 1 and code in r.err and reason in r.err and name in r.err, (name, r.err)
        clean(name, r)
    header = results["header.csv"]  # a header and no rows: a run over no rows
    assert header.code == 0 and header.out == "id,score,excluded\n", header.err


@pytest.mark.slow  # whole processes
def test_output_problems(tmp_path: Path, card: Path, data: Path) -> None:
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "folder.html").mkdir()
    sql = ["compile", str(card), "-d", "postgres", "-t", "t", "-o"]
    html = ["evaluate", str(card), str(data), "--target", "age", "--html"]
    cases = {
        "folder as -o": (["apply", str(card), str(data), "-o", f"{tmp_path}/folder.csv"], "E806"),
        "folder as --html": ([*html, f"{tmp_path}/folder.html"], "E806"),
        "no such folder": (["apply", str(card), str(data), "-o", f"{tmp_path}/no/x.csv"], "E803"),
        "a file as folder": ([*sql, f"{data}/x.sql"], "E803"),
    }
    results = run_all({name: Cmd(args) for name, (args, _) in cases.items()})
    for name, (args, code) in cases.items():
        r = results[name]
        assert r.code == 1 and code in r.err, (name, r.err)
        assert Path(args[-1]).parent.name in r.err or Path(args[-1]).name in r.err, (name, r.err)
        clean(name, r)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "c.scorecard",
        "data",
        "folder.csv",
        "folder.html",
    ]


@pytest.fixture()
def dev_full() -> Iterator[Path]:
    device = Path("/dev/full")
    if not device.exists() or not stat.S_ISCHR(device.stat().st_mode):
        pytest.skip("no /dev/full here")
    yield device


@pytest.mark.slow  # whole processes
def test_full_disk_and_file_size_limit(
    tmp_path: Path, card: Path, data: Path, dev_full: Path
) -> None:
    """Writes that fail with ENOSPC (/dev/full, reached through links so no run can replace
    the device itself) and EFBIG (a file-size limit, SIGXFSZ ignored as Python does)."""
    csv_link, sql_link = tmp_path / "full.csv", tmp_path / "full.sql"
    csv_link.symlink_to(dev_full)
    sql_link.symlink_to(dev_full)
    big = tmp_path / "big.csv"
    n = 20_000
    pl.DataFrame(
        {"id": [f"k{i}" for i in range(n)], "age": [i % 90 for i in range(n)], "city": "Paris"}
    ).write_csv(big)
    out = tmp_path / "out.csv"
    out.write_text("previous\n", encoding="utf-8")

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    sql = ["compile", str(card), "-d", "postgres", "-t", "t", "-o"]
    cases = {
        "apply, full disk": (
            Cmd(["apply", str(card), str(data), "-o", str(csv_link)]),
            "full.csv",
            "No space left on device",
        ),
        "compile, full disk": (Cmd([*sql, str(sql_link)]), "full.sql", "No space left on device"),
        "apply, size limit": (
            Cmd(["apply", str(card), str(big), "-o", str(out)], preexec=limit),
            "out.csv",
            "File too large",
        ),
    }
    results = run_all({name: c for name, (c, _, _) in cases.items()})
    for name, (_, path, reason) in cases.items():
        r = results[name]
        assert r.code == 1 and "E807" in r.err and reason in r.err and path in r.err, (name, r.err)
        clean(name, r)
    assert csv_link.is_symlink() and sql_link.is_symlink() and stat.S_ISCHR(dev_full.stat().st_mode)
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert hidden(tmp_path) == []


class _Unpickles:
    """Unpickles by calling `fn(*args)`: a pinned file whose loading fails in its own way."""

    def __init__(self, fn: Callable[..., object], *args: object) -> None:
        self.fn, self.args = fn, args

    def __reduce__(self) -> tuple[Callable[..., object], tuple[object, ...]]:
        return self.fn, self.args


def _pinned_pickle_card(folder: Path, name: str, payload: object) -> Path:
    blob = pickle.dumps(payload)
    (folder / f"{name}.pkl").write_bytes(blob)
    card = folder / f"{name}.scorecard"
    card.write_text(
        "scorecard m { }\ninput {\n  id : string key\n  age : int\n}\n"
        f'model mm = sklearn "{name}.pkl" {{\n  features [age]\n  output prediction\n'
        f'  sha256 "{hashlib.sha256(blob).hexdigest()}"\n}}\nscore = 400 + mm\n',
        encoding="utf-8",
    )
    return card


@pytest.mark.slow  # whole processes
def test_a_pinned_pickle_that_fails_to_load(tmp_path: Path, data: Path) -> None:
    exits = _pinned_pickle_card(tmp_path, "exits", _Unpickles(sys.exit, 3))
    number = _pinned_pickle_card(tmp_path, "number", 42)
    cases = {
        "exits, apply": (["apply", str(exits), str(data), "-o", "-"], "exits.pkl"),
        "not a model, check": (["check", str(number)], "number.pkl"),
    }
    results = run_all({name: Cmd(args) for name, (args, _) in cases.items()})
    for name, (_, file) in cases.items():
        r = results[name]
        assert r.code == 1 and "E609" in r.err and file in r.err, (name, r.err)
        clean(name, r)


def _without_privilege() -> tuple[str, ...]:
    """A command prefix under which file permissions apply: as root, the capabilities that
    bypass them are dropped (setpriv); as anyone else, nothing is needed."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    caps = "-dac_override,-dac_read_search"
    return (setpriv, "--bounding-set", caps, "--inh-caps", caps)


@pytest.mark.slow  # whole processes
def test_cards_and_files_that_cannot_be_read(tmp_path: Path, card: Path, data: Path) -> None:
    """Exit status 1 and the path, never a usage error (2): a card without read permission, a
    folder, bytes that are not UTF-8; data without read permission; a folder closed to writing."""
    (tmp_path / "folder.scorecard").mkdir()
    latin1 = tmp_path / "latin1.scorecard"
    latin1.write_bytes(CARD.replace("Paris", "Par\xeds").encode("latin-1"))
    secret_card, secret_data = tmp_path / "secret.scorecard", tmp_path / "secret.csv"
    secret_card.write_text(CARD, encoding="utf-8")
    secret_data.write_text(CSV_TEXT, encoding="utf-8")
    closed = tmp_path / "closed"
    closed.mkdir()
    secret_card.chmod(0o000)
    secret_data.chmod(0o000)
    closed.chmod(0o555)
    p = _without_privilege()
    cases = {
        "check, no permission": (Cmd(["check", str(secret_card)], p), "E001", "Permission denied"),
        "apply, no permission": (
            Cmd(["apply", str(secret_card), str(data)], p),
            "E001",
            "secret.scorecard",
        ),
        "fmt, folder": (Cmd(["fmt", f"{tmp_path}/folder.scorecard"]), "E001", "folder.scorecard"),
        "compile, latin-1": (
            Cmd(["compile", str(latin1), "-d", "duckdb", "-t", "t"]),
            "E002",
            "latin1.scorecard",
        ),
        "data, no permission": (
            Cmd(["apply", str(card), str(secret_data), "-o", "-"], p),
            "E808",
            "Permission denied",
        ),
        "closed folder": (
            Cmd(["apply", str(card), str(data), "-o", f"{closed}/o.csv"], p),
            "E807",
            "Permission denied",
        ),
    }
    results = run_all({name: c for name, (c, _, _) in cases.items()})
    for name, (_, code, needle) in cases.items():
        r = results[name]
        assert r.code == 1 and code in r.err and needle in r.err, (name, r.err)
    assert "secret.csv" in results["data, no permission"].err
    assert "closed" in results["closed folder"].err and list(closed.iterdir()) == []
