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


FIELDS: dict[str, tuple[str, ...]] = {
    name: tuple(f.name for f in dataclasses.fields(cls)) for name, cls in NODES.items()
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
    """Plain JSON data for a tree: `{"nodes": [...]}`, its distinct nodes, children before
    parents, each child named by its place in the list; the root is the last node.

    A compiled 100-tree model repeats each feature's expression (cast, imputation, float32
    rounding) at every split: stored once, the entry is a fraction of the size, decoding
    builds a fraction of the nodes, and a backend that translates each node once
    (`engine.backends.polars.expressions`) does a fraction of the work. Nodes are frozen,
    so sharing them changes no value.
    """
    return {"nodes": _Encoder().table(expr)}


class _Encoder:
    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.places: dict[str, int] = {}
        """A node's JSON text -> its place: equal text, equal node (the text tells 0.0
        from -0.0, and 1 from 1.0 and true)."""
        self.done: dict[int, tuple[ir.Expr, int]] = {}
        """id -> (node, place) for node objects met already (held so the id stays theirs)."""

    def table(self, expr: ir.Expr) -> list[dict[str, Any]]:
        self.add(expr)
        return self.nodes

    def add(self, expr: ir.Expr) -> int:
        found = self.done.get(id(expr))
        if found is not None:
            return found[1]
        out: dict[str, Any] = {"node": type(expr).__name__}
        for name in FIELDS[type(expr).__name__]:
            v = getattr(expr, name)
            if isinstance(v, ScalarType):
                out[name] = {"type": v.value}
            elif isinstance(v, tuple):
                out[name] = [self.add(x) for x in v]
            elif name != "value" and dataclasses.is_dataclass(v):
                out[name] = self.add(v)  # type: ignore[arg-type]
            else:
                out[name] = _value(v)
        text = json.dumps(out, sort_keys=True, allow_nan=False)
        place = self.places.get(text)
        if place is None:
            place = self.places[text] = len(self.nodes)
            self.nodes.append(out)
        self.done[id(expr)] = (expr, place)
        return place


def decode(data: Any) -> ir.Expr:
    """The tree `encode` gave (a node stored once is one shared object).

    A field holds a child's place (an int, never in `value`, the one field of plain
    values that may be a number), a list of places, a type, or a plain value."""
    built: list[ir.Expr] = []
    for entry in data["nodes"]:
        cls = NODES[entry["node"]]
        kwargs: dict[str, Any] = {}
        for name in FIELDS[entry["node"]]:
            if name not in entry:
                continue
            v = entry[name]
            if name == "value":
                kwargs[name] = _unvalue(v)
            elif isinstance(v, dict):
                kwargs[name] = ScalarType(v["type"])
            elif isinstance(v, list):
                kwargs[name] = tuple(built[i] for i in v)
            elif isinstance(v, int) and not isinstance(v, bool):
                kwargs[name] = built[v]
            else:
                kwargs[name] = v
        built.append(cls(**kwargs))
    return built[-1]


def dumps(expr: ir.Expr) -> str:
    return json.dumps(encode(expr), separators=(",", ":"), allow_nan=False)


def loads(text: str) -> ir.Expr:
    return decode(json.loads(text))
