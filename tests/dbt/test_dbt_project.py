"""A real dbt project (tests/dbt/project) with models exported by `scorecard compile --dbt`.

`dbt seed` loads generated customers, `dbt run --vars '{as_of: ...}'` builds the scorecard models
and a downstream view, `dbt test` runs the tests of the written NAME.yml files (unique and
not_null key, accepted values); the rows of each model equal `scorecard apply` with the same
params. Run on dbt-duckdb and on dbt-postgres against the test session's PostgreSQL server
(with its default JIT setting).
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import duckdb
import polars as pl
import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = Path(__file__).resolve().parent / "project"
CARDS = ROOT / "scorecards"
DATA = CARDS / "data" / "customers.csv"
AS_OF = "2026-10-15"
VARS = {"as_of": AS_OF, "base": "450"}
"""`as_of` is given to `dbt run --vars`; `base` is in the project's dbt_project.yml."""
MODELS = {
    # model name: (card, dbt options)
    "churn_risk": ("churn_risk.scorecard", []),
    "rules_only": ("rules_only.scorecard", ["--materialized", "view"]),
    "bins_points": ("bins_points.scorecard", []),
}

DBT = Path(os.environ.get("SCORECARD_DBT", ROOT / ".venv-dbt" / "bin" / "dbt"))
"""dbt lives in its own environment (pyproject's `dbt` extra; .ci/run makes .venv-dbt)."""

pytestmark = pytest.mark.skipif(
    not DBT.exists(),
    reason=f"no dbt at {DBT}: python3 -m venv .venv-dbt && .venv-dbt/bin/pip install -e '.[dbt]'",
)


def _scorecard(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "engine", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done


def _dbt(project: Path, env: dict[str, str], *args: str) -> str:
    dbt = str(DBT)
    target = ["--target", env["SCORECARD_DBT_TARGET"]]
    done = subprocess.run(
        [dbt, *args, *target, "--project-dir", str(project), "--profiles-dir", str(project)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=project,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    return done.stdout


def _project(tmp_path: Path, dialect: str, models: tuple[str, ...] = tuple(MODELS)) -> Path:
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    (project / "seeds").mkdir(exist_ok=True)  # an empty folder is not kept by git
    shutil.copy(DATA, project / "seeds" / "customers.csv")
    if "churn_risk" not in models:
        (project / "models" / "campaign.sql").unlink()  # it reads churn_risk
    for name, (card, extra) in MODELS.items():
        if name not in models:
            continue
        _scorecard(
            "compile",
            str(CARDS / card),
            "--dialect",
            dialect,
            "--table",
            "raw.customers",
            "--dbt",
            *extra,
            "-o",
            str(project / "models" / f"{name}.sql"),
        )
    return project


def _expected(card: str, tmp_path: Path) -> pl.DataFrame:
    """`scorecard apply` with the params the dbt run has: `as_of` from `--vars`, `base` from
    the project's `vars:` (for the cards that declare them)."""
    out = tmp_path / f"{Path(card).stem}.parquet"
    text = (CARDS / card).read_text(encoding="utf-8")
    params = [f"{name}={value}" for name, value in VARS.items() if f"param {name} " in text]
    assert params, card
    args = [arg for p in params for arg in ("--param", p)]
    _scorecard("apply", str(CARDS / card), str(DATA), *args, "-o", str(out))
    return pl.read_parquet(out)


def _same_rows(got: list[dict[str, Any]], expected: pl.DataFrame, key: str) -> None:
    assert len(got) == expected.height
    by_key = {r[key]: r for r in expected.to_dicts()}
    for row in got:
        want = by_key[row[key]]
        assert set(row) == set(want), (sorted(row), sorted(want))
        for column, value in want.items():
            if column == "score" and value is not None:
                assert math.isclose(row[column], value, rel_tol=1e-9), (row, want)
            else:
                assert row[column] == value, (column, row, want)


def _run_project(project: Path, env: dict[str, str]) -> None:
    _dbt(project, env, "seed")
    _dbt(project, env, "run", "--vars", f"{{as_of: {AS_OF}}}")
    out = _dbt(project, env, "test")
    assert "ERROR=0" in out and "PASS=0" not in out, out[-2000:]


def test_dbt_duckdb(tmp_path: Path) -> None:
    project = _project(tmp_path, "duckdb")
    db = tmp_path / "dbt.duckdb"
    env = {
        **os.environ,
        "SCORECARD_DBT_DUCKDB": str(db),
        "SCORECARD_DBT_TARGET": "duckdb",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "0",
    }
    _run_project(project, env)
    con = duckdb.connect(str(db), read_only=True)
    try:
        for name, (card, _) in MODELS.items():
            cursor = con.execute(f'SELECT * FROM "main"."{name}"')
            columns = [c[0] for c in cursor.description]
            got = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
            expected = _expected(card, tmp_path)
            _same_rows(got, expected, expected.columns[0])
        campaign = con.execute('SELECT COUNT(*) FROM "main"."campaign"').fetchone()
    finally:
        con.close()
    churn = _expected("churn_risk.scorecard", tmp_path)
    assert campaign is not None and campaign[0] == churn.filter(pl.col("segment") == "high").height


PG_MODELS = ("rules_only", "bins_points", "churn_risk")
"""Every model runs on PostgreSQL with its default settings (JIT on): the exported model's
steps are fenced (a `WITH` list of their own, docs/sql.md) and its `pre_hook` sets the
dialect's JIT settings for the model's transaction."""


@pytest.mark.postgres
def test_dbt_postgres(tmp_path: Path, pg_url: str) -> None:
    project = _project(tmp_path, "postgres", PG_MODELS)
    url = urlparse(pg_url)
    env = {
        **os.environ,
        "SCORECARD_DBT_PG_HOST": url.hostname or "localhost",
        "SCORECARD_DBT_PG_PORT": str(url.port or 5432),
        "SCORECARD_DBT_PG_USER": url.username or "postgres",
        "SCORECARD_DBT_PG_DB": url.path.lstrip("/"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "0",
    }
    with psycopg.connect(pg_url) as conn:
        jit = conn.execute("SHOW jit").fetchone()
    _run_project(project, {**env, "SCORECARD_DBT_TARGET": "postgres"})
    with psycopg.connect(pg_url) as conn:
        for name in PG_MODELS:
            card = MODELS[name][0]
            cursor = conn.execute(f'SELECT * FROM "public"."{name}"'.encode())
            columns = [c.name for c in cursor.description or []]
            got = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
            expected = _expected(card, tmp_path)
            _same_rows(got, expected, expected.columns[0])
    assert jit is not None  # the server's own setting, never turned off by the project
