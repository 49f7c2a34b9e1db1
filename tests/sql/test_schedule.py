"""The order of the statement's steps (`engine.backends.sql.schedule`): every step after what
it reads, and steps that drop columns before steps that only add them."""

from __future__ import annotations

import random
import re
from pathlib import Path

from engine.api import load
from engine.backends.sql.carried import reads
from engine.backends.sql.schedule import Node, order
from engine.backends.sql.sqltext import Sql, identifier

ROOT = Path(__file__).resolve().parents[2]


def q(name: str) -> Sql:
    return identifier(name, "double_quote")


def node(adds: list[str], reads_: list[str]) -> Node:
    return Node(tuple(q(a) for a in adds), " + ".join(str(q(r)) for r in reads_))


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
    got = order(nodes, [q("x"), q("y")], [q("score")])
    assert got.index(2) == got.index(0) + 1
    assert got[-1] == 3


def test_ties_keep_the_card_order() -> None:
    nodes = [node(["a"], ["x"]), node(["b"], ["x"]), node(["c"], ["a", "b"])]
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
        got = order(nodes, [q("x")], [q(f"v{size - 1}_0")])
        assert sorted(got) == list(range(size))
        place = {n: p for p, n in enumerate(got)}
        for i, n in enumerate(nodes):
            needed = reads(n.text, [name for m in nodes for name in m.names])
            for j, other in enumerate(nodes):
                if needed & set(other.names):
                    assert place[j] < place[i]


def _carried(statement: str) -> list[int]:
    """Columns each step of a compiled statement passes on (its first SELECT line)."""
    counts = []
    for match in re.finditer(r'^"(\w+)" AS \(\n(.*?)\n\)', statement, re.S | re.M):
        lines = [line for line in match.group(2).split("\n") if line.startswith('    "')]
        counts.append(lines[0].count('", "') + 1 if lines and ", " in lines[0] else 0)
    return counts


def test_the_reference_card_carries_fewer_columns() -> None:
    """The benchmarks' reference card (60 rules, 8 bins, two models, reasons 3): its
    contributions are no longer carried through the model's steps."""
    card = load(ROOT / "benchmarks" / "reference.scorecard")
    statement = card.to_sql("postgres", "t")
    carried = _carried(statement)
    assert sum(carried) < 800, carried  # about 1,250 in the card's order
    trees = re.search(r'^"model_churn_helpers_2" AS \(\n(.*?)\n\)', statement, re.S | re.M)
    assert trees is not None
    passed_on = next(line for line in trees.group(1).split("\n") if line.startswith('    "'))
    carried_rules = [r.name for r in card.program.rules if f'"{r.name}"' in passed_on]
    assert not carried_rules  # the 60 rules; at most the 8 bins blocks are carried
