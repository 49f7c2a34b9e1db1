"""The order of the statement's steps (`engine.backends.sql.schedule`): every step after what
it reads, and steps that drop columns before steps that only add them."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
import skops.io as sio
from sklearn.ensemble import GradientBoostingClassifier

from engine.api import load
from engine.api import loads as load_text
from engine.backends.sql import statement
from engine.backends.sql.carried import Computed, reads
from engine.backends.sql.schedule import greedy, order
from engine.backends.sql.sqltext import Sql, identifier
from tests.sql.helpers import duckdb_table

ROOT = Path(__file__).resolve().parents[2]


def q(name: str) -> Sql:
    return identifier(name, "double_quote")


def node(adds: list[str], reads_: list[str]) -> Computed:
    return Computed(tuple(q(a) for a in adds), " + ".join(str(q(r)) for r in reads_))


def test_columns_read_by_one_step_are_not_carried_across_another() -> None:
    """c1..c3 are read only by `points`: points runs right after the rules that add them,
    so they are never carried across the model's step, and nothing runs before what it
    reads."""
    nodes = [
        node(["c1", "c2", "c3"], ["x"]),  # rules
        node(["m"], ["x", "y"]),  # a model
        node(["points"], ["c1", "c2", "c3"]),
        node(["score"], ["points", "m"]),
    ]
    got = greedy(nodes, [q("x"), q("y")], [q("score")])
    assert got.index(2) == got.index(0) + 1
    assert order(nodes, [q("x"), q("y")], [q("score")]) == got  # it carries fewer
    assert got[-1] == 3


def test_ties_keep_the_card_order() -> None:
    nodes = [node(["a"], ["x"]), node(["b"], ["x"]), node(["c"], ["a", "b"])]
    assert greedy(nodes, [q("x")], [q("c")]) == [0, 1, 2]
    assert order(nodes, [q("x")], [q("c")]) == [0, 1, 2]


def test_random_graphs_give_an_order_that_respects_every_read() -> None:
    rng = random.Random(7)
    for _ in range(200):
        size = rng.randint(1, 12)
        nodes = []
        for i in range(size):
            earlier = [f"v{j}_{k}" for j in range(i) for k in range(2)]
            picked = rng.sample(earlier, min(len(earlier), rng.randint(0, 4)))
            nodes.append(node([f"v{i}_0", f"v{i}_1"], [*picked, "x"]))
        got = greedy(nodes, [q("x")], [q(f"v{size - 1}_0")])
        assert sorted(got) == list(range(size))
        place = {n: p for p, n in enumerate(got)}
        for i, n in enumerate(nodes):
            needed = reads(n.text, [name for m in nodes for name in m.names])
            for j, other in enumerate(nodes):
                if needed & set(other.names):
                    assert place[j] < place[i]


def _unfused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compile with one step per kind of definition (no step joins the one before it)."""
    scheduled = statement.StatementBuilder.scheduled

    def unfused(self: statement.StatementBuilder, *args: Any, fuse: bool = True) -> Any:
        return scheduled(self, *args, fuse=False)

    monkeypatch.setattr(statement.StatementBuilder, "scheduled", unfused)


def _carried(statement: str) -> list[int]:
    """Columns each step of a compiled statement passes on (its first SELECT line)."""
    counts = []
    for match in re.finditer(r'^"(\w+)" AS \(\n(.*?)\n\)', statement, re.S | re.M):
        lines = [line for line in match.group(2).split("\n") if line.startswith('    "')]
        counts.append(lines[0].count('", "') + 1 if lines and ", " in lines[0] else 0)
    return counts


def _model_card(folder: Path) -> Path:
    """30 rules, a 20-tree boosting trained here, reasons 3: in the card's own order the
    rules' 30 contributions are carried through the model's steps to `points`."""
    rng = np.random.default_rng(4)
    features = rng.normal(size=(400, 3))
    target = (features[:, 0] + features[:, 1] > 0).astype(int)
    model = GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0)
    model.fit(pd.DataFrame(features, columns=["a", "b", "c"]), target)
    sio.dump(model, folder / "m.skops")
    rules = "\n".join(f"rule r{i} when a > {i / 10} then {i % 7 + 1}" for i in range(30))
    card = folder / "card.scorecard"
    card.write_text(
        "scorecard ordered { }\ninput {\n  id : int key\n  a : float required\n"
        "  b : float required\n  c : float required\n}\n"
        f"{rules}\n"
        'model m = sklearn "m.skops" {\n  features [a, b, c]\n  output probability\n}\n'
        "score = points + 100 * m\nreasons 3\n",
        encoding="utf-8",
    )
    return card


def test_a_card_carries_fewer_columns_than_in_its_own_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statement as compiled against the same statement with the steps in the card's
    order (which gives the same rows): the rules wait until the model has run. (Steps
    unfused: fusing comes after the order.)"""
    _unfused(monkeypatch)
    card = load(_model_card(tmp_path), trust_models=True)
    chosen = _carried(card.to_sql("postgres", "t"))
    monkeypatch.setattr(statement, "order", lambda steps, first, tail: list(range(len(steps))))
    in_card_order = _carried(card.to_sql("postgres", "t"))
    assert sum(chosen) < 0.8 * sum(in_card_order), (chosen, in_card_order)


def test_a_small_card_keeps_its_own_order_when_that_carries_less(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """churn_risk: the greedy order would carry 122 columns, its own order 119: kept."""
    _unfused(monkeypatch)
    card = load(ROOT / "scorecards" / "churn_risk.scorecard")
    chosen = _carried(card.to_sql("postgres", "t"))
    monkeypatch.setattr(statement, "order", lambda steps, first, tail: list(range(len(steps))))
    assert chosen == _carried(card.to_sql("postgres", "t"))


FUSING_CARD = """
scorecard fusing { }
input {
  id : int key
  a : float required
  b : float required
}
let doubled = 2 * a
rule big when a > 1 then 10
rule twice when doubled > 3 then 5
bins on_b on b {
  < 0  -> 1
  else -> 2
}
score = points
"""


def _ctes(statement_sql: str) -> list[str]:
    return re.findall(r'^["`](\w+)["`] AS \(', statement_sql, re.M)


def test_steps_that_do_not_read_each_other_share_a_select(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The let and the rule and bins that read only inputs share one SELECT; the rule that
    reads the let comes after it. The rows are the same as with one step per kind (the
    differential tests run every dialect on the fused statement)."""
    card = load_text(FUSING_CARD)
    for dialect in ("postgres", "duckdb", "spark"):
        fused = [n for n in _ctes(card.to_sql(dialect, "t")) if n not in ("inputs", "validated")]
        first = fused[0]
        assert {"lets", "bins"} <= set(first.split("_")), (dialect, fused)
    pg = card.to_sql("postgres", "t")
    fused = [n for n in _ctes(pg) if n not in ("inputs", "validated")]
    body = pg.split(f'"{fused[0]}" AS (', 1)[1].split("\n),", 1)[0]
    assert '"doubled"' in body and '"big"' in body and '" AS "twice"' not in body
    assert "-- let doubled" in body and "-- bins on_b" in body
    _unfused(monkeypatch)
    one_per_kind = [
        n for n in _ctes(card.to_sql("postgres", "t")) if n not in ("inputs", "validated")
    ]
    assert len(fused) < len(one_per_kind) and {"lets", "rules", "bins"} <= set(one_per_kind)
    duck = duckdb.connect()
    frame = pl.DataFrame({"id": [1, 2, 3], "a": [0.5, 1.5, 2.0], "b": [-1.0, 1.0, 0.0]})
    duckdb_table(duck, "t", frame)
    unfused_rows = duck.execute(card.to_sql("duckdb", "t")).fetchall()
    monkeypatch.undo()
    assert duck.execute(card.to_sql("duckdb", "t")).fetchall() == unfused_rows
    assert [r[1] for r in sorted(unfused_rows)] == [1.0, 12.0, 17.0]
