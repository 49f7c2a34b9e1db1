"""The order of the statement's steps: any order in which each step follows what it reads,
chosen so that few columns are carried from step to step.

Why: every step passes on the columns read after it (`carried.py`), and an engine that
forms each step's rows (PostgreSQL, Spark) pays for every carried column at every step.
In the card's own order the contributions (the reference card: 68) are computed early and
read only by `points` and the reasons, at the end: carried through every step between,
the model's among them. Here each step is placed, among those whose inputs are ready, by
how much it grows the set of live columns: the columns it adds, less those it is the last
to read. So `points` and the reasons' keys and rounds run as soon as the contributions
exist, and a step that only adds columns (a model) waits until the steps that drop columns
have run. Ties keep the card's order. A greedy choice is not always the best one: when the
card's own order carries no more columns, it is kept.

The reference card's steps carry about 680 columns in all instead of about 1,250, and its
60 rules are computed after the 100-tree model rather than carried through it (docs/sql.md,
"The statement"; docs/performance.md, "Warehouses").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from engine.backends.sql.carried import Computed, prune, reads
from engine.backends.sql.sqltext import Sql


def order(steps: Sequence[Computed], first: Iterable[Sql], tail: Iterable[Sql]) -> list[int]:
    """The indices of `steps` in the order to run them: the greedy order below, unless the
    card's own order carries no more columns (a small card: churn_risk carries 122 columns
    the greedy way against 119 in its own order). `first` are the columns the first step
    reads from (the inputs), `tail` those the rest of the statement reads."""
    first, tail = list(first), set(tail)
    own = list(range(len(steps)))
    return min((own, greedy(steps, first, tail)), key=lambda o: carried(steps, o, first, tail))


def carried(steps: Sequence[Computed], ordered: list[int], first: list[Sql], tail: set[Sql]) -> int:
    """How many columns the steps pass on in all, run in the order `ordered`."""
    return sum(len(c) for c in prune([steps[i] for i in ordered], first, tail))


def greedy(steps: Sequence[Computed], first: Iterable[Sql], tail: Iterable[Sql]) -> list[int]:
    """Each next step the one, among those whose inputs exist, that grows the live columns
    least; ties in the card's order."""
    added = {name: i for i, step in enumerate(steps) for name in step.names}
    wanted = [reads(step.text, [n for n in added if added[n] != i]) for i, step in enumerate(steps)]
    after = [{added[n] for n in w} for w in wanted]
    live_readers: dict[Sql, set[int]] = {}
    for i, w in enumerate(wanted):
        for name in w:
            live_readers.setdefault(name, set()).add(i)
    for i, step in enumerate(steps):
        for name in reads(step.text, first):
            live_readers.setdefault(name, set()).add(i)
    kept = set(tail)
    done: set[int] = set()
    out: list[int] = []
    while len(out) < len(steps):
        ready = [i for i in range(len(steps)) if i not in done and after[i] <= done]

        def growth(i: int) -> int:
            last = sum(
                1
                for name, readers in live_readers.items()
                if i in readers and len(readers) == 1 and name not in kept
            )
            return len(steps[i].names) - last

        chosen = min(ready, key=lambda i: (growth(i), i))
        done.add(chosen)
        out.append(chosen)
        for readers in live_readers.values():
            readers.discard(chosen)
    return out
