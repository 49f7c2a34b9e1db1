"""Go to definition, find references, and rename of a let, rule or bins block across the card.

Inputs are the customer table's columns and params are named on command lines
(`--param NAME=...`), so renaming either would break what lies outside the card: rename
refuses them, as it refuses models (their name is the column a report reads) (docs/editors.md).
"""

from __future__ import annotations

import re

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from engine import results
from engine.lsp.document import Analysis, Place
from engine.lsp.index import Occurrence
from engine.syntax.printer import name_text

RENAMABLE = ("let", "rule", "bins")


def _declared_at(doc: Analysis, place: Place) -> Occurrence | None:
    occ = doc.index.at(place.line, place.column)
    if occ is None or occ.role == "function" or occ.name not in doc.index.declarations:
        return None
    return occ


def definition(doc: Analysis, place: Place) -> types.Location | None:
    occ = _declared_at(doc, place)
    if occ is None:
        return None
    decl = doc.index.declarations[occ.name]
    return types.Location(uri=doc.uri, range=doc.range(decl.span))


def references(doc: Analysis, place: Place, include_declaration: bool) -> list[types.Location]:
    occ = _declared_at(doc, place)
    if occ is None:
        return []
    return [
        types.Location(uri=doc.uri, range=doc.range(o.span))
        for o in doc.index.of(occ.name)
        if include_declaration or o.role != "declaration"
    ]


def prepare_rename(doc: Analysis, place: Place) -> types.Range:
    occ = _declared_at(doc, place)
    if occ is None:
        raise JsonRpcInvalidParams("only a let, a rule or a bins block can be renamed")
    kind = doc.index.declarations[occ.name].kind
    if kind not in RENAMABLE:
        raise JsonRpcInvalidParams(
            f"`{occ.name}` is {'an' if kind == 'input' else 'a'} {kind}: only a let, a rule "
            "or a bins block can be renamed (inputs are the data's columns, params are named "
            "on command lines)"
        )
    return doc.range(occ.span)


def rename(doc: Analysis, place: Place, new_name: str) -> types.WorkspaceEdit:
    prepare_rename(doc, place)
    occ = _declared_at(doc, place)
    assert occ is not None
    _check_new_name(doc, occ.name, new_name)
    text = name_text(new_name)
    edits = [types.TextEdit(range=doc.range(o.span), new_text=text) for o in doc.index.of(occ.name)]
    return types.WorkspaceEdit(changes={doc.uri: edits})


def _check_new_name(doc: Analysis, old: str, new: str) -> None:
    # A name that is not a plain identifier is written in backticks (`name_text`).
    bare = new[1:-1].replace("``", "`") if re.fullmatch(r"`([^`\n]|``)+`", new) else new
    if not bare.strip() or "\n" in bare or "\r" in bare:
        raise JsonRpcInvalidParams(f"`{new}` is not a name: it must be one line, not blank")
    if results.is_reserved(bare):
        raise JsonRpcInvalidParams(f"`{bare}` is reserved for the card's results")
    if bare != old and bare in doc.index.declarations:
        kind = doc.index.declarations[bare].kind
        raise JsonRpcInvalidParams(f"`{bare}` is already declared (as a {kind})")
