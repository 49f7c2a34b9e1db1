"""Syntax error messages in words a business user understands.

Lark reports the terminals it expected; this module turns them, and the statement the
error stands in, into one sentence ("expected `then` after the rule's condition").
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from lark import Token, Tree
from lark.exceptions import UnexpectedInput, UnexpectedToken

from engine.syntax.grammar import lark_parser

# Terminal name -> how a message names it.
TERMINAL_WORDS: dict[str, str] = {
    "_SCORECARD": "`scorecard`",
    "TITLE": "`title`",
    "VERSION": "`version`",
    "OWNER": "`owner`",
    "DESCRIPTION": "`description`",
    "_INPUT": "`input`",
    "T_INT": "a type",
    "T_FLOAT": "a type",
    "T_STRING": "a type",
    "T_BOOL": "a type",
    "T_DATE": "a type",
    "T_DATETIME": "a type",
    "KEY": "`key`",
    "REQUIRED": "`required`",
    "SENSITIVE": "`sensitive`",
    "_PARAM": "`param`",
    "_LET": "`let`",
    "_EXCLUDE": "`exclude`",
    "_RULE": "`rule`",
    "_WHEN": "`when`",
    "_THEN": "`then`",
    "_BINS": "`bins`",
    "_ON": "`on`",
    "MISSING": "`missing`",
    "ELSE": "`else`",
    "IN": "`in`",
    "_MODEL": "`model`",
    "MODEL_KIND": "`sklearn`",
    "_FEATURES": "`features`",
    "_OUTPUT": "`output`",
    "PROBABILITY": "`probability`",
    "PREDICTION": "`prediction`",
    "_SHA256": "`sha256`",
    "SCORE": "`score`",
    "_SEGMENT": "`segment`",
    "OTHERWISE": "`otherwise`",
    "_CLASSES": "`classes`",
    "_REASONS": "`reasons`",
    "HIGHEST": "`highest`",
    "LOWEST": "`lowest`",
    "BELOW": "`below`",
    "_MAX": "`max`",
    "INF": "`inf`",
    "_OUTCOME": "`outcome`",
    "_EVENT": "`event`",
    "_HIGH": "`high`",
    "_MEANS": "`means`",
    "MORE": "`more`",
    "FEWER": "`fewer`",
    "_EVENTS": "`events`",
    "_EXAMPLE": "`example`",
    "_GIVEN": "`given`",
    "_EXPECT": "`expect`",
    "_IF": "`if`",
    "_OR": "`or`",
    "_AND": "`and`",
    "NOT": "`not`",
    "_IS": "`is`",
    "TRUE": "`true`",
    "FALSE": "`false`",
    "_ARROW": "`->`",
    "COMPARE_OP": "a comparison",
    "_EQ": "`=`",
    "ADD_OP": "`+` or `-`",
    "MUL_OP": "`*` or `/`",
    "LBRACKET": "`[`",
    "RBRACKET": "`]`",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "_LBRACE": "`{`",
    "_RBRACE": "`}`",
    "_COLON": "`:`",
    "_COMMA": "`,`",
    "DATETIME": "a datetime",
    "DATE": "a date",
    "FLOAT": "a number",
    "INT": "a whole number",
    "STRING": 'a quoted string "…"',
    "NAME": "a name",
    "QUOTED_NAME": "a name",
    "$END": "the end of the file",
}

STATEMENT_WORDS: dict[str, str] = {
    "_SCORECARD": "the `scorecard` header",
    "_INPUT": "the `input` block",
    "_PARAM": "the param",
    "_LET": "the let",
    "_EXCLUDE": "the exclude",
    "_RULE": "the rule",
    "_BINS": "the bins block",
    "_MODEL": "the model block",
    "SCORE": "the `score` statement",
    "_SEGMENT": "the segment",
    "_CLASSES": "`classes`",
    "_REASONS": "`reasons`",
    "_OUTCOME": "the outcome",
    "_EXAMPLE": "the example",
}

EXPRESSION_START = {"NAME", "INT", "LPAR"}
STATEMENT_START = {"_RULE", "_LET", "_BINS"}
TYPES = {"T_INT", "T_FLOAT", "T_STRING", "T_BOOL", "T_DATE", "T_DATETIME"}

# Common mistakes, recognised by the parser state they leave (Lark's `match_examples`) and
# by the token found there: label -> (the token's text, example cards).
MISTAKES: dict[str, tuple[str, list[str]]] = {
    "`==` is not an operator: compare with a single `=`": (
        "=",
        [
            "rule r when a == 1 then 1",
            "let x = a == b",
            'exclude "x" when a == 1',
            'segment "s" when score == 1',
        ],
    ),
    "`=>` is not an operator: write `>=`": (">", ["rule r when a => 1 then 1"]),
    "`=<` is not an operator: write `<=`": ("<", ["rule r when a =< 1 then 1"]),
    "a bins entry is `BIN -> POINTS`: `:` is not allowed here": (":", ["bins b on x { < 1 : 5 }"]),
    "a let is `let NAME = EXPRESSION`: use `=`, not `:`": (":", ["let x : a"]),
    "a score is `score = EXPRESSION`: use `=`, not `:`": (":", ["score : a"]),
}


def describe_token(tok: Token) -> str:
    """How a message names the token it found."""
    if tok.type == "$END":
        return "the end of the file"
    if tok.type in ("NAME", "QUOTED_NAME"):
        return f"the name `{tok.value}`"
    if tok.type in ("INT", "FLOAT"):
        return f"the number {tok.value}"
    if tok.type == "STRING":
        value = tok.value if len(tok.value) <= 30 else tok.value[:27] + '…"'
        return f"the string {value}"
    if tok.type in ("DATE", "DATETIME"):
        return f"the date {tok.value}"
    return f"`{tok.value}`"


def describe_expected(expected: set[str]) -> str:
    words: list[str] = []
    if expected >= EXPRESSION_START:
        words.append("an expression")
        expected = {
            t
            for t in expected
            if t
            not in {"NAME", "QUOTED_NAME", "INT", "FLOAT", "STRING", "TRUE", "FALSE", "DATE"}
            | {"DATETIME", "LPAR", "ADD_OP", "NOT", "_IF", "SCORE"}
        }
    if expected >= STATEMENT_START:
        words.append("a new statement")
        expected = {t for t in expected if t not in {*STATEMENT_WORDS, "$END"}}
    if TYPES & expected:
        words.append("a type (int, float, string, bool, date or datetime)")
        expected -= TYPES
    for t in sorted(expected, key=lambda t: (t.startswith("$"), TERMINAL_WORDS.get(t, t))):
        word = TERMINAL_WORDS.get(t, t)
        if word not in words:
            words.append(word)
    if not words:
        return "something else"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _statement_kind(partial: list[object]) -> str | None:
    if partial and isinstance(partial[0], Token) and partial[0].type in STATEMENT_WORDS:
        return partial[0].type
    return None


def _inside_if(partial: list[object]) -> bool:
    depth = 0
    for value in partial:
        if isinstance(value, Token):
            if value.type == "_IF":
                depth += 1
            elif value.type == "ELSE":
                depth -= 1
    return depth > 0


def _specific(
    kind: str | None, expected: set[str], found: Token, partial: list[object]
) -> str | None:
    """A tailored message for the usual places a statement goes wrong, or None."""
    if "ELSE" in expected and _inside_if(partial) and "_THEN" not in expected:
        return "expected `else`: an `if` needs both `then` and `else`"
    if kind == "_RULE":
        if "_THEN" in expected:
            return "expected `then` after the rule's condition"
        if "_WHEN" in expected:
            return "expected `when` and a condition after the rule's name"
    if kind == "_EXCLUDE" and "_WHEN" in expected:
        return "expected `when` and a condition after the exclusion's label"
    if kind == "_SEGMENT" and "OTHERWISE" in expected:
        return "expected `when` and a condition, or `otherwise`, after the segment's name"
    if kind == "_BINS":
        if "_ARROW" in expected:
            return "expected `->` and the bin's points"
        if "_ON" in expected:
            return "expected `on` and a column after the bins block's name"
        if "MISSING" in expected and "ELSE" in expected and found.type != "$END":
            return (
                "expected a bin: `missing`, `else`, `< n`, `<= n`, `> n`, `>= n`, `= v`, "
                "an interval like `[a, b)`, or `in [...]`"
            )
    if kind == "_INPUT":
        if "_COLON" in expected:
            return "expected `:` and a type after the column's name"
        if expected >= TYPES:
            return "expected a type: int, float, string, bool, date or datetime"
    if kind == "_PARAM" and expected >= TYPES:
        return "expected a type: int, float, string, bool, date or datetime"
    if kind in ("_LET", "_PARAM") and "_EQ" in expected and len(expected) <= 2:
        return f"expected `=` after the {'let' if kind == '_LET' else 'param'}'s name and type"
    if kind == "_MODEL" and "_FEATURES" in expected and found.type != "$END":
        return 'expected a model item: `features [...]`, `output ...`, `sha256 "..."` or `}`'
    return None


def _where(partial: list[object]) -> str:
    kind = _statement_kind(partial)
    return f" in {STATEMENT_WORDS[kind]}" if kind else ""


KEYWORDS = frozenset(
    {"if", "then", "else", "and", "or", "not", "in", "is", "when", "missing", "otherwise"}
)


def token_error_message(
    text: str, e: UnexpectedToken, partial: list[object], previous: Token | None
) -> tuple[str, str, Token]:
    """The code and message for an unexpected token, and the token to point at."""
    found = e.token
    expected = set(e.accepts or e.expected)
    if previous is not None and previous.type == "NAME" and previous.value == "if":
        return (
            "E100",
            "an `if` inside a larger expression needs parentheses: `1 + (if c then a else b)`",
            previous,
        )
    if previous is not None and previous.type == "NAME" and previous.value in KEYWORDS:
        # A keyword where the parser could take a name was read as one; blame the keyword.
        return (
            "E100",
            (
                f"unexpected `{previous.value}`{_where(partial)}: it is a keyword here "
                f"(write `{previous.value}` in backticks to use it as a name)"
            ),
            previous,
        )
    mistake = _match_mistake(e)
    if mistake is not None:
        return "E102", mistake, found
    kind = _statement_kind(partial)
    where = f" in {STATEMENT_WORDS[kind]}" if kind else ""
    found_words = describe_token(found)
    # A keyword glued to a name (`integer` read as `int` + `eger`) is reported as one word.
    if previous is not None and found.type in ("NAME",) and _glued(previous, found):
        found_words = f"`{previous.value}{found.value}`"
    if found.type == "$END":
        closing = "_RBRACE" in expected
        return (
            "E101",
            (
                f"the card ends inside {STATEMENT_WORDS.get(kind or '', 'a statement')}"
                + (": a `}` is missing" if closing else "")
            ),
            found,
        )
    specific = _specific(kind, expected, found, partial)
    if specific is not None:
        return "E100", f"{specific}, found {found_words}", found
    if kind is None and expected >= STATEMENT_START:
        return (
            "E100",
            (
                f"unexpected {found_words.removeprefix('the ')}: a statement starts with a keyword "
                "(`scorecard`, `input`, `param`, `let`, `exclude`, `rule`, `bins`, `model`, "
                "`score`, `segment`, `classes`, `reasons` or `example`)"
            ),
            found,
        )
    message = f"unexpected {found_words.removeprefix('the ')}{where}: expected {describe_expected(expected)}"
    return "E100", message, found


def _glued(previous: Token, found: Token) -> bool:
    return (
        previous.end_pos is not None
        and previous.end_pos == found.start_pos
        and str(previous.value)[-1:].isalnum()
    )


@functools.cache
def _strict_parse() -> Callable[[str], Tree[Token]]:
    return lark_parser().parse


@functools.cache
def _mistake_examples() -> dict[str, list[str]]:
    """Each example alone and after another statement: Lark matches states by stack depth."""
    return {
        label: [*cards, *("classes 1\n" + c for c in cards)]
        for label, (_, cards) in MISTAKES.items()
    }


def _match_mistake(e: UnexpectedToken) -> str | None:
    try:
        label = e.match_examples(_strict_parse(), _mistake_examples(), use_accepts=True)
    except Exception:  # an example that parses cleanly must not hide the real error
        return None
    if not isinstance(label, str) or MISTAKES[label][0] != str(e.token.value):
        return None
    return label


CHAR_HINTS: dict[str, str] = {
    "&": "`&` is not an operator: write `and`",
    "|": "`|` is not an operator: write `or`",
    "!": "`!` is not an operator: write `not`, or `!=` for 'different from'",
    "'": 'strings use double quotes: "text"',
    ";": "statements need no `;`: remove it",
    "%": "`%` is not an operator",
    "^": "`^` is not an operator: use `pow(x, y)`",
}


def char_error_message(text: str, pos: int) -> tuple[str, str]:
    """The code and message for a character that starts no token."""
    ch = text[pos] if pos < len(text) else ""
    if ch == '"':
        return "E103", 'this string is not closed: a `"` is missing before the end of the line'
    if ch == "`":
        return "E103", "this quoted name is not closed: a backtick is missing on this line"
    if ch in CHAR_HINTS:
        return "E104", CHAR_HINTS[ch]
    if ch.isdigit():
        return "E104", "this number is not written as the language reads numbers"
    shown = ch if ch.isprintable() and not ch.isspace() else repr(ch)
    return "E104", f"unexpected character `{shown}`"


__all__ = ["UnexpectedInput", "char_error_message", "token_error_message"]
