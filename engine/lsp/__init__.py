"""The language server editors start with `scorecard lsp`: one stage over the real parser and
checker (never a second parser), one module per feature; `server.py` only wires them to
pygls. Imported only by the `lsp` command, so pygls is never loaded by the other commands."""
