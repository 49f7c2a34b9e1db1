"""`scorecard compile --dbt`: params as dbt vars, materialization, `--incremental`, the NAME.yml
beside the model. Models are rendered as dbt renders them (Jinja with `var`, `source`,
`config`, `is_incremental`, `this`) and run on DuckDB; rows are compared with a hand-written
Polars computation of the card."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import numpy as np
import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from engine.cli import app
from tests.sql.helpers import duckdb_table

CARD = """\
scorecard visits {
  title   "Visit {{ frequency }} score"
  version "3.1"
}

input {
  id         : string key
  last_visit : date
  spend      : float
  tag        : string
  updated_at : int
}

param as_of : date   = 2026-06-30
param bonus : float  = 12.5
param pet   : string = "cat"
param fresh : bool   = true

let days = days_between(last_visit, as_of)

exclude "No spend {%" when spend is missing

rule recent "Visited {{ 7*7 }} days ago" when days <= 30 then bonus
rule pet_owner when tag = pet then 7
rule freshness "Fresh" when fresh and days <= 7 then 1

segment "hot"  when score >= 12
segment "cold" otherwise

reasons 2
"""

CLASSES_CARD = CARD.replace("reasons 2", "classes 4\n\nreasons 2")


def _frame(n: int = 400, start: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(11 + start)
    spend = rng.uniform(0, 100, n)
    spend[rng.random(n) < 0.1] = np.nan
    base = dt.date(2026, 4, 1)
    return pl.DataFrame(
        {
            "id": [f"V{i:05d}" for i in range(start, start + n)],
            "last_visit": [base + dt.timedelta(days=int(d)) for d in rng.integers(0, 120, n)],
            "spend": spend,
            "tag": rng.choice(["cat", "dog", "it's \\ odd"], n).tolist(),
            "updated_at": np.arange(start, start + n),
        }
    )


def _expected(frame: pl.DataFrame, as_of: dt.date, bonus: float, pet: str) -> dict[str, Any]:
    """The card by hand: key -> (score, segment, excluded)."""
    out = {}
    for row in frame.iter_rows(named=True):
        spend = row["spend"]
        if spend is None or spend != spend:
            out[row["id"]] = (None, None, "No spend {%")
            continue
        days = (as_of - row["last_visit"]).days
        score = (bonus if days <= 30 else 0.0) + (7.0 if row["tag"] == pet else 0.0)
        score += 1.0 if days <= 7 else 0.0
        out[row["id"]] = (score, "hot" if score >= 12 else "cold", None)
    return out


def _compile(tmp_path: Path, *extra: str, card: str = CARD) -> tuple[int, str, Path]:
    path = tmp_path / "visits.scorecard"
    path.write_text(card, encoding="utf-8")
    out = tmp_path / "models" / "visits.sql"
    out.parent.mkdir(exist_ok=True)
    args = ["compile", str(path), "-d", "duckdb", "-t", "raw.customers", "--dbt", "-o", str(out)]
    result = CliRunner().invoke(app, [*args, *extra])
    return result.exit_code, result.output, out


def _render(model: str, vars_: dict[str, Any], incremental: bool = False) -> str:
    """The model as dbt renders it: vars from `--vars` (YAML-typed), the source a table."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return env.from_string(model).render(
        var=lambda name, default: vars_.get(name, default),
        source=lambda a, b: f'"{b}"',
        config=lambda **kw: "",
        is_incremental=lambda: incremental,
        this='"visits"',
    )


def _rows(con: duckdb.DuckDBPyConnection, query: str) -> dict[str, Any]:
    return {r[0]: (r[1], r[2], r[-1]) for r in con.execute(query).fetchall()}


def test_params_are_vars_with_the_cards_defaults(tmp_path: Path) -> None:
    code, output, out = _compile(tmp_path)
    assert code == 0, output
    model = out.read_text(encoding="utf-8")
    assert "config(" not in model  # the project's materialization applies
    header = model.splitlines()[:9]
    assert "dbt model of scorecard visits version 3.1" in header[0]
    assert "sha256 " in header[1] and len(header[1].split("sha256 ")[1]) == 64
    assert "as_of (date) = 2026-06-30" in "\n".join(header)
    frame = _frame()
    con = duckdb.connect()
    duckdb_table(con, "customers", frame)
    got = _rows(con, _render(model, {}))
    assert got == _expected(frame, dt.date(2026, 6, 30), 12.5, "cat")
    # dbt run --vars '{as_of: 2026-05-15, bonus: 3, pet: ...}': YAML gives a date and an int;
    # a value with quotes and backslashes stays one string literal.
    hostile = "it's \\ odd"
    vars_ = {"as_of": dt.date(2026, 5, 15), "bonus": 3, "pet": hostile, "fresh": False}
    got = _rows(con, _render(model, vars_))
    expected = _expected(frame, dt.date(2026, 5, 15), 3.0, hostile)
    # fresh = false: no `freshness` point
    fresh_off = {
        k: (None if s is None else s - (1.0 if _days(frame, k, dt.date(2026, 5, 15)) <= 7 else 0))
        for k, (s, _, _) in expected.items()
    }
    assert {k: v[0] for k, v in got.items()} == fresh_off
    con.execute("CREATE TABLE canary (x INT)")
    _rows(con, _render(model, {"pet": "x'); DROP TABLE canary; --"}))
    assert con.execute("SELECT COUNT(*) FROM canary").fetchone() == (0,)


def _days(frame: pl.DataFrame, key: str, as_of: dt.date) -> int:
    row = frame.filter(pl.col("id") == key).row(0, named=True)
    return (as_of - row["last_visit"]).days


def test_param_overrides_become_the_defaults(tmp_path: Path) -> None:
    code, output, out = _compile(tmp_path, "--param", "bonus=20")
    assert code == 0, output
    frame = _frame()
    con = duckdb.connect()
    duckdb_table(con, "customers", frame)
    got = _rows(con, _render(out.read_text(encoding="utf-8"), {}))
    assert got == _expected(frame, dt.date(2026, 6, 30), 20.0, "cat")


def test_materialized_is_written_only_when_asked(tmp_path: Path) -> None:
    code, output, out = _compile(tmp_path, "--materialized", "view")
    assert code == 0, output
    assert out.read_text(encoding="utf-8").startswith('{{ config(materialized="view") }}\n')
    result = CliRunner().invoke(
        app, ["compile", "x.scorecard", "-d", "duckdb", "-t", "t", "--materialized", "view"]
    )
    assert result.exit_code == 2 and "--materialized needs --dbt" in result.output


def test_incremental_reads_only_new_rows(tmp_path: Path) -> None:
    code, output, out = _compile(tmp_path, "--incremental", "updated_at")
    assert code == 0, output
    model = out.read_text(encoding="utf-8")
    assert model.startswith('{{ config(materialized="incremental", unique_key="id") }}')
    con = duckdb.connect()
    first = _frame(300)
    duckdb_table(con, "customers", first)
    con.execute(f"CREATE TABLE visits AS {_render(model, {})}")
    later = _frame(100, start=300)
    duckdb_table(con, "customers", pl.concat([first, later]))
    new = con.execute(_render(model, {}, incremental=True)).fetchall()
    # Only the rows past the latest updated_at already scored, with the column carried along.
    assert sorted(r[0] for r in new) == later["id"].to_list()
    assert [r[1] for r in sorted(new)] == later["updated_at"].to_list()
    expected = _expected(later, dt.date(2026, 6, 30), 12.5, "cat")
    assert {r[0]: (r[2], r[3], r[-1]) for r in new} == expected


def test_incremental_refusals(tmp_path: Path) -> None:
    code, output, _ = _compile(tmp_path, "--incremental", "updated_at", card=CLASSES_CARD)
    assert code == 1 and "E910" in output and "classes 4" in output
    code, output, _ = _compile(tmp_path, "--incremental", "updatedat")
    assert code == 1 and "E911" in output and "updated_at" in output


def test_schema_yml_beside_the_model(tmp_path: Path) -> None:
    code, output, out = _compile(tmp_path)
    assert code == 0, output
    schema = yaml.safe_load((out.parent / "visits.yml").read_text(encoding="utf-8"))
    (model,) = schema["models"]
    assert model["name"] == "visits"
    columns = {c["name"]: c for c in model["columns"]}
    assert list(columns) == ["id", "score", "segment", "reason_1", "reason_2", "excluded"]
    assert columns["id"]["data_tests"] == ["unique", "not_null"]

    def accepted(name: str) -> list[Any]:
        (test,) = columns[name]["data_tests"]
        return list(test["accepted_values"]["arguments"]["values"])

    assert accepted("segment") == ["hot", "cold"]
    assert accepted("reason_1") == ["recent", "pet_owner", "freshness"]
    # Text holding `{` is kept from dbt's Jinja by raw blocks.
    assert accepted("excluded") == ["{% raw %}No spend {% endraw %}{{ '{%' }}{% raw %}{% endraw %}"]
    env = jinja2.Environment()
    assert env.from_string(accepted("excluded")[0]).render() == "No spend {%"
    description = env.from_string(columns["reason_1"]["description"]).render()
    assert "recent: Visited {{ 7*7 }} days ago" in description
    assert "Visit {{ frequency }} score" in env.from_string(model["description"]).render()


def test_schema_yml_lists_classes_unquoted(tmp_path: Path) -> None:
    code, output, out = _compile(tmp_path, card=CLASSES_CARD)
    assert code == 0, output
    schema = yaml.safe_load((out.parent / "visits.yml").read_text(encoding="utf-8"))
    columns = {c["name"]: c for c in schema["models"][0]["columns"]}
    (test,) = columns["class"]["data_tests"]
    assert test["accepted_values"]["arguments"] == {"values": [1, 2, 3, 4], "quote": False}


@pytest.mark.parametrize("target", ["visits.scorecard", "visits.yml"])
def test_schema_yml_never_replaces_an_input(tmp_path: Path, target: str) -> None:
    path = tmp_path / "visits.scorecard"
    path.write_text(CARD, encoding="utf-8")
    out = tmp_path / "visits.sql"
    if target == "visits.yml":  # the .yml of -o x.sql is the card itself: refused
        card = tmp_path / "visits.yml"
        card.write_text(CARD, encoding="utf-8")
        path = card
    args = ["compile", str(path), "-d", "duckdb", "-t", "raw.customers", "--dbt", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    if target == "visits.yml":
        assert result.exit_code == 1 and "E804" in result.output
        assert not out.exists() and path.read_text(encoding="utf-8") == CARD
    else:
        assert result.exit_code == 0, result.output
