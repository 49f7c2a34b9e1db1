"""An independent, row-by-row evaluator of generated cards, in plain Python.

It reads the description in `tests.cardspec` (never the engine's parse or IR) and follows the
language reference literally: SQL three-valued logic, null in / null out, division by zero and
out-of-domain `ln`/`log10`/`sqrt`/`logit` give null, `round` half away from zero, NaN read from
data is null, classes are `NTILE(N) OVER (ORDER BY score DESC, key ASC)` with byte-wise keys,
reasons ranked by size with ties in file order. It deliberately shares no code with `engine`.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.cardspec import (
    Binary,
    BinSpec,
    BinsSpec,
    CardSpec,
    Fn,
    IfElse,
    InValues,
    Lit,
    Missing,
    Name,
    Node,
    PyValue,
    RuleSpec,
    Unary,
)

Env = dict[str, PyValue]

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def evaluate(node: Node, env: Mapping[str, PyValue]) -> PyValue:
    """The value of `node` for one row."""
    match node:
        case Lit(value=v):
            return v
        case Name(name=n):
            return env[n]
        case Unary(op="-", operand=o):
            v = evaluate(o, env)
            return None if v is None else -v  # type: ignore[operator]
        case Unary(op="not", operand=o):
            v = evaluate(o, env)
            return None if v is None else not v
        case Binary(op="and", left=a, right=b):
            x, y = evaluate(a, env), evaluate(b, env)
            if x is False or y is False:
                return False
            return None if x is None or y is None else True
        case Binary(op="or", left=a, right=b):
            x, y = evaluate(a, env), evaluate(b, env)
            if x is True or y is True:
                return True
            return None if x is None or y is None else False
        case Binary(op=op, left=a, right=b):
            x, y = evaluate(a, env), evaluate(b, env)
            if x is None or y is None:
                return None
            if op in _COMPARE:
                return _COMPARE[op](x, y)
            return _arith(op, x, y)
        case IfElse(cond=c, then=t, else_=e):
            return evaluate(t, env) if evaluate(c, env) is True else evaluate(e, env)
        case InValues(operand=o, values=values, negated=neg):
            v = evaluate(o, env)
            return None if v is None else (v in values) != neg
        case Missing(operand=o, negated=neg):
            return (evaluate(o, env) is None) != neg
        case Fn(name=f, args=args):
            return _call(f, [evaluate(a, env) for a in args])
    raise TypeError(f"unknown node {node!r}")


def _arith(op: str, x: Any, y: Any) -> PyValue:
    if op == "+":
        return x + y  # type: ignore[no-any-return]
    if op == "-":
        return x - y  # type: ignore[no-any-return]
    if op == "*":
        return float(x) * float(y)
    if op == "/":
        return None if y == 0 else float(x) / float(y)
    raise ValueError(op)


def _call(f: str, args: list[PyValue]) -> PyValue:
    if f == "coalesce":
        return next((a for a in args if a is not None), None)
    if any(a is None for a in args):
        return None
    a: Any = args[0]
    if f == "abs":
        return abs(a)
    if f == "min":
        return min(args)  # type: ignore[type-var]
    if f == "max":
        return max(args)  # type: ignore[type-var]
    if f == "clip":
        return min(max(a, args[1]), args[2])  # type: ignore[type-var]
    if f == "round":
        if isinstance(a, int):
            return a
        return float(Decimal(a).to_integral_value(rounding=ROUND_HALF_UP))
    if f == "floor":
        return a if isinstance(a, int) else float(math.floor(a))
    if f == "ceil":
        return a if isinstance(a, int) else float(math.ceil(a))
    if f == "ln":
        return math.log(a) if a > 0 else None
    if f == "log10":
        return math.log10(a) if a > 0 else None
    if f == "sqrt":
        return math.sqrt(a) if a >= 0 else None
    if f == "logit":
        return math.log(a / (1.0 - a)) if 0 < a < 1 else None
    if f == "sigmoid":
        try:
            return 1.0 / (1.0 + math.exp(-a))
        except OverflowError:
            return 0.0
    if f == "days_between":
        return (args[1] - a).days  # type: ignore[operator, no-any-return]
    if f in ("year", "month", "day"):
        return int(getattr(a, f))
    if f == "length":
        return len(a)
    if f == "lower":
        return str(a).lower()
    if f == "upper":
        return str(a).upper()
    raise ValueError(f"unknown function {f}")


def bin_matches(entry: BinSpec, value: PyValue) -> bool:
    """Whether a bin takes a value; a null value matches only `missing` and `else`."""
    if entry.kind == "else":
        return True
    if entry.kind == "missing":
        return value is None
    if value is None:
        return False
    v: Any = value
    if entry.kind == "cmp":
        assert entry.op is not None
        return _COMPARE[entry.op](v, entry.value)
    if entry.kind == "eq":
        return bool(v == entry.value)
    if entry.kind == "in":
        return v in entry.values
    low: Any = entry.low
    high: Any = entry.high
    above = v >= low if entry.low_closed else v > low
    below = v <= high if entry.high_closed else v < high
    return bool(above and below)


def contribution(c: RuleSpec | BinsSpec, env: Env) -> float | None:
    if isinstance(c, RuleSpec):
        if evaluate(c.cond, env) is not True:
            return 0.0
        p = evaluate(c.points, env)
        return None if p is None else float(p)  # type: ignore[arg-type]
    value = env[c.on]
    for entry in c.entries:
        if bin_matches(entry, value):
            return float(entry.points)
    return 0.0


def _clean(value: PyValue) -> PyValue:
    """NaN read from data is null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def row_values(spec: CardSpec, row: Mapping[str, PyValue]) -> Env:
    """Every named value for one row: inputs, params, lets, contributions, points, score."""
    env: Env = {spec.key: row[spec.key]}
    for name, _ in spec.inputs:
        env[name] = _clean(row.get(name))
    for name, _, value in spec.params:
        env[name] = value
    for name, node in spec.lets:
        env[name] = evaluate(node, env)
    total: float | None = 0.0
    for c in spec.contributions:
        v = contribution(c, env)
        env[c.name] = v
        total = None if total is None or v is None else total + v
    env["points"] = total
    raw = total if spec.score is None else evaluate(spec.score, env)
    env["score"] = None if raw is None else float(raw)  # type: ignore[arg-type]
    return env


def ntile(count: int, buckets: int) -> list[int]:
    """SQL NTILE bucket numbers for `count` ordered rows: the first count % buckets get one more."""
    q, r = divmod(count, buckets)
    out: list[int] = []
    for bucket in range(1, buckets + 1):
        out.extend([bucket] * (q + (1 if bucket <= r else 0)))
    return out


def _key_order(key: PyValue) -> Any:
    return key.encode("utf-8") if isinstance(key, str) else key


def reference_results(spec: CardSpec, rows: Sequence[Mapping[str, PyValue]]) -> list[Env]:
    """The result rows `scorecard apply` must produce, in input order."""
    results: list[Env] = []
    for row in rows:
        env = row_values(spec, row)
        excluded = next(
            (label for label, cond in spec.excludes if evaluate(cond, env) is True), None
        )
        out: Env = {spec.key: row[spec.key], "score": None}
        if spec.segments:
            out["segment"] = None
        if spec.classes is not None:
            out["class"] = None
        if spec.reasons is not None:
            for i in range(1, spec.reasons[0] + 1):
                out[f"reason_{i}"] = None
        out["excluded"] = excluded
        if excluded is None:
            out["score"] = env["score"]
            if spec.segments:
                out["segment"] = _segment(spec, env)
            if spec.reasons is not None:
                for i, name in enumerate(_reasons(spec, env), start=1):
                    out[f"reason_{i}"] = name
        results.append(out)
    if spec.classes is not None:
        scored = [i for i, r in enumerate(results) if r["score"] is not None]
        scored.sort(key=lambda i: (-results[i]["score"], _key_order(results[i][spec.key])))  # type: ignore[operator]
        for i, bucket in zip(scored, ntile(len(scored), spec.classes), strict=True):
            results[i]["class"] = bucket
    return results


def _segment(spec: CardSpec, env: Env) -> str | None:
    for name, cond in spec.segments:
        if cond is None or evaluate(cond, env) is True:
            return name
    return None


def _reasons(spec: CardSpec, env: Env) -> list[str]:
    assert spec.reasons is not None
    count, direction = spec.reasons
    values: list[tuple[int, str, float]] = []
    for order, c in enumerate(spec.contributions):
        v = env[c.name]
        if isinstance(v, float) and ((v > 0) if direction == "highest" else (v < 0)):
            values.append((order, c.name, v))
    sign = -1.0 if direction == "highest" else 1.0
    values.sort(key=lambda t: (sign * t[2], t[0]))
    return [name for _, name, _ in values[:count]]


def explain_values(spec: CardSpec, row: Mapping[str, PyValue]) -> Env:
    """Every let and contribution for one row (what `--explain` and `explain` show)."""
    return row_values(spec, row)


__all__ = ["dt", "evaluate", "explain_values", "ntile", "reference_results", "row_values"]
