"""Each step passes on exactly the columns read after it (engine/backends/sql/carried.py):
checked on hand-made steps against the reads written out by hand, in every quoting style,
with names that hold their own quote character or look like part of another name: no column
a later step reads is ever left out."""

from __future__ import annotations

import pytest

from engine.backends.sql.carried import Computed, prune
from engine.backends.sql.dialects import DIALECT_NAMES, get_dialect
from engine.backends.sql.sqltext import join, sql

NAMES = ["id", "a", 'a"b', "a`b", "ab", "b", "x y", "age"]


@pytest.mark.parametrize("dialect", [*DIALECT_NAMES, "snowflake_upper"])
def test_each_step_carries_what_later_steps_read(dialect: str) -> None:
    d = get_dialect(dialect)
    q = {n: d.quote(n) for n in [*NAMES, "c1", "c2", "c3"]}

    def step(name: str, reads: list[str], label: str = "") -> Computed:
        text = join(" + ", [q[r] for r in reads])
        if label:
            text = sql("{} || {}", text, d.string(label))
        return Computed((q[name],), text)

    steps = [
        step("c1", ['a"b', "x y"]),  # reads two inputs
        step("c2", ["c1"], label='"b" in a label'),  # a label holding a quoted name
        step("c3", ["a`b", "age"]),  # inputs read only here, two steps later
    ]
    inputs = [q[n] for n in NAMES]
    out = prune(steps, inputs, {q["id"], q["c3"]})
    carried = [list(c) for c in out]
    needed = [[q[n] for n in ns] for ns in (["id", "a`b", "age"], ["id", "a`b", "age"], ["id"])]
    for got, want in zip(carried, needed, strict=True):
        assert [c for c in got if c in want] == want  # none missing, in the input's order
    # Read by c1 only: not carried past it; read by nothing after c3: dropped at the end.
    # (Text that merely holds a name, as a label or a longer name with a doubled quote,
    # may keep a column that is not needed: never harmful, so not checked here.)
    assert q["x y"] not in carried[1] and q['a"b'] not in carried[1]
    assert carried[2] == needed[2]
