"""What checking a card gives (`CheckResult`), apart from the checker itself.

Kept free of the parser and the checker so that a run from a cached program
(`engine.check.cached`) imports neither Lark nor the pydantic AST.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from engine.diagnostics import Diagnostic, ScorecardError
from engine.models.files import model_path
from engine.program import Program

if TYPE_CHECKING:
    from engine.syntax import ast


@dataclass
class CheckResult:
    """What checking a card gives: the program (None on any error) and all diagnostics."""

    program: Program | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    source: str = ""
    path: Path | None = None
    card: ast.Card | None = None

    @property
    def ok(self) -> bool:
        return self.program is not None and not any(d.is_error for d in self.diagnostics)

    @property
    def base_dir(self) -> Path:
        """The folder model paths are relative to: the card's, or the working directory."""
        return self.path.parent if self.path is not None else Path.cwd()

    def files(self) -> list[tuple[str, Path]]:
        """The files the card reads, as (role, path): itself and its model files (an output
        must be none of them, `engine.io.outputs.check_output`)."""
        if self.path is None:
            return []
        models = self.program.models if self.program is not None else ()
        return [("card", self.path)] + [
            ("model file", model_path(m, self.base_dir)) for m in models
        ]

    def checked_program(self) -> Program:
        """The program of a card without errors; the card's diagnostics raised otherwise."""
        if self.program is None or not self.ok:
            raise ScorecardError(self.diagnostics, self.source)
        return self.program
