"""Diagnostics as the user types: the codes and ranges `scorecard check` reports, in the
editor's UTF-16 columns, for a broken card opened and then edited."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.lsp.client import ROOT, Client

BROKEN = """\
scorecard broken {
  title "🎯 broken card"
}

input {
  customer_id : string key
  age         : int
  city        : string
}

let label = coalesce(city, "🎯") + agee
rule young "Young 🎯" when age < "25" then 10
rule old when age >= 60 then 5
bins age_band on age {
  < 25 -> 10
}
"""

HEADLINE = re.compile(r"^.*?:(\d+):(\d+): (error|warning)\[(\w+)\]", re.M)


def _check_cli(path: Path) -> list[tuple[int, int, str, str]]:
    """(line, column, severity, code) of each problem `scorecard check` prints, 1-based."""
    proc = subprocess.run(
        [sys.executable, "-m", "engine", "check", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return [(int(a), int(b), s, c) for a, b, s, c in HEADLINE.findall(proc.stdout + proc.stderr)]


def _utf16(line: str, column: int) -> int:
    """A 1-based column in characters as the editor's 0-based UTF-16 character."""
    return len(line[: column - 1].encode("utf-16-le")) // 2


def _as_check_prints(text: str, diagnostics: list[dict]) -> list[tuple[int, int, str, str]]:
    lines = text.split("\n")
    out = []
    for d in diagnostics:
        start = d["range"]["start"]
        line = lines[start["line"]]
        # back from UTF-16 units to characters, as check counts
        column = len(line.encode("utf-16-le")[: start["character"] * 2].decode("utf-16-le")) + 1
        severity = "error" if d["severity"] == 1 else "warning"
        out.append((start["line"] + 1, column, severity, d["code"]))
    return out


def test_a_broken_card_gets_the_codes_and_ranges_of_check(lsp: Client, tmp_path: Path) -> None:
    path = tmp_path / "broken.scorecard"
    path.write_text(BROKEN, encoding="utf-8")
    published = lsp.open(path.as_uri(), BROKEN)
    found = published["diagnostics"]
    assert [d["code"] for d in found] == ["E200", "E300", "W500"]
    assert all(d["source"] == "scorecard" for d in found)
    # `agee` on line 11: 34 characters in, one of them an emoji (2 UTF-16 units)
    agee = found[0]
    assert BROKEN.split("\n")[10][34:38] == "agee"
    assert agee["range"] == {
        "start": {"line": 10, "character": 35},
        "end": {"line": 10, "character": 39},
    }
    assert "unknown name `agee`" in agee["message"] and "`age`" in agee["message"]
    assert found[1]["range"]["start"] == {"line": 11, "character": 27}
    assert found[1]["range"]["end"] == {"line": 11, "character": 37}  # `age < "25"`
    assert found[2]["severity"] == 2
    assert _as_check_prints(BROKEN, found) == _check_cli(path)


def test_diagnostics_follow_each_edit(lsp: Client, tmp_path: Path) -> None:
    path = tmp_path / "edited.scorecard"
    path.write_text(BROKEN, encoding="utf-8")
    uri = path.as_uri()
    lsp.open(uri, BROKEN)
    # a syntax error: the statement is dropped, every semantic check skipped
    broken = BROKEN.replace("then 5", "then +")
    lsp.change(uri, broken, 2)
    found = lsp.wait_for("textDocument/publishDiagnostics", uri)["diagnostics"]
    assert [d["code"] for d in found] == ["E100"]
    assert found[0]["range"]["start"] == {"line": 13, "character": 5}
    path.write_text(broken, encoding="utf-8")
    assert _as_check_prints(broken, found) == _check_cli(path)
    # fixed: nothing left
    fixed = (
        BROKEN.replace(" + agee", "")
        .replace('"25"', "25")
        .replace("< 25 -> 10", "< 25 -> 10\n  else -> 0")
    )
    lsp.change(uri, fixed, 3)
    found = lsp.wait_for("textDocument/publishDiagnostics", uri)["diagnostics"]
    assert found == []


def test_every_bundled_card_is_clean(lsp: Client) -> None:
    for path in sorted((ROOT / "scorecards").glob("*.scorecard")):
        published = lsp.open(path.as_uri(), path.read_text(encoding="utf-8"))
        assert published["diagnostics"] == [], path.name
