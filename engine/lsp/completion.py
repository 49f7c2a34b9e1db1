"""Completion in context: the parser itself says what may come next.

The current statement (from the last line that starts with a statement keyword up to the
cursor, less the word being typed) is fed to the card's LALR parser, whose `accepts()` is the
set of terminals that may follow. Keywords come from those terminals (so never a word the
grammar would refuse there), names from the index (filtered by what the place may name),
functions where a name may stand in an expression, and the bin forms inside a `bins` block.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lark.exceptions import UnexpectedInput
from lsprotocol import types

from engine import results
from engine.functions import FUNCTIONS
from engine.lsp.document import Analysis, Place
from engine.lsp.functions import function_markdown
from engine.lsp.hover import RESULT_WORDS
from engine.lsp.index import Kind
from engine.syntax.grammar import keyword_terminals, lark_parser
from engine.syntax.parser import STATEMENT_KEYWORDS
from engine.syntax.printer import name_text

_WORD_BEFORE = re.compile(r"(?:[^\W\d]\w*|`[^`\n]*)$")
TYPE_TERMINALS = ("T_INT", "T_FLOAT", "T_STRING", "T_BOOL", "T_DATE", "T_DATETIME")
DECLARING = {"_LET", "_RULE", "_BINS", "_MODEL", "_PARAM", "_SCORECARD"}

STATEMENT_SNIPPETS: dict[str, str] = {
    "rule": 'rule ${1:name} "${2:label}" when ${3:condition} then ${4:points}',
    "let": "let ${1:name} = ${2:expression}",
    "param": "param ${1:name} : ${2:float} = ${3:0}",
    "exclude": 'exclude "${1:label}" when ${2:condition}',
    "bins": "bins ${1:name} on ${2:column} {\n  missing -> ${3:0}\n  else    -> ${4:0}\n}",
    "model": 'model ${1:name} = sklearn "${2:models/file.skops}" {\n  features [${3}]\n  output   probability\n}',
    "segment": 'segment "${1:name}" when ${2:condition}',
    "example": 'example "${1:name}" {\n  given  ${2:column} = ${3:value}\n  expect ${4:score} = ${5:value}\n}',
    "input": "input {\n  ${1:customer_id} : ${2:string} key\n}",
    "scorecard": 'scorecard ${1:name} {\n  title "${2:title}"\n}',
}

BIN_FORMS: list[tuple[str, str, str]] = [
    ("missing ->", "missing -> ${1:0}", "the row's value is missing"),
    ("else ->", "else -> ${1:0}", "any value no bin above took, missing included"),
    ("< n ->", "< ${1:n} -> ${2:0}", "below n"),
    ("<= n ->", "<= ${1:n} -> ${2:0}", "n or below"),
    ("> n ->", "> ${1:n} -> ${2:0}", "above n"),
    (">= n ->", ">= ${1:n} -> ${2:0}", "n or above"),
    ("= v ->", "= ${1:value} -> ${2:0}", "exactly v"),
    ("[a, b) ->", "[${1:a}, ${2:b}) -> ${3:0}", "from a (included) to b (excluded)"),
    ("(a, b] ->", "(${1:a}, ${2:b}] -> ${3:0}", "from a (excluded) to b (included)"),
    ("in [...] ->", "in [${1:values}] -> ${2:0}", "one of the listed values"),
]


@dataclass
class _Context:
    """Where the cursor stands: the statement's keyword, the tokens before it, what may follow."""

    statement: str | None = None
    tokens: list[str] = field(default_factory=list)
    accepted: set[str] = field(default_factory=set)
    parsed: bool = True


def completion(doc: Analysis, place: Place) -> types.CompletionList:
    offset = doc.offset(place)
    before = doc.text[:offset]
    typed = _WORD_BEFORE.search(before)
    head = before[: typed.start()] if typed else before
    ctx = _context(head)
    items: list[types.CompletionItem] = []
    if not ctx.parsed:
        items += _names(doc, ("input", "param", "let", "rule", "bins", "model"))
        items += _functions()
        return types.CompletionList(is_incomplete=False, items=items)
    items += _keywords(ctx)
    if "NAME" in ctx.accepted:
        items += _names_in_context(doc, ctx)
    return types.CompletionList(is_incomplete=False, items=_unique(items))


def _context(head: str) -> _Context:
    start = _statement_start(head)
    fragment = head[start:]
    ctx = _Context()
    try:
        ip = lark_parser().parse_interactive(fragment)
        ctx.tokens = [tok.type for tok in ip.iter_parse()]
        ctx.accepted = set(ip.accepts())  # type: ignore[no-untyped-call]
    except UnexpectedInput:
        ctx.parsed = False
        return ctx
    words = keyword_terminals()
    if ctx.tokens and ctx.tokens[0] in STATEMENT_KEYWORDS:
        ctx.statement = words.get(ctx.tokens[0])
    return ctx


def _statement_start(head: str) -> int:
    """Where the statement around the cursor starts: the last line whose first word is a
    statement keyword (the parser's own recovery point); 0 when there is none."""
    words = keyword_terminals()
    starters = {words[t] for t in STATEMENT_KEYWORDS if t in words}
    line_start = len(head)
    while line_start > 0:
        line_start = head.rfind("\n", 0, line_start - 1) + 1
        first = re.match(r"[ \t]*([^\W\d]\w*)", head[line_start:])
        if first and first.group(1) in starters:
            return line_start
    return 0


def _keywords(ctx: _Context) -> list[types.CompletionItem]:
    words = keyword_terminals()
    items: list[types.CompletionItem] = []
    in_bins = ctx.statement == "bins" and {"ELSE", "COMPARE_OP"} <= ctx.accepted
    if in_bins:
        items += [
            _snippet(label, body, doc, types.CompletionItemKind.Snippet)
            for label, body, doc in BIN_FORMS
        ]
    for terminal in sorted(ctx.accepted):
        word = words.get(terminal)
        if (
            word is None
            or terminal == "SCORE"
            or (in_bins and terminal in ("MISSING", "ELSE", "IN"))
        ):
            continue
        if terminal in TYPE_TERMINALS:
            items.append(_item(word, types.CompletionItemKind.TypeParameter, "type"))
        elif terminal in STATEMENT_KEYWORDS and word in STATEMENT_SNIPPETS:
            items.append(
                _snippet(
                    word, STATEMENT_SNIPPETS[word], "statement", types.CompletionItemKind.Keyword
                )
            )
        else:
            items.append(_item(word, types.CompletionItemKind.Keyword, "keyword"))
    if "SCORE" in ctx.accepted and "_RULE" in ctx.accepted:  # a statement may start here
        items.append(
            _snippet("score", "score = ${1:points}", "statement", types.CompletionItemKind.Keyword)
        )
    return items


def _names_in_context(doc: Analysis, ctx: _Context) -> list[types.CompletionItem]:
    last = ctx.tokens[-1] if ctx.tokens else None
    if last in DECLARING or ctx.statement == "input":
        return []  # a new name is being declared
    if ctx.statement == "bins" or (ctx.statement == "model" and "_FEATURES" in ctx.tokens):
        return _names(doc, ("input", "let"))
    if ctx.statement == "outcome":
        return _names(doc, ("input",))
    if ctx.statement == "example":
        if "_EXPECT" in ctx.tokens:
            return _names(doc, ("let", "rule", "bins", "model")) + _results(doc)
        return _names(doc, ("input",))
    items = _names(doc, ("input", "param", "let", "rule", "bins", "model"))
    items.append(
        _item(results.POINTS, types.CompletionItemKind.Variable, RESULT_WORDS[results.POINTS])
    )
    if ctx.statement == "segment":
        items.append(
            _item(results.SCORE, types.CompletionItemKind.Variable, RESULT_WORDS[results.SCORE])
        )
    return items + _functions()


def _names(doc: Analysis, kinds: tuple[Kind, ...]) -> list[types.CompletionItem]:
    kind_of = {
        "input": types.CompletionItemKind.Field,
        "param": types.CompletionItemKind.Constant,
        "let": types.CompletionItemKind.Variable,
        "rule": types.CompletionItemKind.Event,
        "bins": types.CompletionItemKind.Enum,
        "model": types.CompletionItemKind.Class,
    }
    return [
        types.CompletionItem(
            label=d.name,
            kind=kind_of[d.kind],
            detail=d.kind,
            insert_text=name_text(d.name),
        )
        for d in doc.index.names(*kinds)
    ]


def _results(doc: Analysis) -> list[types.CompletionItem]:
    names = [results.SCORE, results.SEGMENT, results.CLASS, results.EXCLUDED]
    program = doc.result.program
    if program is not None and program.reasons is not None:
        names += [results.reason(i + 1) for i in range(program.reasons.count)]
    return [_item(n, types.CompletionItemKind.Variable, "result") for n in names]


def _functions() -> list[types.CompletionItem]:
    return [
        types.CompletionItem(
            label=name,
            kind=types.CompletionItemKind.Function,
            detail="function",
            documentation=types.MarkupContent(types.MarkupKind.Markdown, function_markdown(name)),
            insert_text=f"{name}($1)",
            insert_text_format=types.InsertTextFormat.Snippet,
        )
        for name in FUNCTIONS
    ]


def _item(label: str, kind: types.CompletionItemKind, detail: str) -> types.CompletionItem:
    return types.CompletionItem(label=label, kind=kind, detail=detail)


def _snippet(
    label: str, body: str, detail: str, kind: types.CompletionItemKind
) -> types.CompletionItem:
    return types.CompletionItem(
        label=label,
        kind=kind,
        detail=detail,
        insert_text=body,
        insert_text_format=types.InsertTextFormat.Snippet,
    )


def _unique(items: Iterable[types.CompletionItem]) -> list[types.CompletionItem]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.label not in seen:
            seen.add(item.label)
            out.append(item)
    return out
