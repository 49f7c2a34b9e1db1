"""The cache's JSON form of expressions: equal subtrees stored once and decoded as one shared
node, values that compare equal in Python but differ (0.0 and -0.0, 1 and 1.0 and true) kept
apart, every float to the last bit."""

from __future__ import annotations

import json
import math

from engine import ir
from engine.models import ir_json
from engine.types import ScalarType

F = ScalarType.FLOAT


def _feature(name: str) -> ir.Expr:
    """What a compiled model repeats at every split: float32 of the imputed, cast column."""
    imputed = ir.Call(
        "coalesce", (ir.Cast(ir.Ref(name, ScalarType.INT), F), ir.Literal(46.0, F)), F
    )
    return ir.Float32(imputed)


def _tree(threshold: float, low: float, high: float) -> ir.Expr:
    # A fresh copy of the feature each time, as the compiler builds it.
    return ir.If(
        ir.Compare("<=", _feature("age"), ir.Literal(threshold, F)),
        ir.Literal(low, F),
        ir.Literal(high, F),
        F,
    )


def test_equal_subtrees_are_stored_once_and_shared() -> None:
    trees = tuple(_tree(30.5 + i, -0.1 * i, 0.2 * i) for i in range(50))
    expr = ir.Sum(trees, F)
    data = ir_json.encode(expr)
    kinds = [node["node"] for node in data["nodes"]]
    # The feature's five nodes (Ref, Cast, Literal 46.0, Call, Float32) appear once, not 50 times.
    assert kinds.count("Ref") == 1
    assert kinds.count("Float32") == 1
    assert kinds.count("If") == 50
    back = ir_json.loads(json.dumps(data))
    assert back == expr
    assert isinstance(back, ir.Sum)
    features = {
        id(t.cond.left)
        for t in back.terms
        if isinstance(t, ir.If) and isinstance(t.cond, ir.Compare)
    }
    assert len(features) == 1


def test_values_equal_in_python_stay_apart() -> None:
    values = (
        ir.Literal(0.0, F),
        ir.Literal(-0.0, F),
        ir.Literal(1, ScalarType.INT),
        ir.Literal(1.0, F),
        ir.Literal(True, ScalarType.BOOL),
        ir.Literal(math.inf, F),
        ir.Literal(0.1 + 0.2, F),
    )
    expr = ir.Call("coalesce", values, F)
    back = ir_json.loads(ir_json.dumps(expr))
    assert isinstance(back, ir.Call)
    got = [(type(a.value), repr(a.value)) for a in back.args if isinstance(a, ir.Literal)]
    assert got == [
        (float, "0.0"),
        (float, "-0.0"),
        (int, "1"),
        (float, "1.0"),
        (bool, "True"),
        (float, "inf"),
        (float, "0.30000000000000004"),
    ]
