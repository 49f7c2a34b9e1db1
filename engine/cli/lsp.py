"""`scorecard lsp`: the language server editors start (VS Code, Neovim, Helix...)."""

from __future__ import annotations

from typing import Annotated

import typer

from engine.cli.app import app, stderr


@app.command()
def lsp(
    stdio: Annotated[
        bool, typer.Option("--stdio", help="Talk over stdin/stdout (the default and only way).")
    ] = True,
) -> None:
    """Run the scorecard language server over stdin and stdout (for editors).

    Diagnostics as you type, hover, completion, go to definition, references, rename,
    formatting, the outline and a "run examples" lens. Needs the `lsp` extra:
    pip install 'scorecard-engine[lsp]'. See docs/editors.md.

    Example: scorecard lsp
    """
    try:
        from engine.lsp.server import serve  # pygls only for this command
    except ModuleNotFoundError as exc:
        if exc.name not in ("pygls", "lsprotocol"):
            raise
        stderr.print(
            "error: `scorecard lsp` needs the language server extra: "
            "pip install 'scorecard-engine[lsp]'"
        )
        raise typer.Exit(1) from None
    serve()
