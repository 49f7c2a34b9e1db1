"""A checked card ready to run: its program, where it came from, and how to link its models."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from engine import ir
from engine.backends.polars import runner
from engine.check.params import check_overrides
from engine.check.result import CheckResult
from engine.diagnostics import Diagnostic
from engine.io.outputs import InputFile
from engine.models import cache as compiled_models
from engine.nonnull import simplify
from engine.program import Program, bind_params


class Card:
    """A card without errors. `engine.api.Scorecard` adds the user-facing methods."""

    def __init__(self, result: CheckResult, *, trust_models: bool = False) -> None:
        self._result = result
        self.trust_models = trust_models
        self.program: Program = result.checked_program()

    @property
    def name(self) -> str:
        return self.program.name

    @property
    def path(self) -> Path | None:
        return self._result.path

    @property
    def source(self) -> str:
        return self._result.source

    @property
    def base_dir(self) -> Path:
        """The folder the card's model paths are relative to."""
        return self._result.base_dir

    def files(self) -> list[InputFile]:
        """The files this card reads: itself and its model files (an output must be none)."""
        return self._result.files()

    def check(self) -> list[Diagnostic]:
        """The card's diagnostics (warnings only: a card with errors does not load)."""
        return list(self._result.diagnostics)

    def prepare(
        self,
        params: Mapping[str, ir.Value] | None = None,
        prefix: str = "",
        *,
        small_table: bool = False,
        validated: bool = False,
    ) -> runner.CardRun:
        """The card with params bound and models linked, ready for the Polars runner.

        Models come from the cache of compiled expressions when every one is there and runs
        as an expression; on a `small_table` any cached expression is used, since loading
        the model would cost more than the expression loses per row. `validated`: the rows
        will have passed the data's checks, so null tests of the key and of required columns
        (and of what is computed from them) fold away (`engine.nonnull`).
        """
        values = check_overrides(self.program, params or {})
        program = bind_params(self.program, values)
        if not program.models:
            return runner.CardRun(simplify(program, validated=validated), {}, prefix)
        cached = compiled_models.cached_program(
            program, self.base_dir, self.trust_models, for_run=not small_table
        )
        if cached is not None:
            return runner.CardRun(simplify(cached[0], validated=validated), {}, prefix)
        from engine.models.linking import link  # scikit-learn only when the cache misses

        linked = link(program, self.base_dir, self.trust_models)
        linked_program = simplify(linked.program, validated=validated)
        return runner.CardRun(linked_program, linked.batch_predictors, prefix)
