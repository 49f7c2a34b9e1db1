"""Hypothesis strategies: random scorecards (as TEXT) with matching customer tables.

`cards_with_data()` draws a `GeneratedCase`: the card's text, a plain-Python description of it
(`tests.cardspec.CardSpec`, read by the independent evaluator in `tests/reference_eval.py`) and
a Polars DataFrame whose columns match the card's inputs, with nulls, NaN, zeros, ties, unicode
strings and very large / very small numbers. Every backend (Polars, DuckDB, PostgreSQL) can run
the same text over the same frame and compare with the reference rows.

The generator stays inside the part of the language where float arithmetic cannot overflow and
int arithmetic stays far from 64-bit limits (`*` always involves a float; ints are small), so a
difference from the reference is a real difference in meaning, not a rounding artefact.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import polars as pl
from hypothesis import strategies as st

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

STRINGS = ["", "a", "A", "é", "É", "ç", "日本", "Ω", "a b", "ω", "z", "Zoë", "ouvrier"]
"""A small pool so that equal values (ties, `in` hits) are frequent.

No character whose upper or lower case is longer than itself (`ß` -> `SS`, `ﬁ` -> `FI`,
`İ` -> `i̇`), and no capital sigma (final `ς` or `σ`): engines map those differently and the language leaves them open
(docs/language.md, "Text")."""

FLOATS = [0.0, -0.0, 0.5, -0.5, 1.0, 2.5, -2.5, 3.0, 10.0, 1e-12, -1e-12, 1e12, -1e12, 123.456]
INTS = [0, 1, -1, 2, 3, 5, 7, 10, -10, 100, 999]
ALPHABET = "aAzZéÉçÇΩσ日本_- 0"
"""Characters for random strings: unicode, case pairs, but nothing a database rejects (NUL)."""

DATES = [dt.date(2020, 2, 29), dt.date(2026, 1, 1), dt.date(2026, 11, 1), dt.date(1999, 12, 31)]

POLARS_TYPES: dict[str, pl.DataType] = {
    "int": pl.Int64(),
    "float": pl.Float64(),
    "string": pl.String(),
    "bool": pl.Boolean(),
    "date": pl.Date(),
}


@dataclass(frozen=True)
class GeneratedCase:
    """A card and a table to run it on."""

    spec: CardSpec
    frame: pl.DataFrame

    @property
    def text(self) -> str:
        return self.spec.text

    @property
    def rows(self) -> list[dict[str, PyValue]]:
        return self.frame.to_dicts()


# ---- rendering: the card's text from its description -------------------------------------


def render_literal(value: PyValue, type_: str) -> str:
    """A literal as the language writes it; negative numbers are parenthesised unary minus."""
    if type_ == "string":
        assert isinstance(value, str)
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if type_ == "bool":
        return "true" if value else "false"
    if type_ == "date":
        assert isinstance(value, dt.date)
        return value.isoformat()
    assert isinstance(value, int | float)
    text = repr(float(value)) if type_ == "float" else str(int(value))
    return f"(-{text[1:]})" if text.startswith("-") else text


def render_signed(value: PyValue, type_: str) -> str:
    """A literal where the grammar takes a signed literal (bins, lists, params): no parens."""
    text = render_literal(value, type_)
    if text.startswith("(-"):
        return "-" + text[2:-1]
    return text


def render(node: Node) -> str:
    """Fully parenthesised text, so precedence never changes the meaning."""
    match node:
        case Lit(value=v, type=t):
            return render_literal(v, t)
        case Name(name=n):
            return n
        case Unary(op="-", operand=o):
            return f"(-{render(o)})"
        case Unary(op="not", operand=o):
            return f"(not {render(o)})"
        case Binary(op=op, left=a, right=b):
            return f"({render(a)} {op} {render(b)})"
        case IfElse(cond=c, then=a, else_=b):
            return f"(if {render(c)} then {render(a)} else {render(b)})"
        case Fn(name=f, args=args):
            return f"{f}({', '.join(render(a) for a in args)})"
        case InValues(operand=o, values=values, negated=neg):
            t = "string" if values and isinstance(values[0], str) else "int"
            listed = ", ".join(render_signed(v, t) for v in values)
            return f"({render(o)} {'not in' if neg else 'in'} [{listed}])"
        case Missing(operand=o, negated=neg):
            return f"({render(o)} is {'not ' if neg else ''}missing)"
    raise TypeError(node)


def render_bin(entry: BinSpec, type_: str) -> str:
    match entry.kind:
        case "missing" | "else":
            head = entry.kind
        case "cmp":
            head = f"{entry.op} {render_signed(entry.value, type_)}"
        case "eq":
            head = f"= {render_signed(entry.value, type_)}"
        case "interval":
            low, high = render_signed(entry.low, type_), render_signed(entry.high, type_)
            head = f"{'[' if entry.low_closed else '('}{low}, {high}{']' if entry.high_closed else ')'}"
        case "in":
            head = f"in [{', '.join(render_signed(v, type_) for v in entry.values)}]"
        case _:
            raise ValueError(entry.kind)
    return f"{head} -> {render_signed(entry.points, 'float')}"


def render_card(spec: CardSpec, types: dict[str, str]) -> str:
    """The card text for `spec`; `types` gives the type of every input and let."""
    out = [f"scorecard {spec.name} {{", '  title "generated"', "}", "", "input {"]
    out.append(f"  {spec.key} : {spec.key_type} key")
    for name, type_ in spec.inputs:
        out.append(f"  {name} : {type_}{' required' if name in spec.required else ''}")
    out.append("}")
    for name, type_, value in spec.params:
        out.append(f"param {name} : {type_} = {render_signed(value, type_)}")
    for name, node in spec.lets:
        out.append(f"let {name} = {render(node)}")
    for label, cond in spec.excludes:
        out.append(f"exclude {render_literal(label, 'string')} when {render(cond)}")
    for c in spec.contributions:
        if isinstance(c, RuleSpec):
            label = f" {render_literal(c.label, 'string')}" if c.label else ""
            out.append(f"rule {c.name}{label} when {render(c.cond)} then {render(c.points)}")
        else:
            label = f" {render_literal(c.label, 'string')}" if c.label else ""
            out.append(f"bins {c.name} on {c.on}{label} {{")
            out.extend(f"  {render_bin(e, types[c.on])}" for e in c.entries)
            out.append("}")
    if spec.score is not None:
        out.append(f"score = {render(spec.score)}")
    for seg_name, seg_cond in spec.segments:
        seg = render_literal(seg_name, "string")
        tail = "otherwise" if seg_cond is None else f"when {render(seg_cond)}"
        out.append(f"segment {seg} {tail}")
    if spec.classes is not None:
        out.append(f"classes {spec.classes}")
    if spec.reasons is not None:
        out.append(f"reasons {spec.reasons[0]} {spec.reasons[1]}")
    return "\n".join(out) + "\n"


# ---- expressions -------------------------------------------------------------------------


class _Scope:
    """The names an expression may read, by type."""

    def __init__(self, types: dict[str, str]) -> None:
        self.types = dict(types)

    def names(self, *wanted: str) -> list[str]:
        return sorted(n for n, t in self.types.items() if t in wanted)


def _num_literal(draw: st.DrawFn, type_: str) -> Lit:
    if type_ == "int":
        return Lit(draw(st.sampled_from(INTS)), "int")
    return Lit(draw(st.sampled_from(FLOATS)), "float")


def numeric(draw: st.DrawFn, scope: _Scope, depth: int) -> tuple[Node, str]:
    """A numeric expression and its type ("int" or "float")."""
    refs = scope.names("int", "float")
    choices = (
        ["lit", "ref", "ref"]
        if depth <= 0
        else ["lit", "ref", "arith", "div", "mul", "neg", "if", "fn", "fn", "date", "len"]
    )
    if not refs:
        choices = [c for c in choices if c != "ref"]
    kind = draw(st.sampled_from(choices))
    if kind == "lit":
        t = draw(st.sampled_from(["int", "float"]))
        return _num_literal(draw, t), t
    if kind == "ref":
        name = draw(st.sampled_from(refs))
        return Name(name), scope.types[name]
    if kind == "arith":
        a, ta = numeric(draw, scope, depth - 1)
        b, tb = numeric(draw, scope, depth - 1)
        op = draw(st.sampled_from(["+", "-"]))
        return Binary(op, a, b), "int" if ta == tb == "int" else "float"
    if kind == "mul":
        a, _ = numeric(draw, scope, depth - 1)
        b = _num_literal(draw, "float") if draw(st.booleans()) else Name(_float_name(draw, scope))
        return Binary("*", a, b), "float"
    if kind == "div":
        a, _ = numeric(draw, scope, depth - 1)
        b, _ = numeric(draw, scope, depth - 1)
        return Binary("/", a, b), "float"
    if kind == "neg":
        a, ta = numeric(draw, scope, depth - 1)
        return Unary("-", a), ta
    if kind == "if":
        c = boolean(draw, scope, depth - 1)
        a, ta = numeric(draw, scope, depth - 1)
        b, tb = numeric(draw, scope, depth - 1)
        return IfElse(c, a, b), "int" if ta == tb == "int" else "float"
    if kind == "date" and scope.names("date"):
        d = draw(st.sampled_from(scope.names("date")))
        fn = draw(st.sampled_from(["days_between", "year", "month", "day"]))
        if fn == "days_between":
            other = Lit(draw(st.sampled_from(DATES)), "date")
            args = (Name(d), other) if draw(st.booleans()) else (other, Name(d))
            return Fn(fn, args), "int"
        return Fn(fn, (Name(d),)), "int"
    if kind == "len" and scope.names("string"):
        s = string_expr(draw, scope, depth - 1)
        return Fn("length", (s,)), "int"
    return _numeric_fn(draw, scope, depth)


def _float_name(draw: st.DrawFn, scope: _Scope) -> str:
    floats = scope.names("float")
    return draw(st.sampled_from(floats)) if floats else "p_f"


def _numeric_fn(draw: st.DrawFn, scope: _Scope, depth: int) -> tuple[Node, str]:
    fn = draw(
        st.sampled_from(
            [
                "abs",
                "round",
                "floor",
                "ceil",
                "min",
                "max",
                "clip",
                "coalesce",
                "ln",
                "log10",
                "sqrt",
                "logit",
                "sigmoid",
            ]
        )
    )
    a, ta = numeric(draw, scope, depth - 1)
    if fn in ("abs", "round", "floor", "ceil"):
        return Fn(fn, (a,)), ta
    if fn in ("min", "max", "coalesce"):
        b, tb = numeric(draw, scope, depth - 1)
        return Fn(fn, (a, b)), "int" if ta == tb == "int" else "float"
    if fn == "clip":
        lo, hi = sorted([draw(st.sampled_from(INTS)), draw(st.sampled_from(INTS))])
        if ta == "int":
            return Fn(fn, (a, Lit(lo, "int"), Lit(hi, "int"))), "int"
        return Fn(fn, (a, Lit(float(lo), "float"), Lit(float(hi), "float"))), "float"
    return Fn(fn, (a,)), "float"


def boolean(draw: st.DrawFn, scope: _Scope, depth: int) -> Node:
    """A boolean expression (conditions of rules, excludes, segments, `if`)."""
    choices = ["cmp", "cmp", "lit"]
    if scope.names("bool"):
        choices.append("ref")
    if scope.names("string"):
        choices += ["scmp", "sin"]
    if scope.names("date"):
        choices.append("dcmp")
    if scope.names("int"):
        choices.append("iin")
    choices.append("missing")
    if depth > 0:
        choices += ["and", "or", "not"]
    kind = draw(st.sampled_from(choices))
    if kind == "lit":
        return Lit(draw(st.booleans()), "bool")
    if kind == "ref":
        return Name(draw(st.sampled_from(scope.names("bool"))))
    if kind == "cmp":
        a, _ = numeric(draw, scope, depth - 1)
        b, _ = numeric(draw, scope, max(depth - 2, 0))
        return Binary(draw(st.sampled_from(["=", "!=", "<", "<=", ">", ">="])), a, b)
    if kind == "scmp":
        a = string_expr(draw, scope, depth - 1)
        b = Lit(draw(st.sampled_from(STRINGS)), "string")
        return Binary(draw(st.sampled_from(["=", "!="])), a, b)
    if kind == "sin":
        s = Name(draw(st.sampled_from(scope.names("string"))))
        values = tuple(draw(st.lists(st.sampled_from(STRINGS), min_size=1, max_size=3)))
        return InValues(s, values, draw(st.booleans()))
    if kind == "iin":
        i = Name(draw(st.sampled_from(scope.names("int"))))
        values = tuple(draw(st.lists(st.sampled_from(INTS), min_size=1, max_size=3)))
        return InValues(i, values, draw(st.booleans()))
    if kind == "dcmp":
        d = Name(draw(st.sampled_from(scope.names("date"))))
        other = Lit(draw(st.sampled_from(DATES)), "date")
        return Binary(draw(st.sampled_from(["=", "!=", "<", "<=", ">", ">="])), d, other)
    if kind == "missing":
        name = draw(st.sampled_from(sorted(scope.types)))
        return Missing(Name(name), draw(st.booleans()))
    if kind == "not":
        return Unary("not", boolean(draw, scope, depth - 1))
    return Binary(kind, boolean(draw, scope, depth - 1), boolean(draw, scope, depth - 1))


def string_expr(draw: st.DrawFn, scope: _Scope, depth: int) -> Node:
    names = scope.names("string")
    kind = draw(st.sampled_from(["ref", "ref", "fn"] if depth > 0 else ["ref"]))
    base: Node = Name(draw(st.sampled_from(names)))
    if kind == "fn":
        return Fn(draw(st.sampled_from(["lower", "upper"])), (base,))
    return base


# ---- bins --------------------------------------------------------------------------------


@st.composite
def _bin_entries(draw: st.DrawFn, type_: str) -> tuple[BinSpec, ...]:
    n = draw(st.integers(1, 5))
    entries: list[BinSpec] = []
    points = st.sampled_from([0.0, 1.0, -5.0, 10.0, 2.5, -0.5, 30.0, 15.0])
    for _ in range(n):
        p = draw(points)
        if type_ == "string":
            kind = draw(st.sampled_from(["eq", "in", "missing"]))
            if kind == "eq":
                entries.append(BinSpec("eq", value=draw(st.sampled_from(STRINGS)), points=p))
            elif kind == "in":
                vals = tuple(draw(st.lists(st.sampled_from(STRINGS), min_size=1, max_size=3)))
                entries.append(BinSpec("in", values=vals, points=p))
            else:
                entries.append(BinSpec("missing", points=p))
            continue
        pool = INTS if type_ == "int" else [v for v in FLOATS if v == v]
        kind = draw(st.sampled_from(["cmp", "eq", "interval", "missing", "in"]))
        if kind == "in" and type_ != "int":
            kind = "cmp"
        if kind == "cmp":
            op = draw(st.sampled_from(["<", "<=", ">", ">="]))
            entries.append(BinSpec("cmp", op=op, value=draw(st.sampled_from(pool)), points=p))
        elif kind == "eq":
            entries.append(BinSpec("eq", value=draw(st.sampled_from(pool)), points=p))
        elif kind == "interval":
            lo, hi = sorted([draw(st.sampled_from(pool)), draw(st.sampled_from(pool))])
            entries.append(
                BinSpec(
                    "interval",
                    low=lo,
                    high=hi,
                    low_closed=draw(st.booleans()),
                    high_closed=draw(st.booleans()),
                    points=p,
                )
            )
        elif kind == "in":
            vals = tuple(draw(st.lists(st.sampled_from(INTS), min_size=1, max_size=3)))
            entries.append(BinSpec("in", values=vals, points=p))
        else:
            entries.append(BinSpec("missing", points=p))
    if draw(st.booleans()):
        entries.append(BinSpec("else", points=draw(points)))
    return tuple(entries)


# ---- whole cards -------------------------------------------------------------------------


@st.composite
def card_specs(draw: st.DrawFn, max_depth: int = 2) -> tuple[CardSpec, dict[str, str]]:
    """A random card description and the type of each of its inputs, params and lets."""
    key_type = draw(st.sampled_from(["string", "int"]))
    n_inputs = draw(st.integers(1, 6))
    input_types = [
        draw(st.sampled_from(["int", "float", "float", "string", "bool", "date"]))
        for _ in range(n_inputs)
    ]
    inputs = tuple((f"x{i}", t) for i, t in enumerate(input_types))
    required = frozenset(
        n for n, t in inputs if t != "float" and draw(st.booleans()) and draw(st.booleans())
    )
    params = (
        ("p_f", "float", draw(st.sampled_from([2.5, -1.0, 0.0, 100.0]))),
        ("p_i", "int", draw(st.sampled_from([0, 3, -2]))),
    )
    types: dict[str, str] = {n: t for n, t in inputs}
    types.update({n: t for n, t, _ in params})
    scope = _Scope(types)

    lets: list[tuple[str, Node]] = []
    for i in range(draw(st.integers(0, 3))):
        if draw(st.integers(0, 3)) == 0:
            node: Node = boolean(draw, scope, max_depth)
            t = "bool"
        else:
            node, t = numeric(draw, scope, max_depth)
        name = f"l{i}"
        lets.append((name, node))
        scope.types[name] = t
        types[name] = t

    excludes = tuple(
        (
            draw(st.sampled_from(["No consent", "Fraud «suspect»", "minor", 'say "no"'])) + str(i),
            boolean(draw, scope, max_depth),
        )
        for i in range(draw(st.integers(0, 2)))
    )

    contributions: list[RuleSpec | BinsSpec] = []
    params_names = {n for n, _, _ in params}
    binnable = [n for n in scope.names("int", "float", "string") if n not in params_names]
    for i in range(draw(st.integers(0, 5))):
        if binnable and draw(st.integers(0, 2)) == 0:
            on = draw(st.sampled_from(binnable))
            label = draw(st.one_of(st.none(), st.sampled_from(["Band", "Catégorie"])))
            contributions.append(BinsSpec(f"b{i}", on, draw(_bin_entries(types[on])), label))
        else:
            cond = boolean(draw, scope, max_depth)
            if draw(st.booleans()):
                points: Node = _num_literal(draw, draw(st.sampled_from(["int", "float"])))
                if draw(st.booleans()) and isinstance(points.value, int | float):
                    points = Unary("-", Lit(abs(points.value), points.type))
            else:
                points, _ = numeric(draw, scope, 1)
            label = draw(st.one_of(st.none(), st.sampled_from(["Recent", "Plainte ≥ 2"])))
            contributions.append(RuleSpec(f"r{i}", cond, points, label))
    contribution_names = [c.name for c in contributions]
    for c in contributions:
        types[c.name] = "float"

    score: Node | None = None
    if draw(st.booleans()):
        score_scope = _Scope(
            {**scope.types, "points": "float", **{n: "float" for n in contribution_names}}
        )
        score_node, _ = numeric(draw, score_scope, 1)
        score = Binary("+", Name("points"), score_node) if draw(st.booleans()) else score_node

    segments: list[tuple[str, Node | None]] = []
    for i in range(draw(st.integers(0, 3))):
        threshold = draw(st.sampled_from([0.0, 10.0, -5.0, 2.5]))
        op = draw(st.sampled_from([">=", ">", "<", "="]))
        segments.append((f"seg{i}", Binary(op, Name("score"), Lit(threshold, "float"))))
    if segments and draw(st.booleans()):
        segments.append(("other", None))

    classes = draw(st.one_of(st.none(), st.integers(1, 7)))
    reasons = draw(
        st.one_of(st.none(), st.tuples(st.integers(1, 3), st.sampled_from(["highest", "lowest"])))
    )
    spec = CardSpec(
        name="generated",
        key="id",
        key_type=key_type,
        inputs=inputs,
        required=required,
        params=params,
        lets=tuple(lets),
        excludes=excludes,
        contributions=tuple(contributions),
        score=score,
        segments=tuple(segments),
        classes=classes,
        reasons=reasons,
    )
    text = render_card(spec, types)
    return CardSpec(**{**spec.__dict__, "text": text}), types


def _column_values(draw: st.DrawFn, type_: str, n: int, required: bool) -> list[PyValue]:
    none = st.just(None)
    if type_ == "int":
        base: st.SearchStrategy[PyValue] = st.one_of(
            st.sampled_from(INTS), st.integers(-1000, 1000)
        )
    elif type_ == "float":
        base = st.one_of(
            st.sampled_from(FLOATS),
            # No magnitude under 1e-100: a product of two such floats underflows, which
            # PostgreSQL raises as an error where the other engines give 0 (docs/sql.md).
            st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False).filter(
                lambda x: x == 0 or abs(x) >= 1e-100
            ),
            st.just(math.nan),
        )
    elif type_ == "string":
        base = st.one_of(st.sampled_from(STRINGS), st.text(ALPHABET, max_size=4))
    elif type_ == "bool":
        base = st.booleans()
    else:
        base = st.one_of(st.sampled_from(DATES), st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))
    values = base if required else st.one_of(none, base)
    return draw(st.lists(values, min_size=n, max_size=n))


@st.composite
def tables(draw: st.DrawFn, spec: CardSpec, max_rows: int = 25) -> pl.DataFrame:
    """A table for `spec`: a unique non-null key and values for every declared input."""
    n = draw(st.integers(0, max_rows))
    if spec.key_type == "string":
        keys: list[PyValue] = list(
            draw(
                st.lists(
                    st.text(ALPHABET, min_size=1, max_size=4), min_size=n, max_size=n, unique=True
                )
            )
        )
    else:
        keys = list(
            draw(st.lists(st.integers(-(10**6), 10**6), min_size=n, max_size=n, unique=True))
        )
    data: dict[str, list[PyValue]] = {spec.key: keys}
    schema: dict[str, pl.DataType] = {spec.key: POLARS_TYPES[spec.key_type]}
    for name, type_ in spec.inputs:
        data[name] = _column_values(draw, type_, n, name in spec.required)
        schema[name] = POLARS_TYPES[type_]
    return pl.DataFrame(data, schema=schema)


@st.composite
def cards_with_data(draw: st.DrawFn, max_rows: int = 25, max_depth: int = 2) -> GeneratedCase:
    """A random card (text and meaning) with a table to run it on."""
    spec, _ = draw(card_specs(max_depth=max_depth))
    frame = draw(tables(spec, max_rows=max_rows))
    return GeneratedCase(spec, frame)
