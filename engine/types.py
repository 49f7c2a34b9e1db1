"""The value types of the scorecard language, shared by every stage of the pipeline."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

INT_MIN: Final = -(2**63)
"""The smallest `int`: every backend holds ints as signed 64-bit integers."""
INT_MAX: Final = 2**63 - 1
"""The largest `int`."""


class ScalarType(StrEnum):
    """A column, literal or expression type as the language names it."""

    INT = "int"
    FLOAT = "float"
    STRING = "string"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"

    @property
    def is_numeric(self) -> bool:
        return self in (ScalarType.INT, ScalarType.FLOAT)

    @property
    def is_temporal(self) -> bool:
        return self in (ScalarType.DATE, ScalarType.DATETIME)

    @property
    def is_ordered(self) -> bool:
        """Whether `<`, `<=`, `>`, `>=` are allowed (strings are not: warehouses disagree)."""
        return self.is_numeric or self.is_temporal

    def __str__(self) -> str:
        return self.value


def common_type(a: ScalarType, b: ScalarType) -> ScalarType | None:
    """The type two operands are brought to before they combine, or None if they cannot be."""
    if a == b:
        return a
    if a.is_numeric and b.is_numeric:
        return ScalarType.FLOAT
    if a.is_temporal and b.is_temporal:
        return ScalarType.DATETIME
    return None
