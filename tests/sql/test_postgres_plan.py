"""PostgreSQL may run the whole chain of steps in parallel workers (docs/sql.md, "The
statement"): the plan of the example card (a 100-tree model, reasons, classes) has every step
below one Gather or Gather Merge. A step fenced by `OFFSET 0`, or a window over the whole
table low in the chain, would keep the steps above it out of the workers.

The plan's shape is checked, not its time: parallel plans are made cheap for this small
table, as the planner finds them for a large one, and the statement is explained, not run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg
import pytest

from engine.api import load
from engine.backends.sql import compile_program, get_dialect
from tests.sql.cards import customers, full_card
from tests.sql.helpers import pg_table

pytestmark = pytest.mark.postgres

_PARALLEL = ("Gather", "Gather Merge")


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The node and every node below it."""
    out = [plan]
    for child in plan.get("Plans", []):
        out += _nodes(child)
    return out


def _plan(pg: psycopg.Connection, statement: str) -> dict[str, Any]:
    with pg.transaction():
        for setting in (
            "jit = off",
            "parallel_setup_cost = 0",
            "parallel_tuple_cost = 0",
            "min_parallel_table_scan_size = 0",
        ):
            pg.execute(f"SET LOCAL {setting}".encode())
        row = pg.execute(f"EXPLAIN (FORMAT JSON) {statement}".encode()).fetchone()
    assert row is not None
    plan: dict[str, Any] = row[0][0]["Plan"]
    return plan


def test_every_step_runs_below_a_gather(pg: psycopg.Connection, tmp_path: Path) -> None:
    program = load(full_card(tmp_path)).sql_program()
    pg_table(pg, "plan_customers", customers())
    pg.execute("ANALYZE plan_customers")
    statement = compile_program(program, "postgres", "plan_customers")
    plan = _plan(pg, statement)
    nodes = _nodes(plan)
    steps = {n["Alias"] for n in nodes if n["Node Type"] == "Subquery Scan"}
    fenced = re.findall(r'^"(\w+)" AS \(\n(?:  --[^\n]*\n)*  WITH "_sc_fence"', statement, re.M)
    assert len(fenced) >= 6 and "reasons" in fenced, fenced
    assert set(fenced) - {"classes"} <= steps, (fenced, steps)
    gathers = [n for n in nodes if n["Node Type"] in _PARALLEL]
    assert gathers, "no parallel plan"
    below = {n.get("Alias") for g in gathers for n in _nodes(g)}
    serial = sorted(steps - below - {"s"})  # classes (read as s): a window over every row
    assert not serial, f"steps outside the parallel workers: {serial}"
    # The table is read by the workers, and no step is a fenced subquery (Limit).
    scans = [n for n in nodes if n.get("Relation Name") == "plan_customers"]
    assert any(n.get("Parallel Aware") for n in scans)
    assert not [n for n in nodes if n["Node Type"] == "Limit"]


def test_local_settings_are_postgres_settings_for_the_transaction_only(
    pg: psycopg.Connection,
) -> None:
    """The JIT settings `apply --db` and dbt's `pre_hook` run (docs/sql.md) are accepted by a
    real server, take effect inside the transaction and end with it."""
    settings = get_dialect("postgres").local_settings()
    names = [s.removeprefix("SET LOCAL ").split(" = ")[0] for s in settings]
    assert names == ["jit_above_cost", "jit_inline_above_cost", "jit_optimize_above_cost"]

    def shown() -> list[str]:
        return [str(pg.execute(f"SHOW {n}".encode()).fetchone()[0]) for n in names]  # type: ignore[index]

    before = shown()
    with pg.transaction():
        for setting in settings:
            pg.execute(setting.encode())
        inside = shown()
    assert inside == ["500000", "-1", "-1"]
    assert shown() == before != inside
