"""No function of the engine grows past 120 lines: a longer one is split into one function per
step, so each step can be read, named and changed on its own."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"
LIMIT = 120


def _function_lengths(source: str) -> list[tuple[str, int, int]]:
    """(qualified name, first line, number of lines) of every function, nested ones included."""
    out: list[tuple[str, int, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = prefix + child.name
                assert child.end_lineno is not None
                out.append((name, child.lineno, child.end_lineno - child.lineno + 1))
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return out


def test_the_walk_measures_methods_and_nested_functions() -> None:
    body = "\n".join(f"        x{i} = {i}" for i in range(3))
    source = f"class C:\n    def m(self):\n        def inner():\n            pass\n{body}\n"
    assert _function_lengths(source) == [("C.m", 2, 6), ("C.m.inner", 3, 2)]


def test_no_function_is_longer_than_the_limit() -> None:
    long = [
        f"{path.relative_to(ROOT)}:{line} {name} ({length} lines)"
        for path in sorted(ENGINE.rglob("*.py"))
        for name, line, length in _function_lengths(path.read_text(encoding="utf-8"))
        if length > LIMIT
    ]
    assert long == [], f"split these into one function per step (at most {LIMIT} lines each)"
