"""Hypothesis strategies for syntactically valid card ASTs, in the form the parser builds.

The parser reads `-5` in an expression as unary minus applied to 5, so expression
literals here are never negative; signed literals appear only where the grammar has them
(params, lists, bins, examples).
"""

from __future__ import annotations

import datetime as dt
import string

from hypothesis import strategies as st

from engine.syntax import ast

PLAIN_NAMES = st.from_regex(r"[a-zA-Z_àéçßΩж][a-zA-Z0-9_àéçßΩж]{0,8}", fullmatch=True)
ODD_NAMES = st.one_of(
    st.sampled_from(["date", "key", "then", "if", "not", "score", "my col", "a`b", "ça va", "x;y"]),
    st.text(alphabet=string.ascii_letters + " -;'\"\\`é", min_size=1, max_size=8),
)
NAMES = st.one_of(PLAIN_NAMES, PLAIN_NAMES, ODD_NAMES)
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=12
)

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


def ident() -> st.SearchStrategy[ast.Ident]:
    return NAMES.map(lambda n: ast.Ident(name=n))


def unsigned_literal() -> st.SearchStrategy[ast.Node]:
    return st.one_of(
        st.integers(0, 10**12).map(lambda v: ast.IntLit(value=v)),
        finite.filter(lambda v: v >= 0).map(lambda v: ast.FloatLit(value=abs(v))),
        TEXT.map(lambda v: ast.StringLit(value=v)),
        st.booleans().map(lambda v: ast.BoolLit(value=v)),
        st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(lambda v: ast.DateLit(value=v)),
        st.datetimes(dt.datetime(1000, 1, 1), dt.datetime(9999, 1, 1)).map(
            lambda v: ast.DateTimeLit(value=v)
        ),
    )


def signed_literal() -> st.SearchStrategy[ast.Node]:
    return st.one_of(
        unsigned_literal(),
        st.integers(-(10**12), -1).map(lambda v: ast.IntLit(value=v)),
        finite.filter(lambda v: v < 0).map(lambda v: ast.FloatLit(value=v)),
    )


def signed_number() -> st.SearchStrategy[ast.Node]:
    return st.one_of(
        st.integers(-(10**6), 10**6).map(lambda v: ast.IntLit(value=v)),
        finite.map(lambda v: ast.FloatLit(value=v)),
    )


def _compound(children: st.SearchStrategy[ast.Node]) -> st.SearchStrategy[ast.Node]:
    return st.one_of(
        st.builds(ast.Unary, op=st.sampled_from(["-", "+", "not"]), operand=children),
        st.builds(
            ast.Binary,
            op=st.sampled_from(["+", "-", "*", "/", "and", "or", "=", "!=", "<", "<=", ">", ">="]),
            left=children,
            right=children,
        ),
        st.builds(
            ast.InList,
            operand=children,
            values=st.lists(signed_literal(), max_size=3),
            negated=st.booleans(),
        ),
        st.builds(ast.IsMissing, operand=children, negated=st.booleans()),
        st.builds(ast.IfExpr, cond=children, then=children, else_=children),
        st.builds(ast.Call, func=NAMES, args=st.lists(children, max_size=3)),
    )


EXPRESSIONS = st.recursive(
    st.one_of(unsigned_literal(), NAMES.map(lambda n: ast.Name(name=n))), _compound, max_leaves=10
)


def expressions() -> st.SearchStrategy[ast.Node]:
    return EXPRESSIONS


def bin_match() -> st.SearchStrategy[ast.Node]:
    return st.one_of(
        st.just(ast.BinMissing()),
        st.just(ast.BinElse()),
        st.builds(
            ast.BinCompare, op=st.sampled_from(["<", "<=", ">", ">=", "="]), value=signed_literal()
        ),
        st.builds(
            ast.BinInterval,
            low=signed_literal(),
            high=signed_literal(),
            closed_low=st.booleans(),
            closed_high=st.booleans(),
        ),
        st.builds(ast.BinIn, values=st.lists(signed_literal(), max_size=3)),
    )


def statements() -> st.SearchStrategy[ast.Node]:
    types = st.sampled_from(["int", "float", "string", "bool", "date", "datetime"])
    mods = st.lists(st.sampled_from(["key", "required", "sensitive"]), max_size=2)
    assignment_values = st.one_of(signed_literal(), st.just(ast.MissingLit()))
    assignments = st.lists(
        st.builds(ast.Assignment, target=ident(), value=assignment_values), max_size=3
    )
    string_lit = TEXT.map(lambda v: ast.StringLit(value=v))
    return st.one_of(
        st.builds(
            ast.Header,
            name=ident(),
            meta=st.lists(
                st.builds(
                    ast.MetaItem,
                    key=st.sampled_from(["title", "version", "owner", "description"]),
                    value=TEXT,
                ),
                max_size=3,
            ),
        ),
        st.builds(
            ast.InputBlock,
            columns=st.lists(
                st.builds(ast.Column, name=ident(), type=types, modifiers=mods), max_size=4
            ),
        ),
        st.builds(ast.ParamStmt, name=ident(), type=types, value=signed_literal()),
        st.builds(ast.LetStmt, name=ident(), expr=expressions()),
        st.builds(ast.ExcludeStmt, label=string_lit, cond=expressions()),
        st.builds(
            ast.RuleStmt,
            name=ident(),
            label=st.none() | string_lit,
            cond=expressions(),
            points=expressions(),
        ),
        st.builds(
            ast.BinsStmt,
            name=ident(),
            on=NAMES.map(lambda n: ast.Name(name=n)),
            label=st.none() | string_lit,
            entries=st.lists(
                st.builds(ast.BinEntry, match=bin_match(), points=signed_number()), max_size=4
            ),
        ),
        st.builds(
            ast.ModelStmt,
            name=ident(),
            path=string_lit,
            features=st.none() | st.lists(NAMES.map(lambda n: ast.Name(name=n)), max_size=3),
            output=st.none() | st.sampled_from(["probability", "prediction"]),
            sha256=st.none() | string_lit,
        ).map(
            lambda m: (
                m if m.output == "probability" else m.model_copy(update={"output_class": None})
            )
        ),
        st.builds(ast.ScoreStmt, expr=expressions()),
        st.builds(ast.SegmentStmt, name=string_lit, cond=st.none() | expressions()),
        st.builds(ast.ClassesStmt, count=st.integers(0, 10**6)),
        st.builds(
            ast.ReasonsStmt,
            count=st.integers(0, 100),
            direction=st.sampled_from([None, "highest", "lowest", "below max"]),
        ),
        st.builds(ast.ExampleStmt, name=string_lit, given=assignments, expect=assignments),
    )


CARDS = st.lists(statements(), max_size=6).map(lambda s: ast.Card(statements=s))


def cards() -> st.SearchStrategy[ast.Card]:
    return CARDS
