"""From a boosting model's raw scores to its output, through its loss's inverse link.

Gradient boosting and histogram gradient boosting both hold a `sklearn._loss` object whose
`link` turns raw scores into predictions: identity, log (Poisson, Gamma), logit (binary
log-loss), half-logit (exponential loss) or multinomial logit (softmax).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine import ir
from engine.models.features import OutputSpec
from engine.models.irutil import FLOAT, ONE, Unsupported, flt, mul, sigmoid, softmax, sub


def apply_link(
    loss: Any, raw: Sequence[ir.Expr], out: OutputSpec, name: str, bound: float | None = None
) -> ir.Expr:
    """The model output from its raw scores (one per tree of an iteration).

    `bound`, when known, is the largest absolute value a raw score can take.
    """
    link = type(loss.link).__name__
    if out.kind == "prediction":
        if len(raw) != 1:
            raise Unsupported(name, "several raw scores for a regression")
        if link == "IdentityLink":
            return raw[0]
        if link == "LogLink":
            return ir.Call("exp", (raw[0],), FLOAT)
        raise Unsupported(name, f"link {link}")
    k = out.class_index or 0
    if link == "MultinomialLogit":
        return softmax(raw, k, bound)
    if len(raw) != 1:
        raise Unsupported(name, f"link {link} with {len(raw)} raw scores")
    if link == "LogitLink":
        p1 = sigmoid(raw[0])
    elif link == "HalfLogitLink":
        p1 = sigmoid(mul(flt(2.0), raw[0]))
    else:
        raise Unsupported(name, f"link {link}")
    return p1 if k == 1 else sub(ONE, p1)
