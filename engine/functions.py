"""The built-in functions of the language: one entry per function, read by every stage.

A function's arity, signature, one-line summary and typing rule live here and nowhere else:
the checker types calls from `typing`, the editor support shows `signature` and `summary`,
and each backend keeps exactly one translation per name (`engine.backends.polars.expressions`
and `engine.backends.sql.expressions`), which `tests/architecture` checks against this table.
The null behaviour and limits are documented in docs/language.md ("Functions"), which a test
checks names every function of this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final


class Typing(Enum):
    """How the checker types a call's arguments and result."""

    SAME_NUMBER = "numbers in, the first argument's type out"
    JOINED_NUMBER = "numbers in, int if all are int else float"
    FLOAT = "numbers in, float out"
    COMMON = "any one type in, that type out"
    DAYS = "two dates or datetimes in, int out"
    DATE_PART = "a date or datetime in, int out"
    TEXT = "a string in, a string out"
    TEXT_LENGTH = "a string in, int out"
    TEXT_TEST = "strings in, bool out"


@dataclass(frozen=True, slots=True)
class Function:
    """One built-in function."""

    name: str
    min_args: int
    max_args: int | None
    """None: any number of arguments from `min_args` on."""
    signature: str
    summary: str
    typing: Typing

    def accepts(self, count: int) -> bool:
        """Whether a call with `count` arguments has the right arity."""
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)

    def arity_words(self) -> str:
        """The arity in words, for messages: "1 argument", "2 or more arguments"..."""
        low, high = self.min_args, self.max_args
        if high is None:
            return f"{low} or more arguments"
        if low == high:
            return f"{low} argument" + ("" if low == 1 else "s")
        return f"{low} to {high} arguments"


def _f(name: str, low: int, high: int | None, signature: str, summary: str, t: Typing) -> Function:
    return Function(name, low, high, signature, summary, t)


_N, _J, _F = Typing.SAME_NUMBER, Typing.JOINED_NUMBER, Typing.FLOAT

FUNCTIONS: Final[dict[str, Function]] = {
    f.name: f
    for f in (
        _f("abs", 1, 1, "abs(x)", "the absolute value of a number", _N),
        _f("min", 2, None, "min(a, b, ...)", "the smallest of 2 or more numbers", _J),
        _f("max", 2, None, "max(a, b, ...)", "the largest of 2 or more numbers", _J),
        _f("clip", 3, 3, "clip(x, low, high)", "x brought into [low, high]", _J),
        _f(
            "round",
            1,
            2,
            "round(x) or round(x, digits)",
            "x rounded to `digits` decimals (default 0), halves away from zero",
            _N,
        ),
        _f("floor", 1, 1, "floor(x)", "the largest whole number <= x", _N),
        _f("ceil", 1, 1, "ceil(x)", "the smallest whole number >= x", _N),
        _f("ln", 1, 1, "ln(x)", "natural logarithm (missing when x <= 0)", _F),
        _f("log10", 1, 1, "log10(x)", "base-10 logarithm (missing when x <= 0)", _F),
        _f("exp", 1, 1, "exp(x)", "e to the power x (missing when too large)", _F),
        _f("sqrt", 1, 1, "sqrt(x)", "square root (missing when x < 0)", _F),
        _f("pow", 2, 2, "pow(x, y)", "x to the power y (missing when not a real number)", _F),
        _f(
            "coalesce",
            2,
            None,
            "coalesce(a, b, ...)",
            "the first argument that is not missing",
            Typing.COMMON,
        ),
        _f(
            "days_between",
            2,
            2,
            "days_between(from, to)",
            "to - from in whole days",
            Typing.DAYS,
        ),
        _f("year", 1, 1, "year(d)", "the year of a date or datetime", Typing.DATE_PART),
        _f("month", 1, 1, "month(d)", "the month, 1 to 12", Typing.DATE_PART),
        _f("day", 1, 1, "day(d)", "the day of the month, 1 to 31", Typing.DATE_PART),
        _f("lower", 1, 1, "lower(s)", "s in lower case", Typing.TEXT),
        _f("upper", 1, 1, "upper(s)", "s in upper case", Typing.TEXT),
        _f("length", 1, 1, "length(s)", "the number of characters of s", Typing.TEXT_LENGTH),
        _f("contains", 2, 2, "contains(s, part)", "whether part appears in s", Typing.TEXT_TEST),
        _f(
            "starts_with",
            2,
            2,
            "starts_with(s, prefix)",
            "whether s starts with prefix",
            Typing.TEXT_TEST,
        ),
        _f(
            "ends_with",
            2,
            2,
            "ends_with(s, suffix)",
            "whether s ends with suffix",
            Typing.TEXT_TEST,
        ),
        _f("logit", 1, 1, "logit(p)", "ln(p / (1 - p)), missing outside (0, 1)", _F),
        _f("sigmoid", 1, 1, "sigmoid(x)", "1 / (1 + exp(-x))", _F),
    )
}
