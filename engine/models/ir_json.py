"""`engine.ir` expressions to JSON and back, exactly (floats by their shortest repr).

Used to keep compiled model expressions between runs (`engine.models.cache`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from typing import Any

from engine import ir
from engine.types import ScalarType

NODES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        ir.Literal,
        ir.Ref,
        ir.Param,
        ir.Cast,
        ir.Float32,
        ir.Negate,
        ir.Not,
        ir.Arith,
        ir.Sum,
        ir.Logic,
        ir.Compare,
        ir.InList,
        ir.IsMissing,
        ir.If,
        ir.Call,
        ir.ModelBatch,
    )
}


def _value(v: ir.Value) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return {"float": repr(v)}
    if isinstance(v, dt.datetime):
        return {"datetime": v.isoformat()}
    if isinstance(v, dt.date):
        return {"date": v.isoformat()}
    return v


def _unvalue(v: Any) -> ir.Value:
    if isinstance(v, dict):
        if "float" in v:
            return float(v["float"])
        if "datetime" in v:
            return dt.datetime.fromisoformat(v["datetime"])
        return dt.date.fromisoformat(v["date"])
    return v  # type: ignore[no-any-return]


def encode(expr: ir.Expr) -> Any:
    """Plain JSON data for a tree."""
    out: dict[str, Any] = {"node": type(expr).__name__}
    for f in dataclasses.fields(expr):
        v = getattr(expr, f.name)
        if isinstance(v, ScalarType):
            out[f.name] = {"type": v.value}
        elif isinstance(v, tuple):
            out[f.name] = [encode(x) for x in v]
        elif dataclasses.is_dataclass(v):
            out[f.name] = encode(v)  # type: ignore[arg-type]
        else:
            out[f.name] = _value(v)
    return out


def decode(data: Any) -> ir.Expr:
    """The tree `encode` gave."""
    cls = NODES[data["node"]]
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        v = data[f.name]
        if isinstance(v, dict) and "node" in v:
            kwargs[f.name] = decode(v)
        elif isinstance(v, dict) and "type" in v:
            kwargs[f.name] = ScalarType(v["type"])
        elif isinstance(v, list):
            kwargs[f.name] = tuple(decode(x) for x in v)
        elif f.name == "value":
            kwargs[f.name] = _unvalue(v)
        else:
            kwargs[f.name] = v
    return cls(**kwargs)  # type: ignore[no-any-return]


def dumps(expr: ir.Expr) -> str:
    return json.dumps(encode(expr), separators=(",", ":"), allow_nan=False)


def loads(text: str) -> ir.Expr:
    return decode(json.loads(text))
