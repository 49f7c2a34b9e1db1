"""Random bytes and mutated cards: `check` reports diagnostics, it never raises."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.check.source import check_file, check_source
from engine.diagnostics import Diagnostic
from tests.profiles import examples

ROOT = Path(__file__).resolve().parents[2]
CARDS = sorted((ROOT / "scorecards").glob("*.scorecard"))
SOURCES = [p.read_text(encoding="utf-8") for p in CARDS]
TOKENS = [
    "rule", "let", "bins", "score", "segment", "{", "}", "(", ")", "[", "]", "->", "=", "==",
    "when", "then", "else", "if", '"', "`", "#", "\n", "-", "missing", "in", "not", ",", ":",
    "2026-13-45", "1e999", "é", "\x00", "\\", "otherwise", "classes 0", "reasons 500",
]  # fmt: skip


def _assert_only_diagnostics(result_diagnostics: list[Diagnostic]) -> None:
    for d in result_diagnostics:
        assert isinstance(d, Diagnostic)
        assert d.message
        d.render("x")  # rendering never fails either


@settings(max_examples=examples(300), deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(tmp_path_factory: object, data: bytes) -> None:
    path = Path(str(tmp_path_factory.mktemp("fuzz"))) / "card.scorecard"  # type: ignore[attr-defined]
    path.write_bytes(data)
    result = check_file(path)
    _assert_only_diagnostics(result.diagnostics)


@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_raises(text: str) -> None:
    _assert_only_diagnostics(check_source(text).diagnostics)


@st.composite
def mutated_cards(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SOURCES)) if SOURCES else "scorecard a {}"
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "duplicate", "swap"]))
        if kind == "delete":
            end = draw(st.integers(pos, min(len(text), pos + 20)))
            text = text[:pos] + text[end:]
        elif kind == "insert":
            text = text[:pos] + draw(st.sampled_from(TOKENS)) + text[pos:]
        elif kind == "duplicate":
            end = draw(st.integers(pos, min(len(text), pos + 60)))
            text = text[:end] + text[pos:end] + text[end:]
        else:
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_cards())
def test_mutated_cards_never_raise(text: str) -> None:
    result = check_source(text, ROOT / "scorecards" / "mutated.scorecard")
    _assert_only_diagnostics(result.diagnostics)
    if result.program is None:
        assert any(d.is_error for d in result.diagnostics)
