"""Hover: what a name is (input and its type, param and its value, let and its expression,
rule and its label and points, bins and their table, model and its file and features), and a
function's signature and doc."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from engine import results
from engine.lsp.document import Analysis, Place
from engine.lsp.functions import function_markdown
from engine.lsp.index import Declaration
from engine.syntax import ast
from engine.syntax.printer import bin_match_text, decl_text, expr_text, literal_text

RESULT_WORDS = {
    results.POINTS: "the sum of every rule and bins contribution",
    results.SCORE: "the card's score (`score = ...`, else `points`)",
    results.SEGMENT: "the name of the first segment whose condition holds",
    results.CLASS: "the score class, 1 holding the highest scores",
    results.EXCLUDED: "the label of the first matching `exclude`, else missing",
}


def hover(doc: Analysis, place: Place) -> types.Hover | None:
    occ = doc.index.at(place.line, place.column)
    if occ is None:
        return None
    if occ.role == "function":
        text = function_markdown(occ.name)
    elif occ.name in doc.index.declarations:
        text = declaration_markdown(doc, doc.index.declarations[occ.name])
    elif occ.name in RESULT_WORDS or results.reason_number(occ.name) is not None:
        words = RESULT_WORDS.get(occ.name, "a reason: the name of a rule or bins block")
        text = f"**result** `{occ.name}`: {words}"
    else:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
        range=doc.range(occ.span),
    )


def declaration_markdown(doc: Analysis, decl: Declaration) -> str:
    """The hover text of a declared name, by kind."""
    node: Any = decl.node
    name = decl_text(decl.name)
    match node:
        case ast.Column():
            mods = "".join(f" {m}" for m in node.modifiers)
            return _code(f"input {name} : {node.type}{mods}") + "A column of the customer table."
        case ast.ParamStmt():
            value = literal_text(node.value)
            return _code(f"param {name} : {node.type} = {value}") + (
                f"Override with `--param {decl.name}=VALUE`."
            )
        case ast.LetStmt():
            return _code(f"let {name} = {expr_text(node.expr)}") + _type_line(doc, decl.name)
        case ast.RuleStmt():
            return _rule(node, name)
        case ast.BinsStmt():
            return _bins(node, name)
        case ast.ModelStmt():
            return _model(node, name)
    return f"`{decl.name}`"


def _code(text: str) -> str:
    return f"```scorecard\n{text}\n```\n"


def _type_line(doc: Analysis, name: str) -> str:
    program = doc.result.program
    if program is None:
        return ""
    try:
        return f"Type: `{program.definition(name).type.value}`"
    except KeyError:
        return ""


def _rule(node: ast.RuleStmt, name: str) -> str:
    label = f" {literal_text(node.label)}" if node.label is not None else ""
    head = _code(f"rule {name}{label}")
    body = f"when `{expr_text(node.cond)}`\n\nthen **{expr_text(node.points)}** points"
    return head + body


def _bins(node: ast.BinsStmt, name: str) -> str:
    label = f" {literal_text(node.label)}" if node.label is not None else ""
    head = _code(f"bins {name} on {expr_text(node.on)}{label}")
    rows = ["| bin | points |", "|---|---:|"]
    for entry in node.entries:
        cell = bin_match_text(entry.match).replace("|", "\\|")
        rows.append(f"| `{cell}` | {literal_text(entry.points)} |")
    return head + "\n".join(rows)


def _model(node: ast.ModelStmt, name: str) -> str:
    lines = [_code(f"model {name} = {node.flavor} {literal_text(node.path)}")]
    features = ", ".join(f"`{f.name}`" for f in node.features or [])
    lines.append(f"- file: `{node.path.value}`")
    lines.append(f"- features: {features or '(none)'}")
    if node.output is not None:
        cls = f" of class {literal_text(node.output_class)}" if node.output_class else ""
        lines.append(f"- output: {node.output}{cls}")
    if node.sha256 is not None:
        lines.append(f"- sha256: `{node.sha256.value}`")
    return "\n".join(lines)
