"""`compile` keeps compiled model expressions: the second run needs no scikit-learn and gives
the same SQL; a changed model file is compiled again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.ensemble import GradientBoostingClassifier

from engine.models import ir_json, link

ROOT = Path(__file__).resolve().parents[2]
CARD = """scorecard cached {}
input {
  id : string key
  a  : float
  b  : float
}
model m = sklearn "m.skops" {
  features [a, b]
  output probability
}
score = 1000 * m
"""

COMPILE = (
    "import sys; from engine.cli.app import main; "
    "sys.argv = ['scorecard', 'compile', sys.argv[1], '--dialect', 'duckdb', '--table', 't'];\n"
    "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
    "print('SKLEARN' if 'sklearn' in sys.modules else 'NO-SKLEARN', file=sys.stderr)"
)


def _train(path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] * x[:, 1] + rng.normal(scale=0.3, size=400) > 0).astype(int)
    model = GradientBoostingClassifier(n_estimators=12, max_depth=3, random_state=seed)
    sio.dump(model.fit(x, y), path)


def _compile(card: Path, cache: Path) -> tuple[str, str]:
    env = {**os.environ, "SCORECARD_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", COMPILE, str(card)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout, done.stderr


@pytest.mark.slow  # whole processes
def test_second_compile_uses_the_cache(tmp_path: Path) -> None:
    _train(tmp_path / "m.skops", seed=1)
    card = tmp_path / "cached.scorecard"
    card.write_text(CARD)
    cache = tmp_path / "cache"
    first, first_err = _compile(card, cache)
    assert "SKLEARN" in first_err.split()
    assert len(list(cache.glob("*.json"))) == 1
    second, second_err = _compile(card, cache)
    assert "NO-SKLEARN" in second_err.split()
    assert second == first and "SELECT" in first

    # A retrained model is another file: it is compiled again, and the SQL changes.
    _train(tmp_path / "m.skops", seed=2)
    third, third_err = _compile(card, cache)
    assert "SKLEARN" in third_err.split()
    assert third != first
    assert len(list(cache.glob("*.json"))) == 2


def test_expressions_survive_json_exactly(tmp_path: Path) -> None:
    """The cached form of a compiled ensemble is the same tree, floats to the last bit."""
    from engine.check.source import check_source

    _train(tmp_path / "m.skops", seed=3)
    result = check_source(CARD, tmp_path / "cached.scorecard")
    assert result.program is not None
    linked = link(result.program, tmp_path, for_sql=True).program
    expr = linked.definition("m").expr
    assert ir_json.loads(ir_json.dumps(expr)) == expr
