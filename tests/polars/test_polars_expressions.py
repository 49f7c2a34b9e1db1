"""Node-by-node checks of the Polars translation against values computed by hand or numpy."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from engine import ir
from engine.backends.polars.expressions import TranslationError, translate
from engine.types import ScalarType

F = ScalarType.FLOAT
I = ScalarType.INT  # noqa: E741
B = ScalarType.BOOL
S = ScalarType.STRING


def run(expr: ir.Expr, data: dict[str, list[object]], **predictors: object) -> list[object]:
    frame = pl.DataFrame(data, strict=False)
    out = frame.select(translate(expr, predictors or None).alias("out"))  # type: ignore[arg-type]
    return out["out"].to_list()


def f(v: float) -> ir.Literal:
    return ir.Literal(v, F)


def test_division_by_zero_and_null_give_null() -> None:
    e = ir.Arith("/", ir.Ref("a", F), ir.Ref("b", F))
    assert run(e, {"a": [1.0, 1.0, None, 3.0], "b": [0.0, None, 2.0, -0.0]}) == [
        None,
        None,
        None,
        None,
    ]
    assert run(e, {"a": [1.0], "b": [4.0]}) == [0.25]


def test_three_valued_logic() -> None:
    a, b = ir.Ref("a", B), ir.Ref("b", B)
    data: dict[str, list[object]] = {
        "a": [True, True, True, False, False, False, None, None, None],
        "b": [True, False, None, True, False, None, True, False, None],
    }
    expected_and = [True, False, None, False, False, False, None, False, None]
    expected_or = [True, True, True, True, False, None, True, None, None]
    assert run(ir.Logic("and", a, b), data) == expected_and
    assert run(ir.Logic("or", a, b), data) == expected_or
    assert run(ir.Not(a), data)[6] is None


def test_if_null_condition_takes_else() -> None:
    e = ir.If(ir.Ref("c", B), f(1.0), ir.If(ir.Ref("d", B), f(2.0), f(3.0), F), F)
    data: dict[str, list[object]] = {"c": [True, None, False, None], "d": [None, True, None, None]}
    assert run(e, data) == [1.0, 2.0, 3.0, 3.0]


def test_sum_with_null_term_is_null_and_many_terms_work() -> None:
    terms = tuple(ir.Ref(f"c{i}", F) for i in range(2500))
    data: dict[str, list[object]] = {f"c{i}": [1.0, 0.5] for i in range(2500)}
    data["c1234"] = [1.0, None]
    assert run(ir.Sum(terms, F), data) == [2500.0, None]


def test_round_half_away_from_zero() -> None:
    e = ir.Call("round", (ir.Ref("x", F),), F)
    xs = [0.5, 1.5, 2.5, -0.5, -2.5, 0.49999999999999994, None]
    assert run(e, {"x": xs}) == [1.0, 2.0, 3.0, -1.0, -3.0, 0.0, None]
    e2 = ir.Call("round", (ir.Ref("x", I), ir.Literal(-1, I)), I)
    assert run(e2, {"x": [15, -15, 14, 25]}) == [20, -20, 10, 30]


def test_domain_errors_give_null() -> None:
    x = ir.Ref("x", F)
    data: dict[str, list[object]] = {"x": [-1.0, 0.0, 0.5, 1.0, None]}
    assert run(ir.Call("ln", (x,), F), data)[:3] == [None, None, math.log(0.5)]
    assert run(ir.Call("log10", (x,), F), data)[:2] == [None, None]
    assert run(ir.Call("sqrt", (x,), F), data)[:3] == [None, 0.0, math.sqrt(0.5)]
    logit = run(ir.Call("logit", (x,), F), data)
    assert logit == [None, None, 0.0, None, None]
    assert run(ir.Call("pow", (x, f(0.5)), F), data)[0] is None


def test_min_max_clip_null_if_any_null() -> None:
    x, y = ir.Ref("x", F), ir.Ref("y", F)
    data: dict[str, list[object]] = {"x": [1.0, None, 5.0], "y": [2.0, 1.0, None]}
    assert run(ir.Call("min", (x, y), F), data) == [1.0, None, None]
    assert run(ir.Call("max", (x, y), F), data) == [2.0, None, None]
    clip = ir.Call("clip", (x, f(1.5), f(4.0)), F)
    assert run(clip, data) == [1.5, None, 4.0]


def test_in_list_null_operand_is_null() -> None:
    e = ir.InList(ir.Ref("s", S), (ir.Literal("a", S), ir.Literal("é", S)))
    data: dict[str, list[object]] = {"s": ["a", "é", "b", None]}
    assert run(e, data) == [True, True, False, None]
    assert run(ir.InList(e.operand, e.values, negated=True), data) == [False, False, True, None]


def test_float_literal_compares_in_float64() -> None:
    threshold = 0.5007641166448593
    x = np.float32(0.50076413)
    e = ir.Compare("<=", ir.Float32(ir.Ref("x", F)), f(threshold))
    assert run(e, {"x": [float(x)]}) == [bool(np.float64(x) <= threshold)]


def test_days_between_and_dates() -> None:
    a, b = ir.Ref("a", ScalarType.DATETIME), ir.Ref("b", ScalarType.DATETIME)
    data: dict[str, list[object]] = {
        "a": [dt.datetime(2020, 1, 2, 12), dt.datetime(2020, 1, 1)],
        "b": [dt.datetime(2020, 1, 1), dt.datetime(2020, 1, 3, 23)],
    }
    assert run(ir.Call("days_between", (a, b), I), data) == [-1, 2]
    assert run(ir.Call("month", (a,), I), data) == [1, 1]


def test_strings() -> None:
    s = ir.Ref("s", S)
    data: dict[str, list[object]] = {"s": ["Éa.b", None]}
    assert run(ir.Call("length", (s,), I), data) == [4, None]
    assert run(ir.Call("lower", (s,), S), data) == ["éa.b", None]
    assert run(ir.Call("contains", (s, ir.Literal(".", S)), B), data) == [True, None]


def test_model_batch_calls_predictor_with_nan_for_null() -> None:
    seen: list[np.ndarray] = []

    def predictor(matrix: np.ndarray) -> np.ndarray:
        seen.append(matrix)
        out = matrix[:, 0] * 2 + matrix[:, 1]
        return np.asarray(out, dtype=np.float64)

    e = ir.ModelBatch("m", (ir.Ref("a", F), ir.Cast(ir.Ref("b", I), F)))
    out = run(e, {"a": [1.0, None, 3.0], "b": [1, 2, None]}, m=predictor)
    assert out == [3.0, None, None]
    assert seen[0].dtype == np.float64 and seen[0].shape == (3, 2)
    assert np.isnan(seen[0][1, 0])


def test_unbound_param_fails_loudly() -> None:
    with pytest.raises(TranslationError):
        translate(ir.Param("p", F))


def test_division_by_a_constant_is_true_division() -> None:
    """Not a multiplication by the reciprocal: every quotient equals numpy's x / c."""
    rng = np.random.default_rng(0)
    xs = (rng.normal(size=20000) * 1000).tolist()
    e = ir.Arith("/", ir.Ref("x", F), f(3.7))
    out = np.array(run(e, {"x": xs}), dtype=np.float64)
    assert (out == np.array(xs) / 3.7).all()


def test_division_by_a_cast_int_constant_is_true_division() -> None:
    rng = np.random.default_rng(1)
    xs = (rng.normal(size=20000) * 1000).tolist()
    e = ir.Arith("/", ir.Ref("x", F), ir.Cast(ir.Negate(ir.Literal(7, I)), F))
    out = np.array(run(e, {"x": xs}), dtype=np.float64)
    assert (out == np.array(xs) / -7.0).all()
