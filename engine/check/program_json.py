"""A checked `Program` to JSON and back, exactly: what `engine.check.cached` keeps.

JSON rather than pickle: reading a cache entry must never run code, whoever wrote the
file. Every value is tagged with what it was (`{"$": "RuleDef", ...}`, a tuple, a path, a
date, a non-finite float), expressions go through `engine.models.ir_json`, and decoding
accepts only the classes listed here: anything else is refused as a damaged entry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine import program
from engine.diagnostics import Span
from engine.models import ir_json
from engine.types import ScalarType

CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        program.Program,
        program.InputColumn,
        program.ParamDef,
        program.Definition,
        program.RuleDef,
        program.BinEntry,
        program.BinsDef,
        program.ModelDef,
        program.SegmentDef,
        program.ExcludeDef,
        program.ReasonsDef,
        program.OutcomeDef,
        program.ExampleDef,
        Span,
    )
}
_IR_NODES = tuple(ir_json.NODES.values())


class DamagedEntry(ValueError):
    """The JSON is not a program this module wrote."""


def encode(value: Any) -> Any:
    """Plain JSON data for a program or any value inside one."""
    if isinstance(value, ScalarType):  # before str: it is one
        return {"$": "type", "v": value.value}
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    if isinstance(value, _IR_NODES):
        return {"$": "ir", "v": ir_json.encode(value)}
    if isinstance(value, Path):
        return {"$": "path", "v": str(value)}
    if isinstance(value, dt.datetime):
        return {"$": "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$": "date", "v": value.isoformat()}
    if isinstance(value, tuple):
        return {"$": "tuple", "v": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {"$": "map", "v": [[encode(k), encode(v)] for k, v in value.items()]}
    name = type(value).__name__
    if dataclasses.is_dataclass(value) and CLASSES.get(name) is type(value):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$": name, **fields}
    raise TypeError(f"cannot keep a {name} in a program entry")


def decode(data: Any) -> Any:
    """The value `encode` gave; DamagedEntry for anything it could not have written."""
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict) or not isinstance(data.get("$"), str):
        raise DamagedEntry("an untagged object")
    tag = data["$"]
    v: Any = data.get("v")
    try:
        match tag:
            case "float":
                return float(v)
            case "type":
                return ScalarType(v)
            case "ir":
                return ir_json.decode(v)
            case "path":
                return Path(v)
            case "datetime":
                return dt.datetime.fromisoformat(v)
            case "date":
                return dt.date.fromisoformat(v)
            case "tuple":
                return tuple(decode(x) for x in v)
            case "map":
                return {decode(k): decode(x) for k, x in v}
        cls = CLASSES.get(tag)
        if cls is None:
            raise DamagedEntry(f"unknown tag {tag!r}")
        return cls(**{k: decode(x) for k, x in data.items() if k != "$"})
    except (TypeError, ValueError, KeyError, IndexError) as exc:
        raise DamagedEntry(str(exc)) from None
