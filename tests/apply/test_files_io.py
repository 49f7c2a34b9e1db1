"""Files end to end through the real `scorecard` process: outputs never replace inputs, nothing
half-written survives a signal, CSV rows are read exactly or refused with their line, and
every I/O problem a user can cause is an E8xx message with the path and the system's reason.

Expected scores are computed by hand from the card below, never by the engine.
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
import tempfile
import time
from collections.abc import Callable, Iterator
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


def run(
    *args: str,
    preexec: Callable[[], None] | None = None,
    prefix: tuple[str, ...] = (),
) -> Run:
    """The CLI as a separate process, as a user runs it."""
    proc = subprocess.run(
        [*prefix, SCORECARD, *args],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=preexec,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def scores_of(text: str) -> dict[str, float]:
    frame = pl.read_csv(text.encode())
    return dict(zip(frame["id"].to_list(), frame["score"].to_list(), strict=True))


def no_traceback(r: Run) -> None:
    assert "Traceback" not in r.err and "internal error" not in r.err, r.err


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


# ---- outputs never replace inputs ------------------------------------------------------------


def _same_file_cases(tmp_path: Path, card: Path, data: Path) -> dict[str, tuple[list[str], Path]]:
    """Commands whose output names one of their inputs, by another spelling; the input."""
    link = tmp_path / "link.csv"
    link.symlink_to(data)
    hard = tmp_path / "hard.csv"
    os.link(data, hard)
    dotted = f"{data.parent}/../data/./{data.name}"
    return {
        "apply -o dotdot": (["apply", str(card), str(data), "-o", dotted], data),
        "apply -o symlink": (["apply", str(card), str(data), "-o", str(link)], data),
        "apply -o hard link": (["apply", str(card), str(data), "-o", str(hard)], data),
        "apply data via symlink": (["apply", str(card), str(link), "-o", str(data)], data),
        "compile -o card": (
            ["compile", str(card), "-d", "postgres", "-t", "t", "-o", f"{tmp_path}/./c.scorecard"],
            card,
        ),
        "evaluate --html data": (
            ["evaluate", str(card), str(data), "--target", "age", "--html", dotted],
            data,
        ),
        "stability --html current": (
            ["stability", str(card), str(data), str(link), "--html", str(data)],
            data,
        ),
    }


CASES = [
    "apply -o dotdot",
    "apply -o symlink",
    "apply -o hard link",
    "apply data via symlink",
    "compile -o card",
    "evaluate --html data",
    "stability --html current",
]


@pytest.mark.parametrize("case", CASES)
def test_an_output_never_replaces_an_input(
    case: str, tmp_path: Path, card: Path, data: Path
) -> None:
    args, victim = _same_file_cases(tmp_path, card, data)[case]
    before = victim.read_bytes()
    r = run(*args)
    assert r.code == 1, r.err
    assert "E804" in r.err, r.err
    no_traceback(r)
    assert victim.read_bytes() == before
    assert victim.name in r.err  # both paths are named
    assert not [p for p in victim.parent.iterdir() if p.name.startswith(".")]


def test_an_output_never_replaces_a_model(tmp_path: Path) -> None:
    from sklearn.linear_model import LinearRegression
    from skops.io import dump

    x = pl.DataFrame({"age": [20.0, 30.0, 40.0, 50.0]})
    model = LinearRegression().fit(x.to_numpy(), [1.0, 2.0, 2.5, 4.0])
    dump(model, tmp_path / "m.skops")
    card = tmp_path / "m.scorecard"
    card.write_text(
        "scorecard m { }\ninput {\n  id : string key\n  age : float\n}\n"
        'model lin = sklearn "m.skops" {\n  features [age]\n  output prediction\n}\n'
        "score = lin\n",
        encoding="utf-8",
    )
    before = (tmp_path / "m.skops").read_bytes()
    r = run("compile", str(card), "-d", "duckdb", "-t", "t", "-o", str(tmp_path / "m.skops"))
    assert r.code == 1 and "E804" in r.err and "m.skops" in r.err, r.err
    assert (tmp_path / "m.skops").read_bytes() == before


def test_a_read_only_output_is_not_replaced(tmp_path: Path, card: Path, data: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("previous\n", encoding="utf-8")
    out.chmod(0o444)
    sql = tmp_path / "out.sql"
    sql.write_text("previous\n", encoding="utf-8")
    sql.chmod(0o444)
    r = run("apply", str(card), str(data), "-o", str(out))
    assert r.code == 1 and "E805" in r.err and "out.csv" in r.err, r.err
    r2 = run("compile", str(card), "-d", "postgres", "-t", "t", "-o", str(sql))
    assert r2.code == 1 and "E805" in r2.err, r2.err
    (tmp_path / "c2.scorecard").write_text(CARD.replace("  = ", "   = "), encoding="utf-8")
    messy = tmp_path / "c2.scorecard"
    messy.chmod(0o444)
    r3 = run("fmt", str(messy))
    assert r3.code == 1 and "E805" in r3.err, r3.err
    for path, text in ((out, "previous\n"), (sql, "previous\n")):
        assert path.read_text(encoding="utf-8") == text
        assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert messy.read_text(encoding="utf-8") == CARD.replace("  = ", "   = ")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


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
        for p in tmp_path.rglob(".*"):
            files = [p] if p.is_file() else [f for f in p.rglob("*") if f.is_file()]
            if any(f.stat().st_size > 0 for f in files):
                return True
        return False

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


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"])
def test_every_line_ending_reads_every_row(ending: str, tmp_path: Path, card: Path) -> None:
    path = tmp_path / "endings.csv"
    path.write_bytes(CSV_TEXT.replace("\n", ending).encode())
    r = run("apply", str(card), str(path), "-o", "-")
    assert r.code == 0, r.err
    assert scores_of(r.out) == SCORES


def test_quoted_separators_and_line_breaks_are_data(tmp_path: Path, card: Path) -> None:
    """Commas, quotes and line breaks inside quoted fields are values, not row breaks."""
    path = tmp_path / "quoted.csv"
    path.write_bytes(
        b'id,age,city\r\n"a",70,Paris\r\n"b, the ""second""",30,"Ly\non"\r\n'
        b'"c\r\nx",65,"Lyon, ""Rh\xc3\xb4ne"""\r\n'
    )
    out = tmp_path / "out.csv"
    r = run("apply", str(card), str(path), "-o", str(out))
    assert r.code == 0, r.err
    frame = pl.read_csv(out)
    assert frame["id"].to_list() == ["a", 'b, the "second"', "c\r\nx"]
    assert frame["score"].to_list() == [415.0, 400.0, 410.0]


RAGGED = {
    # name: (file text, line named in the message, fields found)
    "short row": ("id,age,city\na,70,Paris\nb,30\nc,65,Lyon\n", 3, 2),
    "extra field": ("id,age,city\na,70,Paris\nb,30,Lyon,x\nc,65,Lyon\n", 3, 4),
    "unquoted comma": ("id,age,city\na,70,Paris\nb,30,Lyon, Rhone\nc,65,Lyon\n", 3, 4),
    "empty line": ("id,age,city\na,70,Paris\n\nc,65,Lyon\n", 3, 1),
    "short after a quoted break": ('id,age,city\n"a\nb",70,Paris\nc,65\n', 4, 2),
    "short last line, no newline": ("id,age,city\na,70,Paris\nc,65", 3, 2),
    "short row, CR endings": ("id,age,city\ra,70,Paris\rb,30\r", 3, 2),
}


@pytest.mark.parametrize("case", sorted(RAGGED))
def test_a_ragged_row_is_an_error_with_its_line(case: str, tmp_path: Path, card: Path) -> None:
    text, line, fields = RAGGED[case]
    path = tmp_path / "ragged.csv"
    path.write_bytes(text.encode())
    r = run("apply", str(card), str(path), "-o", "-")
    assert r.code == 1, (r.out, r.err)
    assert "E815" in r.err, r.err
    assert f"line {line}" in r.err and f"{fields} field" in r.err and "ragged.csv" in r.err
    assert r.out == ""


def test_a_ragged_row_is_found_when_the_card_reads_fewer_columns(tmp_path: Path) -> None:
    card = tmp_path / "k.scorecard"
    card.write_text("scorecard k { }\ninput { id : string key }\nscore = 1.0\n", encoding="utf-8")
    path = tmp_path / "wide.csv"
    path.write_text("id,age,city\na,70,Paris\nb,30\n", encoding="utf-8")
    r = run("apply", str(card), str(path), "-o", "-")
    assert r.code == 1 and "E815" in r.err and "line 3" in r.err, r.err


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("id,age,city\na,70,Paris\rb,30,Lyon\nc,65,Lyon\n", 2),  # a lone CR in an LF file
        ("id,age,city\ra,70,Paris\nb,30,Lyon\r", 2),  # an LF in a CR file
    ],
)
def test_mixed_line_endings_are_an_error_with_the_line(
    text: str, line: int, tmp_path: Path, card: Path
) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(text.encode())
    r = run("apply", str(card), str(path), "-o", "-")
    assert r.code == 1 and "E816" in r.err and f"line {line}" in r.err, r.err


def test_an_unclosed_quote_is_an_error_with_its_line(tmp_path: Path, card: Path) -> None:
    path = tmp_path / "open.csv"
    path.write_text('id,age,city\na,70,Paris\nb,30,"Lyon\nc,65,Lyon\n', encoding="utf-8")
    r = run("apply", str(card), str(path), "-o", "-")
    assert r.code == 1 and "E817" in r.err and "line 3" in r.err, r.err


# ---- every I/O problem is an E8xx message with the path and the reason ------------------------


def _parquet_bytes() -> bytes:
    frame = pl.DataFrame({"id": ["a"], "age": [70], "city": ["Paris"]})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.parquet"
        frame.write_parquet(path)
        return path.read_bytes()


def test_unreadable_data_files(tmp_path: Path, card: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "zero.parquet").write_bytes(b"")
    whole = _parquet_bytes()
    (tmp_path / "cut.parquet").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "header.csv").write_text("id,age,city\n", encoding="utf-8")
    expected = {
        "empty.csv": ("E809", "empty"),
        "zero.parquet": ("E809", "empty"),
        "cut.parquet": ("E800", "Parquet"),
        "folder.csv": ("E808", "Is a directory"),
        "missing.csv": ("E802", "does not exist"),
    }
    procs = {
        name: subprocess.Popen(
            [SCORECARD, "apply", str(card), str(tmp_path / name), "-o", "-"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in [*expected, "header.csv"]
    }
    results = {name: Run(p.wait(300), *p.communicate()) for name, p in procs.items()}
    for name, (code, reason) in expected.items():
        r = results[name]
        assert r.code == 1, (name, r.err)
        assert code in r.err and reason in r.err and name in r.err, (name, r.err)
        no_traceback(r)
    header = results["header.csv"]
    assert header.code == 0 and header.out == "id,score,excluded\n", header.err


def test_output_problems(tmp_path: Path, card: Path, data: Path) -> None:
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "folder.html").mkdir()
    cases = {
        "directory as -o": (
            ["apply", str(card), str(data), "-o", str(tmp_path / "folder.csv")],
            "E806",
            "folder.csv",
        ),
        "directory as --html": (
            [
                "evaluate",
                str(card),
                str(data),
                "--target",
                "age",
                "--html",
                str(tmp_path / "folder.html"),
            ],
            "E806",
            "folder.html",
        ),
        "no such folder": (
            ["apply", str(card), str(data), "-o", str(tmp_path / "no/x.csv")],
            "E803",
            "no",
        ),
        "a file as folder": (
            ["compile", str(card), "-d", "postgres", "-t", "t", "-o", str(data / "x.sql")],
            "E803",
            "in.csv",
        ),
    }
    procs = {
        name: subprocess.Popen(
            [SCORECARD, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for name, (args, _, _) in cases.items()
    }
    for name, proc in procs.items():
        _, err = proc.communicate(timeout=300)
        _, code, named = cases[name]
        assert proc.returncode == 1, (name, err)
        assert code in err and named in err, (name, err)
        assert "internal error" not in err, (name, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "c.scorecard",
        "data",
        "folder.csv",
        "folder.html",
    ]


@pytest.fixture()
def dev_full(tmp_path: Path) -> Iterator[Path]:
    """Links to /dev/full, a device every write to fails with ENOSPC (the device is never
    named directly, so no run can replace it)."""
    device = Path("/dev/full")
    if not device.exists() or not stat.S_ISCHR(device.stat().st_mode):
        pytest.skip("no /dev/full here")
    yield device


def test_a_full_disk_is_an_error_naming_the_output(
    tmp_path: Path, card: Path, data: Path, dev_full: Path
) -> None:
    csv_link = tmp_path / "full.csv"
    csv_link.symlink_to(dev_full)
    sql_link = tmp_path / "full.sql"
    sql_link.symlink_to(dev_full)
    for args, name in (
        (["apply", str(card), str(data), "-o", str(csv_link)], "full.csv"),
        (["compile", str(card), "-d", "postgres", "-t", "t", "-o", str(sql_link)], "full.sql"),
    ):
        r = run(*args)
        assert r.code == 1, r.err
        assert "E807" in r.err and "No space left on device" in r.err and name in r.err, r.err
        no_traceback(r)
    assert csv_link.is_symlink() and sql_link.is_symlink()
    assert stat.S_ISCHR(dev_full.stat().st_mode)


def test_a_file_size_limit_is_an_error_naming_the_output(tmp_path: Path, card: Path) -> None:
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

    r = run("apply", str(card), str(big), "-o", str(out), preexec=limit)
    assert r.code == 1, r.err
    assert "E807" in r.err and "File too large" in r.err and "out.csv" in r.err, r.err
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


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


class _Raising:
    """Unpickles by calling `fn(*args)`: a pinned file whose loading fails in its own way."""

    def __init__(self, fn: Callable[..., object], *args: object) -> None:
        self.fn, self.args = fn, args

    def __reduce__(self) -> tuple[Callable[..., object], tuple[object, ...]]:
        return self.fn, self.args


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("exits", _Raising(sys.exit, 3)),
        ("not_a_model", 42),
        ("raises", _Raising(int, "x")),
    ],
)
def test_a_pinned_pickle_that_fails_to_load(
    name: str, payload: object, tmp_path: Path, data: Path
) -> None:
    card = _pinned_pickle_card(tmp_path, name, payload)
    for args in (["check", str(card)], ["apply", str(card), str(data), "-o", "-"]):
        r = run(*args)
        assert r.code == 1, (args, r.err)
        assert "E609" in r.err and f"{name}.pkl" in r.err, (args, r.err)
        no_traceback(r)


def test_unreadable_cards_exit_1_with_the_path(tmp_path: Path) -> None:
    (tmp_path / "folder.scorecard").mkdir()
    (tmp_path / "latin1.scorecard").write_bytes(CARD.replace("Paris", "Par\xeds").encode("latin-1"))
    for name, code in (("folder.scorecard", "E001"), ("latin1.scorecard", "E002")):
        for args in (["check"], ["apply"], ["fmt"], ["compile", "-d", "postgres", "-t", "t"]):
            command = [args[0], str(tmp_path / name), *args[1:]]
            if args[0] == "apply":
                command.append(str(tmp_path / "missing.csv"))
            r = run(*command)
            assert r.code == 1, (command, r.err)
            assert code in r.err and name in r.err, (command, r.err)


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


def test_files_without_permission(tmp_path: Path, card: Path, data: Path) -> None:
    secret_card = tmp_path / "secret.scorecard"
    secret_card.write_text(CARD, encoding="utf-8")
    secret_data = tmp_path / "secret.csv"
    secret_data.write_text(CSV_TEXT, encoding="utf-8")
    closed = tmp_path / "closed"
    closed.mkdir()
    secret_card.chmod(0o000)
    secret_data.chmod(0o000)
    closed.chmod(0o555)
    prefix = _without_privilege()
    r = run("check", str(secret_card), prefix=prefix)
    assert r.code == 1 and "E001" in r.err and "Permission denied" in r.err, r.err
    r = run("apply", str(secret_card), str(data), prefix=prefix)
    assert r.code == 1 and "E001" in r.err and "secret.scorecard" in r.err, r.err
    r = run("apply", str(card), str(secret_data), "-o", "-", prefix=prefix)
    assert r.code == 1 and "E808" in r.err and "Permission denied" in r.err, r.err
    assert "secret.csv" in r.err
    r = run("apply", str(card), str(data), "-o", str(closed / "out.csv"), prefix=prefix)
    assert r.code == 1 and "E807" in r.err and "Permission denied" in r.err, r.err
    assert "closed" in r.err
    assert list(closed.iterdir()) == []
