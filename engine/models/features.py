"""Checking a card's `features [...]` and `output ...` against the trained estimator.

The card lists the model's inputs by name, in the estimator's column order. scikit-learn keeps
the names it was trained with (`feature_names_in_`, when it was fitted on a data frame) and
always the count (`n_features_in_`); a mismatch is the card's error and is reported with the
names, since a silently permuted feature gives plausible but wrong scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sklearn.base import is_classifier, is_regressor

from engine import ir
from engine.diagnostics import Diagnostic, error
from engine.program import ModelDef
from engine.types import ScalarType


@dataclass(frozen=True, slots=True)
class OutputSpec:
    """What the model definition yields: a regressor's prediction, or one class's probability."""

    kind: Literal["probability", "prediction"]
    class_index: int | None = None


def estimator_name(estimator: Any) -> str:
    """`Pipeline(StandardScaler, LogisticRegression)` or the class name."""
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list):
        return "Pipeline(" + ", ".join(estimator_name(s) for _, s in steps) + ")"
    return type(estimator).__name__


def check_features(
    estimator: Any, model: ModelDef, features: Sequence[ir.Expr]
) -> list[Diagnostic]:
    """Names, count and types of the card's features against what the estimator was fitted on."""
    out: list[Diagnostic] = []
    card = list(model.features)
    trained = getattr(estimator, "feature_names_in_", None)
    if trained is not None:
        expected = [str(n) for n in trained]
        if card != expected:
            notes = [f"the card lists:       [{', '.join(card)}]"]
            notes.append(f"the model was fitted on [{', '.join(expected)}]")
            missing = [n for n in expected if n not in card]
            extra = [n for n in card if n not in expected]
            if missing:
                notes.append("missing from the card: " + ", ".join(missing))
            if extra:
                notes.append("not features of the model: " + ", ".join(extra))
            if not missing and not extra:
                notes.append("same names in a different order: list them in the model's order")
            out.append(
                error(
                    "E611",
                    f"model {model.name!r}: the features do not match the names the "
                    "estimator was trained with",
                    model.span,
                    *notes,
                )
            )
            return out
    count = getattr(estimator, "n_features_in_", None)
    if count is not None and int(count) != len(card):
        out.append(
            error(
                "E611",
                f"model {model.name!r}: the estimator expects {int(count)} features, "
                f"the card lists {len(card)}",
                model.span,
                f"the card lists: [{', '.join(card)}]",
            )
        )
    for name, f in zip(card, features, strict=False):
        if f.type.is_temporal:
            out.append(
                error(
                    "E612",
                    f"model {model.name!r}: feature {name!r} is a {f.type}; models read "
                    "numbers, booleans or strings",
                    model.span,
                    "derive a number with a let, e.g. days_between(" + name + ", as_of)",
                )
            )
    return out


def resolve_output(estimator: Any, model: ModelDef) -> tuple[OutputSpec | None, list[Diagnostic]]:
    """Which number the model yields, checked against what the estimator can give."""
    name = estimator_name(estimator)
    if is_classifier(estimator):
        if model.output != "probability":
            return None, [
                error(
                    "E613",
                    f"model {model.name!r}: {name} is a classifier; use `output probability` "
                    '(or `output probability "CLASS"`)',
                    model.span,
                )
            ]
        classes = [str(c) for c in getattr(estimator, "classes_", [])]
        if model.output_class is None:
            if len(classes) != 2:
                return None, [
                    error(
                        "E613",
                        f"model {model.name!r}: {name} has {len(classes)} classes; name the "
                        'class, e.g. `output probability "'
                        + (classes[-1] if classes else "X")
                        + '"`',
                        model.span,
                        "classes: " + ", ".join(classes),
                    )
                ]
            return OutputSpec("probability", 1), []
        if model.output_class not in classes:
            return None, [
                error(
                    "E613",
                    f"model {model.name!r}: {name} has no class {model.output_class!r}",
                    model.span,
                    "classes: " + ", ".join(classes),
                )
            ]
        return OutputSpec("probability", classes.index(model.output_class)), []
    if is_regressor(estimator):
        if model.output != "prediction":
            return None, [
                error(
                    "E613",
                    f"model {model.name!r}: {name} is a regressor; use `output prediction`",
                    model.span,
                )
            ]
        return OutputSpec("prediction"), []
    return None, [
        error(
            "E613",
            f"model {model.name!r}: {name} is neither a classifier nor a regressor",
            model.span,
        )
    ]


def is_numeric_feature(expr: ir.Expr) -> bool:
    return expr.type in (ScalarType.INT, ScalarType.FLOAT, ScalarType.BOOL)
