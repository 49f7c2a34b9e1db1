"""Programs with one model, built by hand the way the checker lowers a `model` statement."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from engine import ir
from engine.diagnostics import Span
from engine.program import Definition, InputColumn, ModelDef, Program
from engine.types import ScalarType

MODEL_SPAN = Span(7, 1, 10, 2)


def model_program(
    card_dir: Path,
    model_path: str,
    features: Sequence[tuple[str, ScalarType]],
    output: Literal["probability", "prediction"] = "probability",
    output_class: str | None = None,
    sha256: str | None = None,
    name: str = "m",
) -> Program:
    """A card `card_dir/card.scorecard` with a key, the features as inputs, and one model."""
    refs = tuple(ir.Ref(n, t) for n, t in features)
    model = ModelDef(
        name,
        Path(model_path),
        tuple(n for n, _ in features),
        output,
        output_class,
        sha256,
        MODEL_SPAN,
    )
    return Program(
        name="card",
        metadata={},
        source_path=card_dir / "card.scorecard",
        inputs=(
            InputColumn("id", ScalarType.STRING, key=True),
            *(InputColumn(n, t) for n, t in features),
        ),
        params=(),
        definitions=(Definition(name, "model", ir.ModelBatch(name, refs), MODEL_SPAN),),
        rules=(),
        bins=(),
        models=(model,),
        contributions=(),
        excludes=(),
        segments=(),
        classes=None,
        reasons=None,
    )


def floats(*names: str) -> list[tuple[str, ScalarType]]:
    return [(n, ScalarType.FLOAT) for n in names]
