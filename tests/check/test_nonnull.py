"""The never-null analysis (`engine.nonnull`) against evaluation on data with nulls.

Each claim "never null" is checked two ways: against a hand-written table of what each
expression can give (the data below makes every "may be null" let actually null on some row,
so a wrong claim cannot pass), and against the values computed on rows with nulls, by the
engine for hand-picked lets and by the independent evaluator of `tests.reference_eval` for
random cards. The folding (`simplify`) must leave every result as it was.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings

import engine
from engine import functions, ir, nonnull
from engine.backends.polars.runner import CardRun, build
from engine.program import bind_params
from engine.types import INT_MAX, INT_MIN, ScalarType
from tests.profiles import examples
from tests.reference_eval import row_values
from tests.strategies import GeneratedCase, cards_with_data

HEAD = """scorecard t { }
input {
  id : int key
  r  : float required
  i  : int required
  d  : date required
  o  : float
  s  : string
}
param p : float = 2.0
"""

# (let, never null on validated rows): every False one is null on some row of DATA.
LETS = [
    ("coalesce(o, 1.0)", True),
    ("coalesce(o, r)", True),
    ("coalesce(o, o)", False),
    ("coalesce(o, 45) / 1000", True),
    ("o * 2.0", False),
    ("r * 2.0 + 1.0 - r", True),
    ("-r", True),
    ("r * p", True),
    ("r / 3.0", True),
    ("r / -3", True),
    ("r / r", False),
    ("r / i", False),
    ("ln(r)", False),
    ("log10(r)", False),
    ("sqrt(r)", False),
    ("exp(r)", False),
    ("pow(r, 0.5)", False),
    ("logit(r)", False),
    ("sigmoid(r)", True),
    ("if o > 0.0 then 1.0 else 2.0", True),
    ("if r > 0.0 then o else 1.0", False),
    ("i + 1", False),
    ("i * 2", False),
    ("-i", False),
    ("abs(i)", False),
    ("abs(r)", True),
    ("year(d) * 12 + month(d)", True),
    ("round(r, 2)", True),
    ("round(r, -1)", True),
    ("round(i)", True),
    ("round(i, -1)", False),
    ("floor(r) + ceil(r)", True),
    ("min(r, 1.0)", True),
    ("min(r, o)", False),
    ("clip(r, 0.0, 1.0)", True),
    ("max(i, 0)", True),
    ("days_between(d, 2026-01-01)", True),
    ("length(s)", False),
    ('lower(s) = "a"', False),
    ("o is missing", True),
    ("o is not missing and r > 0.0", True),
    ("r > 0.0 and o > 0.0", False),
    ("r > 0.0 or i > 1", True),
    ("not (r > 0.0)", True),
    ("i in [1, 2]", True),
    ("o in [1.0]", False),
    ("i + 0.5", True),
]

_DATA = pl.DataFrame(
    {
        "id": [1, 2, 3, 4, 5, 6],
        "r": [0.0, -4.0, 2.5, 1e6, 0.5, 7.0],
        "i": [0, INT_MAX, INT_MIN, -7, 3, -(2**62)],
        "d": [dt.date(2020, 1, 1), dt.date(1999, 12, 31), dt.date(2026, 1, 1)] * 2,
        "o": [None, float("nan"), 3.0, -2.0, 0.0, None],
        "s": [None, "A", "b", None, "a", ""],
    },
    schema_overrides={"i": pl.Int64},
)


def _card_text() -> str:
    lets = "\n".join(f"let v{n} = {text}" for n, (text, _) in enumerate(LETS))
    return HEAD + lets + "\nscore = 0.0\n"


def test_every_function_has_a_rule() -> None:
    assert set(nonnull._CALLS) == set(functions.FUNCTIONS)


def test_claims_match_the_hand_table() -> None:
    program = bind_params(engine.loads(_card_text()).program)
    known = nonnull.never_null_names(program, validated=True)
    claimed = {text: f"v{n}" in known for n, (text, _) in enumerate(LETS)}
    assert claimed == dict(LETS)
    assert {"id", "r", "i", "d"} <= known
    assert "o" not in known and "s" not in known


_WITHOUT_DATA = (
    "coalesce(o, 1.0)",
    "coalesce(o, 45) / 1000",
    "if o > 0.0 then 1.0 else 2.0",
    "o is missing",
)


def test_without_validation_only_constants_are_known() -> None:
    program = bind_params(engine.loads(_card_text()).program)
    known = nonnull.never_null_names(program, validated=False)
    for n, (text, _) in enumerate(LETS):
        assert (f"v{n}" in known) == (text in _WITHOUT_DATA), text


def test_claims_hold_on_data_with_nulls() -> None:
    """Every let claimed never null has no null on the data; every other one has some."""
    card = engine.loads(_card_text())
    out = card.apply(_DATA, explain=True)
    for n, (text, never) in enumerate(LETS):
        column = out[f"v{n}"]
        nulls = column.null_count() + (column.is_nan().sum() if column.dtype.is_float() else 0)
        if never:
            assert column.null_count() == 0, f"{text}: claimed never null, got {column.to_list()}"
        else:
            assert nulls > 0, f"{text}: the data never makes it null (the test would not fail)"


def test_null_tests_fold_and_results_stay() -> None:
    text = _card_text() + "rule a when o is missing then 1\nrule b when i > 0 then 2\n"
    program = bind_params(engine.loads(text).program)
    folded = nonnull.simplify(program, validated=True)
    tested = {
        d.name: [n for n in ir.walk(d.expr) if isinstance(n, ir.IsMissing)]
        for d in folded.definitions
    }
    index = [t for t, _ in LETS].index("o is not missing and r > 0.0")
    assert tested[f"v{index}"] != []  # o may be null: its test stays
    assert folded.definition(f"v{index}").expr == program.definition(f"v{index}").expr
    both = ir.Logic("or", ir.IsMissing(ir.Ref("r", ScalarType.FLOAT)), ir.TRUE)
    assert nonnull.simplify_expr(both, {"r"}) == ir.TRUE
    cond = ir.Logic("or", ir.IsMissing(ir.Ref("r", ScalarType.FLOAT)), ir.Ref("c", ScalarType.BOOL))
    tree = ir.If(cond, ir.Literal(1.0, ScalarType.FLOAT), ir.ZERO, ScalarType.FLOAT)
    assert nonnull.simplify_expr(tree, {"r"}) == ir.If(
        ir.Ref("c", ScalarType.BOOL), ir.Literal(1.0, ScalarType.FLOAT), ir.ZERO, ScalarType.FLOAT
    )
    assert nonnull.simplify_expr(tree, set()) is tree
    present = ir.IsMissing(ir.Ref("r", ScalarType.FLOAT), negated=True)
    split = ir.If(present, ir.Literal(1.0, ScalarType.FLOAT), ir.ZERO, ScalarType.FLOAT)
    assert nonnull.simplify_expr(split, {"r"}) == ir.Literal(1.0, ScalarType.FLOAT)
    plain = build(_DATA.lazy(), [CardRun(program)])
    simple = build(_DATA.lazy(), [CardRun(folded)])
    assert plain[0].collect().equals(simple[0].collect())


def _valid_rows(case: GeneratedCase) -> list[dict[str, object]]:
    required = case.spec.required
    return [
        row
        for row in case.rows
        if all(
            row.get(n) is not None and not (isinstance(row[n], float) and math.isnan(row[n]))
            for n in required
        )
    ]


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards_with_data())
def test_claims_hold_on_random_cards(case: GeneratedCase) -> None:
    """On random cards and tables with nulls, a let or contribution claimed never null is
    never null in the independent evaluation (validated rows only for `validated=True`)."""
    program = bind_params(engine.loads(case.text).program)
    rows = _valid_rows(case)
    assume(rows)
    names = [n for n, _ in case.spec.lets] + [c.name for c in case.spec.contributions]
    for validated, checked in ((True, rows), (False, case.rows)):
        known = nonnull.never_null_names(program, validated=validated)
        for row in checked:
            env = row_values(case.spec, row)
            for name in names:
                if name in known:
                    assert env[name] is not None, f"{name} claimed never null\n{case.text}"


@pytest.mark.parametrize("validated", [True, False])
def test_folding_keeps_every_result(validated: bool) -> None:
    text = _card_text() + (
        "rule a when o is missing then 1\nrule b when i is not missing then 2\nreasons 2\n"
        "let w = coalesce(o, 1.0) is not missing\n"
    )
    program = bind_params(engine.loads(text).program)
    folded = nonnull.simplify(program, validated=validated)
    assert folded != program
    lf, _ = build(_DATA.lazy(), [CardRun(program)], explain=True)
    lf2, _ = build(_DATA.lazy(), [CardRun(folded)], explain=True)
    assert lf.collect().equals(lf2.collect())
