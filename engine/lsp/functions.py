"""What hover and completion say about each function of the language: its signature (the
checker's, `FUNCTION_SIGNATURES`) and one line of docs/language.md#functions. A test checks
that every function of `engine.ir.FUNCTIONS` has its line here."""

from __future__ import annotations

from typing import Final

from engine.check.expressions import FUNCTION_SIGNATURES

FUNCTION_DOCS: Final[dict[str, str]] = {
    "abs": "The absolute value; same type as `x`.",
    "min": "The smallest of 2 or more numbers; missing if any argument is missing.",
    "max": "The largest of 2 or more numbers; missing if any argument is missing.",
    "clip": "`x` brought into `[low, high]`: `min(max(x, low), high)`.",
    "round": "`x` rounded to `digits` decimals (default 0, a literal from -15 to 15), halves away from zero.",
    "floor": "The largest whole number ≤ `x`; same type as `x`.",
    "ceil": "The smallest whole number ≥ `x`; same type as `x`.",
    "ln": "Natural logarithm (float); missing when `x` ≤ 0.",
    "log10": "Base-10 logarithm (float); missing when `x` ≤ 0.",
    "exp": "e to the power `x` (float); missing when too large for a float.",
    "sqrt": "Square root (float); missing when `x` < 0.",
    "pow": "`x` to the power `y` (float); missing when not a finite real number.",
    "coalesce": "The first of its 2 or more arguments that is not missing (their common type).",
    "days_between": "`to − from` in whole days (int); dates or datetimes.",
    "year": "The year of a date or datetime (int).",
    "month": "The month, 1 to 12, of a date or datetime (int).",
    "day": "The day of the month, 1 to 31, of a date or datetime (int).",
    "lower": "`s` in lower case (string).",
    "upper": "`s` in upper case (string).",
    "length": "The number of characters of `s` (int, Unicode code points).",
    "contains": "Whether `part` appears in `s` (bool).",
    "starts_with": "Whether `s` starts with `prefix` (bool).",
    "ends_with": "Whether `s` ends with `suffix` (bool).",
    "logit": "`ln(p / (1 - p))`, the log-odds of a probability; missing when `p` ≤ 0 or ≥ 1.",
    "sigmoid": "`1 / (1 + exp(-x))`, from log-odds back to a probability.",
}


def function_markdown(name: str) -> str:
    """The hover text of a function: its signature in a code block, then its line."""
    signature = FUNCTION_SIGNATURES.get(name, f"{name}(...)")
    return f"```scorecard\n{signature}\n```\n{FUNCTION_DOCS.get(name, '')}"
