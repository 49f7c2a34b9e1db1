"""The engine's import graph: no cycles (imports inside functions included), nothing reaching
back up into the API or the CLI, and commands that do not load what they do not use."""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"
CARDS = ROOT / "scorecards"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ENGINE.rglob("*.py"))}


def _resolve(target: str, modules: dict[str, Path]) -> str | None:
    """The engine module an import names (a name imported from a package may be a module)."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every engine module `name` imports, at any depth of its code, except under
    `if TYPE_CHECKING:` (never executed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for b in node.body for n in ast.walk(b))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from engine import ir` imports the module engine.ir; `from engine.x import f`
            # imports engine.x (Python also runs the package's __init__, an edge of its own)
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names
            ]
        for t in targets:
            if t == "engine" or t.startswith("engine."):
                resolved = _resolve(t, modules)
                if resolved and resolved != name:
                    found.add(resolved)
    return found


@functools.cache
def _graph() -> dict[str, set[str]]:
    """Built once per test run (parsing every module is about a second); callers must not
    change it."""
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    # A package's __init__ runs before any of its submodules: importing engine.x.y imports
    # engine.x too, but that edge is Python's, not a design choice; leave it out.
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_function_level_imports() -> None:
    """The walker finds an import written inside a function (so the next tests can fail)."""
    graph = _graph()
    assert "engine.models.linking" in graph["engine.run.card"]


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_a_cycle_would_be_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


TOP = ("engine.api", "engine.cli")


@pytest.mark.parametrize("name", sorted(_modules()))
def test_stages_do_not_import_the_api_or_the_cli(name: str) -> None:
    if name in ("engine", "engine.__main__") or name.startswith(TOP):
        return
    upward = sorted(
        t for t in _graph()[name] if t.startswith(TOP) and not name.startswith("engine.cli")
    )
    assert upward == [], f"{name} imports {upward}"


def _imported_by(command: list[str]) -> set[str]:
    """The top-level packages a real `python -m engine ...` run imported (-X importtime)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "engine", *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


HEAVY = {
    "polars",
    "sklearn",
    "scipy",
    "skops",
    "duckdb",
    "pyarrow",
    "pandas",
    "pygls",
    "lsprotocol",
}


def test_check_imports_no_polars_and_no_scikit_learn() -> None:
    for card in ("rules_only", "bins_points", "functions"):
        assert _imported_by(["check", str(CARDS / f"{card}.scorecard")]) & HEAVY == set(), card


def test_compile_without_models_imports_no_polars_and_no_scikit_learn() -> None:
    card = CARDS / "rules_only.scorecard"
    imported = _imported_by(["compile", str(card), "--dialect", "duckdb", "--table", "t"])
    assert imported & HEAVY == set()
