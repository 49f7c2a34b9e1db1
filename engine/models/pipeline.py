"""Preprocessing steps of a Pipeline, compiled column by column.

Each step maps the list of column expressions it receives to the list it outputs, doing the
same float64 operations in the same order as its `transform`, so the result is exact:

- StandardScaler: `(x - mean_) / scale_`; RobustScaler: `(x - center_) / scale_`;
- MinMaxScaler: `x * scale_ + min_` (then clipped when `clip=True`);
- SimpleImputer (missing values = NaN): `coalesce(x, statistic)`;
- OneHotEncoder (in a ColumnTransformer or alone): one 0/1 column per kept category;
- OrdinalEncoder: each category's position in `categories_`; unknown categories (and missing
  values not seen in fit) give `unknown_value`, or null where scikit-learn raises; missing
  values seen in fit give `encoded_missing_value`;
- FunctionTransformer without a function (what `remainder="passthrough"` becomes): the
  columns as they are;
- ColumnTransformer: each transformer on its columns, outputs concatenated in order
  (a transformer may itself be a Pipeline of the steps above).

A null stays null through the scalers, as NaN does in scikit-learn.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import ir
from engine.models.irutil import (
    FLOAT,
    NULL,
    ONE,
    Unsupported,
    add,
    as_float,
    div,
    flt,
    if_,
    mul,
    sub,
)
from engine.types import ScalarType

ZERO = ir.Literal(0.0, FLOAT)


def transform(step: Any, cols: list[ir.Expr]) -> list[ir.Expr]:
    """The columns `step.transform` would output for input columns `cols`."""
    if step is None or (isinstance(step, str) and step == "passthrough"):
        return cols
    name = type(step).__name__
    handler = _HANDLERS.get(name)
    if handler is None or type(step).__module__.split(".")[0] != "sklearn":
        raise Unsupported(name, "this preprocessing step has no expression form")
    return handler(step, cols)


def _numeric(step: Any, cols: list[ir.Expr]) -> list[ir.Expr]:
    if any(c.type is ScalarType.STRING for c in cols):
        raise Unsupported(type(step).__name__, "a text column reaches a numeric step")
    return [as_float(c) for c in cols]


def _standard(step: Any, cols: list[ir.Expr]) -> list[ir.Expr]:
    out = _numeric(step, cols)
    if getattr(step, "mean_", None) is not None and step.with_mean:
        out = [sub(c, flt(m)) for c, m in zip(out, step.mean_, strict=True)]
    if getattr(step, "scale_", None) is not None and step.with_std:
        out = [div(c, flt(s)) for c, s in zip(out, step.scale_, strict=True)]
    return out


def _robust(step: Any, cols: list[ir.Expr]) -> list[ir.Expr]:
    out = _numeric(step, cols)
    if step.with_centering:
        out = [sub(c, flt(m)) for c, m in zip(out, step.center_, strict=True)]
    if step.with_scaling:
        out = [div(c, flt(s)) for c, s in zip(out, step.scale_, strict=True)]
    return out


def _minmax(step: Any, cols: list[ir.Expr]) -> list[ir.Expr]:
    out = _numeric(step, cols)
    out = [add(mul(c, flt(s)), flt(m)) for c, s, m in zip(out, step.scale_, step.min_, strict=True)]
    if step.clip:
        low, high = flt(step.feature_range[0]), flt(step.feature_range[1])
        out = [ir.Call("clip", (c, low, high), FLOAT) for c in out]
    return out


def _imputer(step: Any, cols: list[ir.Expr]) -> list[ir.Expr]:
    name = type(step).__name__
    mv = step.missing_values
    if not (mv is None or (isinstance(mv, float) and np.isnan(mv))):
        raise Unsupported(name, f"missing_values={mv!r} (only NaN / null is compiled)")
    if step.add_indicator:
        raise Unsupported(name, "add_indicator=True")
    out: list[ir.Expr] = []
    for c, stat in zip(cols, step.statistics_, strict=True):
        if c.type is ScalarType.STRING:
            if not isinstance(stat, str):
                raise Unsupported(name, f"fill value {stat!r} for a text column")
            out.append(ir.Call("coalesce", (c, ir.Literal(stat, ScalarType.STRING)), c.type))
            continue
        value = float(stat)
        if np.isnan(value):
            if step.keep_empty_features:
                out.append(ir.Call("coalesce", (as_float(c), ZERO), FLOAT))
            continue  # a feature empty at fit time is dropped from the output
        out.append(ir.Call("coalesce", (as_float(c), flt(value)), FLOAT))
    return out


def _category_literal(col: ir.Expr, value: Any, step: str) -> ir.Literal:
    if col.type is ScalarType.STRING:
        if not isinstance(value, str):
            raise Unsupported(step, f"category {value!r} for a text column")
        return ir.Literal(value, ScalarType.STRING)
    if isinstance(value, str):
        raise Unsupported(step, f"text category {value!r} for a numeric column")
    return flt(value)


def _is_missing_category(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _onehot(step: Any, cols: list[ir.Expr]) -> list[ir.Expr]:
    name = type(step).__name__
    if any(x is not None for x in getattr(step, "infrequent_categories_", [None])):
        raise Unsupported(name, "infrequent categories (min_frequency / max_categories)")
    strict = step.handle_unknown == "error"
    drop_idx = getattr(step, "drop_idx_", None)
    out: list[ir.Expr] = []
    for i, (col, cats) in enumerate(zip(cols, step.categories_, strict=True)):
        c = col if col.type is ScalarType.STRING else as_float(col)
        values = list(cats)
        known = [_category_literal(c, v, name) for v in values if not _is_missing_category(v)]
        has_missing = any(_is_missing_category(v) for v in values)
        guard: ir.Expr | None = None
        if strict:  # scikit-learn raises on an unknown category: the model gives null
            in_list: ir.Expr = ir.InList(c, tuple(known)) if known else ir.FALSE
            guard = ir.Logic("or", in_list, ir.IsMissing(c)) if has_missing else in_list
        for j, v in enumerate(values):
            if drop_idx is not None and drop_idx[i] is not None and int(drop_idx[i]) == j:
                continue
            if _is_missing_category(v):
                hit: ir.Expr = ir.IsMissing(c)
            else:
                hit = ir.Compare("=", c, _category_literal(c, v, name))
            indicator = if_(hit, ONE, ZERO)
            out.append(indicator if guard is None else if_(guard, indicator, NULL))
    return out


def _code(value: Any) -> ir.Literal:
    """An OrdinalEncoder output value: a number, or null for NaN."""
    return NULL if _is_missing_category(value) else flt(value)


def _ordinal(step: Any, cols: list[ir.Expr]) -> list[ir.Expr]:
    name = type(step).__name__
    if getattr(step, "_infrequent_enabled", False):
        raise Unsupported(name, "infrequent categories (min_frequency / max_categories)")
    unknown = NULL if step.handle_unknown == "error" else _code(step.unknown_value)
    out: list[ir.Expr] = []
    for col, cats in zip(cols, step.categories_, strict=True):
        c = col if col.type is ScalarType.STRING else as_float(col)
        values = list(cats)
        seen_missing = any(_is_missing_category(v) for v in values)
        code: ir.Expr = unknown
        for position in reversed(range(len(values))):
            if not _is_missing_category(values[position]):
                literal = _category_literal(c, values[position], name)
                code = if_(ir.Compare("=", c, literal), flt(position), code)
        missing = _code(step.encoded_missing_value) if seen_missing else unknown
        out.append(if_(ir.IsMissing(c), missing, code))
    return out


def _function(step: Any, cols: list[ir.Expr]) -> list[ir.Expr]:
    name = type(step).__name__
    if step.func is not None:
        raise Unsupported(name, "a function of the user's (only the identity is compiled)")
    if step.validate:  # scikit-learn converts to a numeric array first
        return _numeric(step, cols)
    return cols


def _column_indices(ct: Any, spec: Any, n: int) -> list[int]:
    """The input positions a ColumnTransformer entry selects (names, ints, slices, masks)."""
    name = type(ct).__name__
    if callable(spec):
        raise Unsupported(name, "a callable column selector")
    names = [str(x) for x in getattr(ct, "feature_names_in_", [])]
    if isinstance(spec, slice):
        if isinstance(spec.start, str) or isinstance(spec.stop, str):
            start = names.index(spec.start) if spec.start is not None else 0
            stop = names.index(spec.stop) + 1 if spec.stop is not None else n
            return list(range(start, stop))
        return list(range(n))[spec]
    items = [spec] if isinstance(spec, str | int | np.integer) else list(spec)
    if not items:
        return []
    if all(isinstance(x, bool | np.bool_) for x in items):
        return [i for i, keep in enumerate(items) if keep]
    out: list[int] = []
    for x in items:
        if isinstance(x, str):
            if x not in names:
                raise Unsupported(name, f"column {x!r} is not among the fitted names")
            out.append(names.index(x))
        else:
            out.append(int(x) % n)
    return out


def _column_transformer(step: Any, cols: list[ir.Expr]) -> list[ir.Expr]:
    out: list[ir.Expr] = []
    for _name, trans, spec in step.transformers_:
        idx = _column_indices(step, spec, len(cols))
        if not idx or (isinstance(trans, str) and trans == "drop"):
            continue
        out.extend(transform(trans, [cols[i] for i in idx]))
    return out


def _pipeline(step: Any, cols: list[ir.Expr]) -> list[ir.Expr]:
    """A Pipeline of transformers used as one step (e.g. inside a ColumnTransformer)."""
    for _name, inner in step.steps:
        cols = transform(inner, cols)
    return cols


_HANDLERS = {
    "Pipeline": _pipeline,
    "StandardScaler": _standard,
    "RobustScaler": _robust,
    "MinMaxScaler": _minmax,
    "SimpleImputer": _imputer,
    "OneHotEncoder": _onehot,
    "OrdinalEncoder": _ordinal,
    "FunctionTransformer": _function,
    "ColumnTransformer": _column_transformer,
}
