"""`scorecard lsp`: the pygls server, wiring each LSP request to its feature module.

Nothing here knows the language: every answer comes from `document.Analysis` (the checker's
result and the name index) through one module per feature.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

import engine
from engine.lsp import codelens, completion, diagnostics, formatting, hover, navigation, symbols
from engine.lsp.document import Analysis
from engine.syntax.incremental import IncrementalParser

COMPLETION_TRIGGERS = [" ", "(", "[", ":", "{"]


class ScorecardServer(LanguageServer):
    """The server keeps the latest analysis of each open card, and the examples' outcomes
    for the text they were run on."""

    def __init__(self) -> None:
        super().__init__(
            "scorecard",
            getattr(engine, "__version__", "0"),
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.analyses: dict[str, Analysis] = {}
        self.parsers: dict[str, IncrementalParser] = {}
        self.outcomes: dict[str, tuple[str, list[codelens.ExampleResult]]] = {}

    def analysis(self, uri: str) -> Analysis:
        """The analysis of the document's current text (checked again only when it changed)."""
        text = self.workspace.get_text_document(uri).source
        found = self.analyses.get(uri)
        if found is None or found.text != text:
            parser = self.parsers.setdefault(uri, IncrementalParser())
            found = Analysis(uri, text, self.workspace.position_codec, parser)
            self.analyses[uri] = found
        return found

    def publish(self, uri: str) -> None:
        doc = self.analysis(uri)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics.diagnostics(doc))
        )

    def example_outcomes(self, doc: Analysis) -> list[codelens.ExampleResult] | None:
        kept = self.outcomes.get(doc.uri)
        return kept[1] if kept is not None and kept[0] == doc.text else None


def build() -> ScorecardServer:
    server = ScorecardServer()
    _documents(server)
    _features(server)
    return server


def _documents(server: ScorecardServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ScorecardServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ScorecardServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ScorecardServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.analyses.pop(uri, None)
        ls.parsers.pop(uri, None)
        ls.outcomes.pop(uri, None)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )


def _features(server: ScorecardServer) -> None:
    def doc_place(ls: ScorecardServer, params: Any) -> tuple[Analysis, Any]:
        doc = ls.analysis(params.text_document.uri)
        return doc, doc.place(params.position)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: ScorecardServer, params: types.HoverParams) -> types.Hover | None:
        return hover.hover(*doc_place(ls, params))

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=COMPLETION_TRIGGERS),
    )
    def on_completion(ls: ScorecardServer, params: types.CompletionParams) -> types.CompletionList:
        return completion.completion(*doc_place(ls, params))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: ScorecardServer, params: types.DefinitionParams) -> types.Location | None:
        return navigation.definition(*doc_place(ls, params))

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def on_references(ls: ScorecardServer, params: types.ReferenceParams) -> list[types.Location]:
        doc, place = doc_place(ls, params)
        return navigation.references(doc, place, params.context.include_declaration)

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    def on_prepare_rename(ls: ScorecardServer, params: types.PrepareRenameParams) -> types.Range:
        return navigation.prepare_rename(*doc_place(ls, params))

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    def on_rename(ls: ScorecardServer, params: types.RenameParams) -> types.WorkspaceEdit:
        doc, place = doc_place(ls, params)
        return navigation.rename(doc, place, params.new_name)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def on_symbols(
        ls: ScorecardServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol]:
        return symbols.document_symbols(ls.analysis(params.text_document.uri))

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def on_formatting(
        ls: ScorecardServer, params: types.DocumentFormattingParams
    ) -> list[types.TextEdit]:
        return formatting.formatting(ls.analysis(params.text_document.uri))

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS)
    def on_code_lens(ls: ScorecardServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        doc = ls.analysis(params.text_document.uri)
        return codelens.code_lenses(doc, ls.example_outcomes(doc))

    @server.command(codelens.RUN_EXAMPLES)
    def on_run_examples(ls: ScorecardServer, uri: str) -> list[dict[str, Any]]:
        doc = ls.analysis(uri)
        results = codelens.run_examples(doc)
        ls.outcomes[uri] = (doc.text, results)
        workspace = ls.client_capabilities.workspace
        lens = workspace.code_lens if workspace is not None else None
        if lens is not None and lens.refresh_support:
            ls.workspace_code_lens_refresh(None)
        return [r.as_json() for r in results]


def serve() -> None:
    """Serve one editor over stdin and stdout until it says exit."""
    build().start_io()
