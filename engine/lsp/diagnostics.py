"""The checker's diagnostics as the editor's: the same codes, messages and ranges as
`scorecard check`, without loading models or reading data (what `check` adds by loading a
model is left to `check`: a keystroke must not unpickle anything)."""

from __future__ import annotations

from lsprotocol import types

from engine.diagnostics import Diagnostic
from engine.lsp.document import Analysis

SOURCE = "scorecard"


def diagnostics(doc: Analysis) -> list[types.Diagnostic]:
    return [to_lsp(doc, d) for d in doc.result.diagnostics]


def to_lsp(doc: Analysis, d: Diagnostic) -> types.Diagnostic:
    message = "\n".join([d.message, *(f"note: {n}" for n in d.notes)])
    return types.Diagnostic(
        range=doc.range(d.span),
        message=message,
        severity=types.DiagnosticSeverity.Error if d.is_error else types.DiagnosticSeverity.Warning,
        code=d.code,
        source=SOURCE,
    )
