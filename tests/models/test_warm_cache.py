"""A card's second run reads its models' compiled expressions from the cache: `check`, `test`,
`apply`, `explain`, `evaluate` and `compile` then import none of scikit-learn, scipy and skops
(on a card of the tests and on the bundled `churn_risk`), and the scores are still
scikit-learn's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import skops.io as sio
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline

ROOT = Path(__file__).resolve().parents[2]
CARD = """scorecard warm {}
input {
  id : string key
  a  : float
  b  : float
  y  : int
}
model m = sklearn "m.skops" {
  features [a, b]
  output probability
}
let total = a + b
score = m
example "one" {
  given  id = "x", a = 0.5, b = -1.0
  expect total = -0.5
}
"""

RUN = (
    "import sys; from engine.cli.app import main; sys.argv = ['scorecard', *sys.argv[1:]]\n"
    "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
    "heavy = {'sklearn', 'skops', 'scipy'} & {m.split('.')[0] for m in sys.modules}\n"
    "print('LOADED' if heavy else 'NOT-LOADED', file=sys.stderr)"
)


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, np.ndarray]:
    folder = tmp_path_factory.mktemp("warm")
    rng = np.random.default_rng(11)
    x = rng.normal(size=(600, 2))
    x[rng.random(600) < 0.1, 0] = np.nan
    y = (np.nan_to_num(x[:, 0]) + x[:, 1] + rng.normal(scale=0.5, size=600) > 0).astype(int)
    # An imputer in front of the trees: measured slower as an expression on large tables,
    # so only the warm cache on a small table runs it without scikit-learn.
    model = make_pipeline(
        SimpleImputer(), GradientBoostingClassifier(n_estimators=20, random_state=0)
    )
    model.fit(x, y)
    sio.dump(model, folder / "m.skops")
    (folder / "warm.scorecard").write_text(CARD)
    ids = [f"c{i}" for i in range(600)]
    pl.DataFrame({"id": ids, "a": x[:, 0], "b": x[:, 1], "y": y}).write_csv(folder / "d.csv")
    return folder / "warm.scorecard", folder / "d.csv", model.predict_proba(x)[:, 1]


def _run(args: list[str], cache: Path) -> tuple[subprocess.CompletedProcess[str], bool]:
    env = {**os.environ, "SCORECARD_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", RUN, *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done, done.stderr.rstrip().endswith("NOT-LOADED") is False


def test_second_runs_need_no_scikit_learn(
    case: tuple[Path, Path, np.ndarray], tmp_path: Path
) -> None:
    card, data, expected = case
    cache = tmp_path / "cache"
    first, loaded = _run(["apply", str(card), str(data), "-o", str(tmp_path / "first.csv")], cache)
    assert first.returncode == 0, first.stderr
    assert loaded  # the cold run loads the model and fills the cache
    for args in (
        ["check", str(card)],
        ["test", str(card)],
        ["apply", str(card), str(data), "-o", str(tmp_path / "second.csv")],
        ["explain", str(card), str(data), "--key", "c7"],
        ["evaluate", str(card), str(data), "--target", "y", "--json"],
        ["compile", str(card), "--dialect", "duckdb", "--table", "t"],
    ):
        done, loaded = _run(args, cache)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        assert not loaded, args
    for name in ("first.csv", "second.csv"):
        scores = pl.read_csv(tmp_path / name).sort(pl.col("id").str.slice(1).cast(pl.Int64))[
            "score"
        ]
        assert np.max(np.abs(scores.to_numpy() - expected)) <= 1e-12, name


def test_a_changed_model_file_is_loaded_again(
    case: tuple[Path, Path, np.ndarray], tmp_path: Path
) -> None:
    card = case[0]
    cache = tmp_path / "cache"
    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / "warm.scorecard").write_text(card.read_text())
    (folder / "m.skops").write_bytes((card.parent / "m.skops").read_bytes())
    assert _run(["check", str(folder / "warm.scorecard")], cache)[0].returncode == 0
    assert not _run(["check", str(folder / "warm.scorecard")], cache)[1]
    rng = np.random.default_rng(5)
    x = rng.normal(size=(200, 2))
    other = GradientBoostingClassifier(n_estimators=5, random_state=1)
    sio.dump(other.fit(x, (x[:, 0] > 0).astype(int)), folder / "m.skops")
    assert _run(["check", str(folder / "warm.scorecard")], cache)[1]


def test_bundled_card_commands_need_no_scikit_learn(tmp_path: Path) -> None:
    """Every command of the latency benchmark (benchmarks/latency_bench.py) on the bundled
    100-tree card, once its cache is warm."""
    cache = tmp_path / "cache"
    card, data = "scorecards/churn_risk.scorecard", "scorecards/data/customers.csv"
    first, loaded = _run(["check", card], cache)
    assert first.returncode == 0, first.stderr
    assert loaded  # the cold run loads the model and fills the cache
    for args in (
        ["check", card],
        ["test", card],
        ["apply", card, data, "-o", str(tmp_path / "out.csv")],
        ["explain", card, data, "--key", "C000001"],
        ["evaluate", card, data, "--target", "churned", "--json"],
        ["compile", card, "--dialect", "duckdb", "--table", "customers"],
    ):
        done, loaded = _run(args, cache)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        assert not loaded, args


def test_the_key_covers_the_compilers_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change to the model compiler's source misses every cached expression: the key reads
    the compiler's modules (it once read a folder that did not exist, so an engine upgrade
    would have served expressions compiled by the old compiler)."""
    from engine.models import cache

    names = {p.name for p in cache.compiler_sources()}
    assert {"trees.py", "linear.py", "compile.py", "loading.py", "ir_json.py"} <= names
    copies = []
    for source in cache.compiler_sources():
        copy = tmp_path / source.name
        copy.write_bytes(source.read_bytes())
        copies.append(copy)
    monkeypatch.setattr(cache, "compiler_sources", lambda: copies)
    before = cache._compiler_digest.__wrapped__()
    trees = tmp_path / "trees.py"
    trees.write_bytes(trees.read_bytes() + b"\n# changed\n")
    assert cache._compiler_digest.__wrapped__() != before


def test_the_key_reads_the_installed_scikit_learn_version() -> None:
    """Read from the `.dist-info` folder's name without `importlib.metadata`, it is the
    version `importlib.metadata` gives; a distribution not installed reads as ""."""
    from importlib import metadata

    from engine.models import cache

    assert cache._installed_version("scikit_learn") == metadata.version("scikit-learn")
    assert cache._installed_version("no_such_distribution_here") == ""
