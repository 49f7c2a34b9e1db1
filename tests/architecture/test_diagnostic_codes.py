"""The registry of diagnostic codes against the code that reports them and the docs that list
them: every code reported is registered with the right severity, every registered code is
reported (or marked reserved), and the docs pages show exactly the registry."""

from __future__ import annotations

import ast
import functools
import re
from collections import defaultdict
from pathlib import Path

import pytest

from engine import results
from engine.diagnostics import Severity
from engine.diagnostics_codes import (
    BY_CODE,
    CODE_SYNTAX,
    CODES,
    DIAGNOSTICS_PAGE,
    main,
    render_page,
    select,
    stale_pages,
)

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"
DOCS = ROOT / "docs"
REGISTRY = ENGINE / "diagnostics_codes.py"

# Functions that build a diagnostic of one severity from a code given as first argument.
BUILDERS = {
    "error": Severity.ERROR,
    "_error": Severity.ERROR,
    "warning": Severity.WARNING,
    "_warn": Severity.WARNING,
}


def _engine_files() -> list[Path]:
    return [p for p in sorted(ENGINE.rglob("*.py")) if p != REGISTRY]


@functools.cache
def _trees() -> list[tuple[Path, ast.Module]]:
    """Every engine module parsed once per test run (the tests below only read them)."""
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in _engine_files()]


def _code_literals() -> dict[str, list[str]]:
    """Every string constant of engine/ that looks like a code -> where it stands."""
    found: dict[str, list[str]] = defaultdict(list)
    for path, tree in _trees():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and CODE_SYNTAX.fullmatch(node.value)
            ):
                found[node.value].append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _builder_calls() -> list[tuple[str, Severity, str]]:
    """(code, severity of the builder, place) for every error()/warning() call given a literal."""
    calls = []
    for path, tree in _trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else None
            )
            first = node.args[0]
            if name in BUILDERS and isinstance(first, ast.Constant):
                place = f"{path.relative_to(ROOT)}:{node.lineno}"
                calls.append((str(first.value), BUILDERS[name], place))
    return calls


def test_the_walk_finds_codes_and_calls() -> None:
    """The scans see the codes the parser returns indirectly and the checker's helper calls."""
    literals = _code_literals()
    assert "E102" in literals  # returned as a value by syntax/messages.py
    assert any(place.startswith("engine/syntax/messages.py") for place in literals["E100"])
    calls = _builder_calls()
    assert ("W408", Severity.WARNING) in {(c, s) for c, s, _ in calls}  # self._warn(...)
    assert len(calls) > 80


def test_every_code_the_engine_reports_is_registered() -> None:
    unknown = {code: places for code, places in _code_literals().items() if code not in BY_CODE}
    assert unknown == {}, "add these codes to engine/diagnostics_codes.py"


def test_every_call_uses_its_code_with_a_registered_severity() -> None:
    wrong = [
        f"{place}: {code} as {severity.value}"
        for code, severity, place in _builder_calls()
        if code in BY_CODE and severity not in BY_CODE[code].severities
    ]
    assert wrong == []


def test_every_registered_code_is_reported_or_reserved() -> None:
    used = _code_literals()
    unused = [c.code for c in CODES if not c.reserved and c.code not in used]
    assert unused == [], "mark unused codes reserved=True, or remove them if never released"


def test_codes_are_well_formed_unique_and_in_order() -> None:
    codes = [c.code for c in CODES]
    assert len(codes) == len(set(codes))
    assert codes == sorted(codes, key=lambda c: int(c[1:]))
    for c in CODES:
        assert CODE_SYNTAX.fullmatch(c.code), c.code
        # W codes are warnings, E codes errors (or both, for a code that is either).
        assert (c.code[0] == "W") == (c.severities == (Severity.WARNING,)), c.code
        assert c.summary and "\n" not in c.summary
        # A table cell: a bare `|` would split it.
        assert re.search(r"(?<!\\)\|", c.summary + c.example) is None, c.code
    # numbers are unique across letters too: W407 and E407 would be one anchor apart
    numbers = [c.number for c in CODES]
    assert len(numbers) == len(set(numbers))


def test_the_reserved_names_code_lists_every_reserved_result_name() -> None:
    summary = BY_CODE["E203"].summary
    for name in [*results.RESERVED, "reason_N"]:
        assert f"`{name}`" in summary, name


# -- the docs -------------------------------------------------------------------------------


def test_the_docs_tables_are_generated_from_the_registry() -> None:
    stale = stale_pages(DOCS)
    assert stale == [], "run: python -m engine.diagnostics_codes --write-docs"


def test_the_diagnostics_page_lists_every_code_once_with_its_anchor() -> None:
    text = (DOCS / DIAGNOSTICS_PAGE).read_text(encoding="utf-8")
    rows = [
        [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        for line in text.splitlines()
        if line.startswith("| <a id=")
    ]
    listed = [re.sub(r"<[^>]*>", "", row[0]) for row in rows]
    assert sorted(listed) == sorted(c.code for c in CODES if not c.reserved)
    for row, code in zip(rows, listed, strict=True):
        entry = BY_CODE[code]
        assert row[0] == f'<a id="{code.lower()}"></a>{code}'
        assert entry.anchor == f"{DIAGNOSTICS_PAGE}#{code.lower()}"
        assert row[1] == entry.severity_words and row[2] == entry.summary


def test_every_code_named_in_the_docs_is_registered() -> None:
    pages = [*sorted(DOCS.glob("*.md")), ROOT / "README.md"]
    unknown = []
    for page in pages:
        prose = re.sub(r"<!-- codes [^>]* -->", "", page.read_text(encoding="utf-8"))
        for code in re.findall(r"\b[EW]\d{3,4}\b", prose):
            if code not in BY_CODE:
                unknown.append(f"{page.name}: {code}")
    assert unknown == []


def test_a_stale_table_is_found_and_rewritten(tmp_path: Path) -> None:
    page = tmp_path / "cli.md"
    page.write_text(
        "# x\n\n<!-- codes E800-E803, E810 -->\n| code | meaning |\n| E800 | old |\n"
        "<!-- /codes -->\n\nprose\n",
        encoding="utf-8",
    )
    assert stale_pages(tmp_path) == [page]
    assert main([str(tmp_path)]) == 1
    assert main([str(tmp_path), "--write-docs"]) == 0
    assert stale_pages(tmp_path) == [] and main([str(tmp_path)]) == 0
    text = page.read_text(encoding="utf-8")
    assert "| [E803](diagnostics.md#e803) | error | the output folder does not exist |" in text
    assert "E810" in text and "E811" not in text and text.endswith("prose\n")
    assert render_page(text, "cli.md") == text


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("E600 E602 E606-E609", ["E600", "E602", "E606", "E607", "E608", "E609"]),
        (
            "E400-E499",
            [
                "E400",
                "E401",
                "E402",
                "E403",
                "E404",
                "E405",
                "E406",
                "W407",
                "W408",
                "E409",
                "E410",
            ],
        ),
        ("E1005-E1099", ["E1005", "E1006", "E1007", "E1008", "E1009", "E1010"]),
    ],
)
def test_a_block_spec_selects_by_number(spec: str, expected: list[str]) -> None:
    assert [c.code for c in select(spec)] == expected
