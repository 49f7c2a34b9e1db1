"""Every construct of the language parses into the AST it means, and checks into the program."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine import ir
from engine.check.source import check_source
from engine.syntax import ast, parse_card
from engine.types import ScalarType
from tests.syntax.cards import PRELUDE

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "scorecard-language.md"


SPEC_CARD = Path(__file__).resolve().parent / "data" / "spec_complete.scorecard"


def spec_card() -> str:
    """The complete card of the language reference, kept in the repository."""
    return SPEC_CARD.read_text(encoding="utf-8")


@pytest.mark.skipif(not SPEC.exists(), reason="the shared spec is not beside the project")
def test_the_kept_spec_card_is_the_specs() -> None:
    """The copy in tests/ follows the language reference: a change there fails here."""
    text = SPEC.read_text(encoding="utf-8")
    start = text.index("```\n# Churn risk") + 4
    assert text[start : text.index("```", start)] == spec_card()


def parse(text: str) -> ast.Card:
    card, diagnostics = parse_card(text)
    assert card is not None, [d.headline() for d in diagnostics]
    return card


def same(a: object, b: object) -> bool:
    return bool(ast.without_spans(a) == ast.without_spans(b))


def stmt(text: str) -> ast.Node:
    return parse(text).statements[0]


def test_the_spec_card_parses_completely() -> None:
    card = parse(spec_card())
    kinds = [s.kind for s in card.statements]
    assert kinds == [
        "header", "input", "param", "param", "let", "let", "exclude", "rule", "rule", "rule",
        "rule", "bins", "bins", "model", "score", "segment", "segment", "segment", "classes",
        "reasons", "example",
    ]  # fmt: skip
    header = card.statements[0]
    assert isinstance(header, ast.Header)
    assert header.name.name == "churn_risk"
    assert [(m.key, m.value) for m in header.meta] == [
        ("title", "Churn risk for retention campaigns"),
        ("version", "2026.11"),
        ("owner", "crm-team"),
    ]
    inputs = card.statements[1]
    assert isinstance(inputs, ast.InputBlock)
    assert [(c.name.name, c.type, c.modifiers) for c in inputs.columns][:2] == [
        ("customer_id", "string", ["key"]),
        ("age", "int", []),
    ]
    assert inputs.columns[-1].modifiers == ["sensitive"]
    model = card.statements[13]
    assert isinstance(model, ast.ModelStmt)
    assert [f.name for f in model.features or []] == [
        "age", "income", "tenure_months", "recency_days", "orders_12m",
    ]  # fmt: skip
    assert model.output == "probability" and model.sha256 is not None
    example = card.statements[-1]
    assert isinstance(example, ast.ExampleStmt)
    assert same(example.given[3].value, ast.DateLit(value=dt.date(2026, 10, 20)))
    assert [a.target.name for a in example.expect] == ["segment", "recent_buyer", "loyal"]


def test_precedence_follows_the_spec() -> None:
    let = stmt("let x = if a or b and not c = 1 then -d * e + f / g else h")
    assert isinstance(let, ast.LetStmt)
    e = let.expr
    assert isinstance(e, ast.IfExpr)
    cond = e.cond
    assert isinstance(cond, ast.Binary) and cond.op == "or"
    assert isinstance(cond.right, ast.Binary) and cond.right.op == "and"
    assert isinstance(cond.right.right, ast.Unary) and cond.right.right.op == "not"
    assert isinstance(cond.right.right.operand, ast.Binary) and cond.right.right.operand.op == "="
    then = e.then
    assert isinstance(then, ast.Binary) and then.op == "+"
    assert isinstance(then.left, ast.Binary) and then.left.op == "*"
    assert isinstance(then.left.left, ast.Unary) and then.left.left.op == "-"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("missing -> 1", ast.BinMissing()),
        ("else -> 1", ast.BinElse()),
        ("< 25 -> 1", ast.BinCompare(op="<", value=ast.IntLit(value=25))),
        ("<= -2.5 -> 1", ast.BinCompare(op="<=", value=ast.FloatLit(value=-2.5))),
        ("> 1e3 -> 1", ast.BinCompare(op=">", value=ast.FloatLit(value=1000.0))),
        (
            ">= 2026-01-01 -> 1",
            ast.BinCompare(op=">=", value=ast.DateLit(value=dt.date(2026, 1, 1))),
        ),
        ('= "x" -> 1', ast.BinCompare(op="=", value=ast.StringLit(value="x"))),
        (
            "[25, 40) -> 1",
            ast.BinInterval(
                low=ast.IntLit(value=25),
                high=ast.IntLit(value=40),
                closed_low=True,
                closed_high=False,
            ),
        ),
        (
            "(0, 1] -> 1",
            ast.BinInterval(
                low=ast.IntLit(value=0),
                high=ast.IntLit(value=1),
                closed_low=False,
                closed_high=True,
            ),
        ),
        (
            'in ["a", "b"] -> 1',
            ast.BinIn(values=[ast.StringLit(value="a"), ast.StringLit(value="b")]),
        ),
    ],
)
def test_every_bin_form(text: str, expected: ast.Node) -> None:
    bins = stmt(f"bins b on x {{ {text} }}")
    assert isinstance(bins, ast.BinsStmt)
    assert ast.without_spans(bins.entries[0].match) == ast.without_spans(expected)
    assert same(bins.entries[0].points, ast.IntLit(value=1))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", ast.IntLit(value=42)),
        ("3.5", ast.FloatLit(value=3.5)),
        ("1e-3", ast.FloatLit(value=0.001)),
        ('"a \\"quoted\\" \\\\ text"', ast.StringLit(value='a "quoted" \\ text')),
        ("true", ast.BoolLit(value=True)),
        ("false", ast.BoolLit(value=False)),
        ("2026-11-01", ast.DateLit(value=dt.date(2026, 11, 1))),
        ("2026-11-01T08:30:00", ast.DateTimeLit(value=dt.datetime(2026, 11, 1, 8, 30))),
    ],
)
def test_every_literal(text: str, value: ast.Node) -> None:
    let = stmt(f"let x = {text}")
    assert isinstance(let, ast.LetStmt)
    assert ast.without_spans(let.expr) == ast.without_spans(value)


def test_operators_and_tests() -> None:
    card = parse(
        "let a = x not in [1, 2]\nlet b = x is not missing\nlet c = x is missing\n"
        'let d = x in ["p"]\nlet e = x != 1\nlet f = f2(x, 2)'
    )
    a, b, c, d, e, f = card.statements
    assert isinstance(a, ast.LetStmt) and isinstance(a.expr, ast.InList) and a.expr.negated
    assert isinstance(b, ast.LetStmt) and isinstance(b.expr, ast.IsMissing) and b.expr.negated
    assert isinstance(c, ast.LetStmt) and isinstance(c.expr, ast.IsMissing) and not c.expr.negated
    assert isinstance(d, ast.LetStmt) and isinstance(d.expr, ast.InList) and not d.expr.negated
    assert isinstance(e, ast.LetStmt) and isinstance(e.expr, ast.Binary) and e.expr.op == "!="
    assert isinstance(f, ast.LetStmt) and isinstance(f.expr, ast.Call) and f.expr.func == "f2"


def test_other_statements() -> None:
    card = parse(
        'segment "a" when score > 1\nsegment "b" otherwise\nclasses 5\nreasons 2 lowest\n'
        'model m = sklearn "m.skops" { output probability "yes" features [a, `b c`] }\n'
        'model n = sklearn "n.skops" { output prediction sha256 "ab" }\n'
        'example "e" { given `my col` = missing expect score = -1.5, reason_1 = "r" }'
    )
    seg_a, seg_b, classes, reasons, m, n, ex = card.statements
    assert isinstance(seg_a, ast.SegmentStmt) and seg_a.cond is not None
    assert isinstance(seg_b, ast.SegmentStmt) and seg_b.cond is None
    assert isinstance(classes, ast.ClassesStmt) and classes.count == 5
    assert isinstance(reasons, ast.ReasonsStmt) and reasons.direction == "lowest"
    assert isinstance(m, ast.ModelStmt) and same(m.output_class, ast.StringLit(value="yes"))
    assert [f.name for f in m.features or []] == ["a", "b c"]
    assert isinstance(n, ast.ModelStmt) and n.output == "prediction" and n.features is None
    assert isinstance(ex, ast.ExampleStmt)
    assert ex.given[0].target.name == "my col" and isinstance(ex.given[0].value, ast.MissingLit)
    assert same(ex.expect[0].value, ast.FloatLit(value=-1.5))


def test_soft_keywords_and_comments() -> None:
    card = parse(
        '# leading\nscorecard date { version "1" } # trailing\n'
        "input {\n  date : date key # the key\n  version : int\n}\nlet `then` = version + 1\n"
    )
    header, inputs, let = card.statements
    assert isinstance(header, ast.Header) and header.name.name == "date"
    assert isinstance(inputs, ast.InputBlock)
    assert [c.name.name for c in inputs.columns] == ["date", "version"]
    assert isinstance(let, ast.LetStmt) and let.name.name == "then"


def test_spans_point_at_the_source() -> None:
    card = parse("\n\n  rule r when x > 1 then 2")
    rule = card.statements[0]
    assert isinstance(rule, ast.RuleStmt)
    assert rule.span is not None and (rule.span.line, rule.span.column) == (3, 3)
    assert rule.cond.span is not None and (rule.cond.span.line, rule.cond.span.column) == (3, 15)
    assert rule.name.span is not None and rule.name.span.column == 8


def test_checked_program_lowering() -> None:
    result = check_source(
        PRELUDE
        + "param base : float = 500\nlet ratio = income / age\nrule old when age >= 60 then 10\n"
        "bins inc on income {\n  missing -> 1\n  < 1000 -> 2\n  else -> 3\n}\n"
        'score = base + points\nsegment "top" when score > 600\nsegment "rest" otherwise\n'
        "classes 4\nreasons 2\n"
    )
    program = result.program
    assert program is not None, [d.headline() for d in result.diagnostics]
    assert program.key.name == "id"
    ratio = program.definition("ratio")
    assert ratio.type == ScalarType.FLOAT
    assert ratio.expr == ir.Arith(
        "/",
        ir.Ref("income", ScalarType.FLOAT),
        ir.Cast(ir.Ref("age", ScalarType.INT), ScalarType.FLOAT),
    )
    assert program.contributions == ("old", "inc")
    assert program.definition("points").expr == ir.Sum(
        (ir.Ref("old", ScalarType.FLOAT), ir.Ref("inc", ScalarType.FLOAT)), ScalarType.FLOAT
    )
    names = [d.name for d in program.definitions]
    assert names.index("points") > names.index("old") and names.index("score") > names.index(
        "points"
    )
    assert program.classes == 4 and program.reasons is not None and program.reasons.count == 2
    assert [s.name for s in program.segments] == ["top", "rest"]
    assert [e.text for e in program.bins[0].entries] == ["missing", "< 1000", "else"]
