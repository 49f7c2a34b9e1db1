"""SQL for reasons ranked as integer keys (`engine.reason_keys`): one key per contribution.

Each contribution that can be a reason becomes an integer column: 0 where it is not a
candidate (missing, zero, the wrong sign), else `level * width + (width - 1 - slot)`. The
rounds are then GREATEST over integers, each round taking the largest key below the last
round's, and the name comes back from the key's remainder (the steps are built by
`StatementBuilder.keyed_reason_steps`). Against the float rounds (`reasons_rounds.sql.j2`),
which compare every contribution to the round's best and then search for its first
position, this drops one CTE per round and every float comparison after the keys (DuckDB:
docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine.backends.sql.sqltext import Sql, join, sql
from engine.reason_keys import KeyedSource, ReasonKeys


def key_sql(
    keyed: ReasonKeys,
    source: KeyedSource,
    columns: Sequence[Sql],
    number: Callable[[float], Sql],
) -> Sql:
    """The key of `source` (`columns`: every keyed source's column, in slot order; `number`
    writes a float literal)."""
    column = columns[source.slot]
    if source.keys is not None:
        if len(source.keys) == 1:
            ((value, key),) = source.keys
            return sql("CASE WHEN {} = {} THEN {} ELSE 0 END", column, number(value), key)
        arms = join(" ", [sql("WHEN {} THEN {}", number(v), k) for v, k in source.keys])
        return sql("CASE {} {} ELSE 0 END", column, arms)
    return _general_key(keyed, source, columns, number)


def _general_key(
    keyed: ReasonKeys,
    source: KeyedSource,
    columns: Sequence[Sql],
    number: Callable[[float], Sql],
) -> Sql:
    """A general contribution's key: its place among the fixed values, strongest first; in a
    gap between two of them, one level above the lower plus the count of the row's other
    general contributions that are weaker (`engine.reason_keys`)."""
    column = columns[source.slot]
    stronger = sql(">") if keyed.highest else sql("<")
    weaker = sql("<") if keyed.highest else sql(">")
    others = [
        sql("CASE WHEN {} {} {} THEN 1 ELSE 0 END", columns[s.slot], weaker, column)
        for s in keyed.sources
        if s.keys is None and s is not source
    ]
    sub = sql(" + {} * ({})", keyed.width, join(" + ", others)) if others else sql("")

    def gap(level: int) -> Sql:
        return sql("{}{}", keyed.key(level + 1, source.slot), sub)

    arms: list[Sql] = []
    for strength, level in keyed.general_levels():
        value = number(keyed.strength(strength))  # back to the contribution's sign
        arms.append(sql("WHEN {} {} {} THEN {}", column, stronger, value, gap(level)))
        arms.append(sql("WHEN {} = {} THEN {}", column, value, keyed.key(level, source.slot)))
    # A row that is no candidate (most, for a rule that rarely gives points) is out at once.
    zero = number(0.0)
    ranked = sql("CASE {} ELSE {} END", join(" ", arms), gap(0)) if arms else gap(0)
    return sql("CASE WHEN {} {} {} THEN {} ELSE 0 END", column, stronger, zero, ranked)
