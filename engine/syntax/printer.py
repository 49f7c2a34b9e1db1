"""AST -> canonical card text: the layout `scorecard fmt` writes, comments kept.

Expressions get the fewest parentheses that parse back to the same tree; names that are
not plain identifiers, or that read as keywords, are written in backticks.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.syntax import ast

PLAIN_NAME = re.compile(r"[^\W\d]\w*")
KEYWORD_WORDS = frozenset(
    [
        "scorecard",
        "title",
        "version",
        "owner",
        "description",
        "input",
        "int",
        "float",
        "string",
        "bool",
        "date",
        "datetime",
        "key",
        "required",
        "sensitive",
        "param",
        "let",
        "exclude",
        "rule",
        "when",
        "then",
        "bins",
        "on",
        "missing",
        "else",
        "in",
        "model",
        "sklearn",
        "features",
        "output",
        "probability",
        "prediction",
        "sha256",
        "score",
        "segment",
        "otherwise",
        "classes",
        "reasons",
        "highest",
        "lowest",
        "below",
        "example",
        "given",
        "expect",
        "if",
        "or",
        "and",
        "not",
        "is",
        "true",
        "false",
    ]
)
INDENT = "  "

# Binding strength of each expression form (higher binds tighter).
PREC_IF, PREC_OR, PREC_AND, PREC_NOT, PREC_CMP, PREC_SUM, PREC_PRODUCT, PREC_UNARY, PREC_ATOM = (
    range(9)
)


MODIFIER_WORDS = frozenset({"key", "required", "sensitive"})


def name_text(name: str, reserved: frozenset[str] = KEYWORD_WORDS - {"score"}) -> str:
    """A name as written in a card: bare when it cannot read as a keyword there."""
    if PLAIN_NAME.fullmatch(name) and name not in reserved:
        return name
    return "`" + name.replace("`", "``") + "`"


def decl_text(name: str) -> str:
    """A name where only a name can stand (after `let`, in `expect`, ...)."""
    return name_text(name, frozenset())


def string_text(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped + '"'


def float_text(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"{value} cannot be written in a card")
    text = repr(value)
    if "e" in text or "E" in text:
        mantissa, _, exponent = text.partition("e")
        return mantissa + "e" + exponent
    return text


def literal_text(node: ast.Node) -> str:
    match node:
        case ast.IntLit(value=v):
            return str(v)
        case ast.FloatLit(value=v):
            return float_text(v)
        case ast.StringLit(value=v):
            return string_text(v)
        case ast.BoolLit(value=v):
            return "true" if v else "false"
        case ast.DateTimeLit(value=v):
            return v.isoformat()
        case ast.DateLit(value=v):
            return v.isoformat() if isinstance(v, dt.date) else str(v)
        case ast.MissingLit():
            return "missing"
    raise TypeError(f"not a literal: {node!r}")


def _prec(node: ast.Node) -> int:
    match node:
        case ast.IfExpr():
            return PREC_IF
        case ast.Binary(op="or"):
            return PREC_OR
        case ast.Binary(op="and"):
            return PREC_AND
        case ast.Unary(op="not"):
            return PREC_NOT
        case ast.Binary(op="=" | "!=" | "<" | "<=" | ">" | ">=") | ast.InList() | ast.IsMissing():
            return PREC_CMP
        case ast.Binary(op="+" | "-"):
            return PREC_SUM
        case ast.Binary(op="*" | "/"):
            return PREC_PRODUCT
        case ast.Unary():
            return PREC_UNARY
    return PREC_ATOM


def expr_text(node: ast.Node, min_prec: int = PREC_IF) -> str:
    """The expression as text, in parentheses when it binds looser than `min_prec`."""
    text = _expr(node)
    return f"({text})" if _prec(node) < min_prec else text


def _expr(node: ast.Node) -> str:
    match node:
        case ast.Name(name=n):
            return name_text(n)
        case ast.IfExpr(cond=c, then=t, else_=e):
            return f"if {expr_text(c)} then {expr_text(t)} else {expr_text(e)}"
        case ast.Binary(op="or" | "and" as op, left=l, right=r):
            p = PREC_OR if op == "or" else PREC_AND
            return f"{expr_text(l, p)} {op} {expr_text(r, p + 1)}"
        case ast.Binary(op="+" | "-" | "*" | "/" as op, left=l, right=r):
            p = PREC_SUM if op in "+-" else PREC_PRODUCT
            return f"{expr_text(l, p)} {op} {expr_text(r, p + 1)}"
        case ast.Binary(op=op, left=l, right=r):
            return f"{expr_text(l, PREC_SUM)} {op} {expr_text(r, PREC_SUM)}"
        case ast.Unary(op="not", operand=o):
            return f"not {expr_text(o, PREC_NOT)}"
        case ast.Unary(op=op, operand=o):
            inner = expr_text(o, PREC_UNARY)
            return f"{op} {inner}" if inner.startswith(("-", "+")) else f"{op}{inner}"
        case ast.InList(operand=o, values=vs, negated=neg):
            items = ", ".join(literal_text(v) for v in vs)
            return f"{expr_text(o, PREC_SUM)} {'not in' if neg else 'in'} [{items}]"
        case ast.IsMissing(operand=o, negated=neg):
            return f"{expr_text(o, PREC_SUM)} is {'not missing' if neg else 'missing'}"
        case ast.Call(func=f, args=args):
            return f"{name_text(f, KEYWORD_WORDS)}(" + ", ".join(expr_text(a) for a in args) + ")"
    return literal_text(node)


def bin_match_text(match: ast.Node) -> str:
    match match:
        case ast.BinMissing():
            return "missing"
        case ast.BinElse():
            return "else"
        case ast.BinCompare(op=op, value=v):
            return f"{op} {literal_text(v)}"
        case ast.BinInterval(low=lo, high=hi, closed_low=cl, closed_high=ch):
            return f"{'[' if cl else '('}{literal_text(lo)}, {literal_text(hi)}{']' if ch else ')'}"
        case ast.BinIn(values=vs):
            return "in [" + ", ".join(literal_text(v) for v in vs) + "]"
    raise TypeError(match)


@dataclass
class SourceComment:
    line: int
    text: str
    trailing: bool
    """True when code stands before it on its line."""


def find_comments(source: str) -> list[SourceComment]:
    """Every `#` comment of a card, skipping `#` inside strings and backtick names."""
    out: list[SourceComment] = []
    for number, line in enumerate(source.split("\n"), start=1):
        quote: str | None = None
        i = 0
        while i < len(line):
            ch = line[i]
            if quote is not None:
                if ch == "\\" and quote == '"':
                    i += 2
                    continue
                if ch == quote:
                    quote = None
            elif ch in ('"', "`"):
                quote = ch
            elif ch == "#":
                out.append(SourceComment(number, line[i:].rstrip(), bool(line[:i].strip())))
                break
            i += 1
    return out


class Printer:
    """Writes statements in order; comments go back before the statement or item they preceded."""

    def __init__(self, comments: Iterable[SourceComment] = ()) -> None:
        self.comments = sorted(comments, key=lambda c: c.line)
        self.lines: list[str] = []

    def _leading(self, before_line: int | None, indent: str) -> None:
        """Comments standing before `before_line`; a blank line after one is kept."""
        while self.comments and (before_line is None or self.comments[0].line < before_line):
            comment = self.comments.pop(0)
            self.lines.append(indent + comment.text)
            nexts = [self.comments[0].line] if self.comments else []
            if before_line is not None:
                nexts.append(before_line)
            if nexts and min(nexts) > comment.line + 1:
                self.lines.append("")

    def _trailing(self, first: int | None, last: int | None) -> str:
        if first is None or last is None:
            return ""
        found = [c for c in self.comments if first <= c.line <= last and c.trailing]
        for c in found:
            self.comments.remove(c)
        return "".join("  " + c.text for c in found)

    def _line(self, node: ast.Node, text: str, indent: str = "") -> None:
        span = node.span
        self._leading(span.line if span else None, indent)
        trailing = self._trailing(span.line if span else None, span.end_line if span else None)
        self.lines.append(indent + text + trailing)

    def card(self, card: ast.Card) -> str:
        previous: str | None = None
        runs = _aligned_runs(card.statements)
        for stmt in card.statements:
            kind = stmt.kind
            multi = kind in ("header", "input", "bins", "model", "example")
            if previous is not None and (multi or kind != previous):
                self.lines.append("")
            if id(stmt) in runs:
                self._line(stmt, runs[id(stmt)])
            else:
                self.statement(stmt)
            previous = "block" if multi else kind
        self._leading(None, "")
        return "\n".join(self.lines).rstrip("\n") + "\n"

    def statement(self, stmt: ast.Node) -> None:
        match stmt:
            case ast.Header():
                self._open(stmt, f"scorecard {decl_text(stmt.name.name)} {{", stmt.meta)
                width = max((len(m.key) for m in stmt.meta), default=0)
                for m in stmt.meta:
                    self._line(m, f"{m.key.ljust(width)} {string_text(m.value)}", INDENT)
                self._close(stmt)
            case ast.InputBlock():
                self._open(stmt, "input {", stmt.columns)
                names = [name_text(c.name.name, MODIFIER_WORDS) for c in stmt.columns]
                width = max((len(n) for n in names), default=0)
                twidth = max((len(c.type) for c in stmt.columns if c.modifiers), default=0)
                for c, n in zip(stmt.columns, names, strict=True):
                    text = f"{n.ljust(width)} : " + (
                        f"{c.type.ljust(twidth)} {' '.join(c.modifiers)}" if c.modifiers else c.type
                    )
                    self._line(c, text, INDENT)
                self._close(stmt)
            case ast.ParamStmt():
                self._line(
                    stmt,
                    f"param {decl_text(stmt.name.name)} : {stmt.type} = {literal_text(stmt.value)}",
                )
            case ast.LetStmt():
                self._line(stmt, f"let {decl_text(stmt.name.name)} = {expr_text(stmt.expr)}")
            case ast.ExcludeStmt():
                self._line(
                    stmt, f"exclude {string_text(stmt.label.value)} when {expr_text(stmt.cond)}"
                )
            case ast.RuleStmt():
                label = f" {string_text(stmt.label.value)}" if stmt.label else ""
                self._line(
                    stmt,
                    f"rule {decl_text(stmt.name.name)}{label} when {expr_text(stmt.cond)} "
                    f"then {expr_text(stmt.points)}",
                )
            case ast.BinsStmt():
                label = f" {string_text(stmt.label.value)}" if stmt.label else ""
                self._open(
                    stmt,
                    f"bins {decl_text(stmt.name.name)} on {decl_text(stmt.on.name)}{label} {{",
                    stmt.entries,
                )
                texts = [bin_match_text(e.match) for e in stmt.entries]
                width = max((len(t) for t in texts), default=0)
                for entry, text in zip(stmt.entries, texts, strict=True):
                    self._line(
                        entry, f"{text.ljust(width)} -> {literal_text(entry.points)}", INDENT
                    )
                self._close(stmt)
            case ast.ModelStmt():
                self._model(stmt)
            case ast.ScoreStmt():
                self._line(stmt, f"score = {expr_text(stmt.expr)}")
            case ast.SegmentStmt():
                tail = "otherwise" if stmt.cond is None else f"when {expr_text(stmt.cond)}"
                self._line(stmt, f"segment {string_text(stmt.name.value)} {tail}")
            case ast.ClassesStmt():
                self._line(stmt, f"classes {stmt.count}")
            case ast.ReasonsStmt():
                direction = f" {stmt.direction}" if stmt.direction else ""
                self._line(stmt, f"reasons {stmt.count}{direction}")
            case ast.OutcomeStmt():
                event = f" event {literal_text(stmt.event)}" if stmt.event is not None else ""
                direction = f" high score means {stmt.direction} events" if stmt.direction else ""
                self._line(stmt, f"outcome {decl_text(stmt.column.name)}{event}{direction}")
            case ast.ExampleStmt():
                self._open(stmt, f"example {string_text(stmt.name.value)} {{")
                for word, items in (("given ", stmt.given), ("expect", stmt.expect)):
                    if items:
                        self._assignments(word, items)
                self._close(stmt)
            case _:
                raise TypeError(f"no layout for {stmt!r}")

    def _open(self, stmt: ast.Node, text: str, items: list[Any] | None = None) -> None:
        """The block's first line; a comment on it goes to the first item if that shares it."""
        span = stmt.span
        self._leading(span.line if span else None, "")
        first = items[0].span if items and items[0].span else None
        shares = span is not None and first is not None and first.line == span.line
        line = None if span is None or shares else span.line
        self.lines.append(text + self._trailing(line, line))

    def _close(self, stmt: ast.Node) -> None:
        span = stmt.span
        if span is not None:
            self._leading(span.end_line, INDENT)
        trailing = self._trailing(span.end_line if span else None, span.end_line if span else None)
        self.lines.append("}" + trailing)

    def _model(self, stmt: ast.ModelStmt) -> None:
        self._open(
            stmt,
            f"model {decl_text(stmt.name.name)} = {stmt.flavor} {string_text(stmt.path.value)} {{",
        )
        if stmt.features is not None:
            names = ", ".join(decl_text(f.name) for f in stmt.features)
            self.lines.append(f"{INDENT}features [{names}]")
        if stmt.output is not None:
            cls = f" {string_text(stmt.output_class.value)}" if stmt.output_class else ""
            self.lines.append(f"{INDENT}output   {stmt.output}{cls}")
        if stmt.sha256 is not None:
            self.lines.append(f"{INDENT}sha256   {string_text(stmt.sha256.value)}")
        self._close(stmt)

    def _assignments(self, word: str, items: list[ast.Assignment]) -> None:
        parts = [f"{decl_text(a.target.name)} = {literal_text(a.value)}" for a in items]
        prefix = f"{INDENT}{word} "
        pad = " " * len(f"{INDENT}{word} ")
        line = prefix
        first = True
        for i, part in enumerate(parts):
            piece = part + ("," if i < len(parts) - 1 else "")
            if not first and len(line) + 1 + len(piece) > 96:
                self.lines.append(line.rstrip())
                line = pad
                first = True
            line += ("" if first else " ") + piece
            first = False
        self.lines.append(line.rstrip())


ALIGN_CAP = 40
"""A cell longer than this is not padded to, nor padded: it would push its neighbours too far."""


def _cells(stmt: ast.Node) -> list[str] | None:
    """A one-line statement cut into the cells that line up with its neighbours' cells."""
    match stmt:
        case ast.ParamStmt():
            return [
                f"param {decl_text(stmt.name.name)}",
                f": {stmt.type}",
                f"= {literal_text(stmt.value)}",
            ]
        case ast.LetStmt():
            return [f"let {decl_text(stmt.name.name)}", f"= {expr_text(stmt.expr)}"]
        case ast.ExcludeStmt():
            return [f"exclude {string_text(stmt.label.value)}", f"when {expr_text(stmt.cond)}"]
        case ast.RuleStmt():
            return [
                f"rule {decl_text(stmt.name.name)}",
                string_text(stmt.label.value) if stmt.label else "",
                f"when {expr_text(stmt.cond)}",
                f"then {expr_text(stmt.points)}",
            ]
        case ast.SegmentStmt():
            tail = "otherwise" if stmt.cond is None else f"when {expr_text(stmt.cond)}"
            return [f"segment {string_text(stmt.name.value)}", tail]
    return None


def _aligned_runs(statements: list[Any]) -> dict[int, str]:
    """The text of each statement in a run of one-line statements of one kind, as a table.

    Consecutive params, lets, excludes, rules or segments line up their parts, as in the
    language reference's example card.
    """
    out: dict[int, str] = {}
    i = 0
    while i < len(statements):
        j = i
        while j < len(statements) and statements[j].kind == statements[i].kind:
            j += 1
        rows = [_cells(s) for s in statements[i:j]]
        if all(r is not None for r in rows):
            table = [r for r in rows if r is not None]
            for stmt, text in zip(statements[i:j], _layout(table), strict=True):
                out[id(stmt)] = text
        i = j
    return out


def _layout(rows: list[list[str]]) -> list[str]:
    columns = len(rows[0])
    keep = [c for c in range(columns) if any(r[c] for r in rows)]
    widths = {c: max((len(r[c]) for r in rows if len(r[c]) <= ALIGN_CAP), default=0) for c in keep}
    lines = []
    for row in rows:
        parts = []
        for n, c in enumerate(keep):
            cell = row[c]
            last = n == len(keep) - 1
            parts.append(cell if last or len(cell) > ALIGN_CAP else cell.ljust(widths[c]))
        lines.append(" ".join(parts).rstrip())
    return lines


def format_card(card: ast.Card, source: str | None = None) -> str:
    """The canonical text of a card; with `source`, its comments are kept."""
    comments = find_comments(source) if source is not None else []
    return Printer(comments).card(card)
