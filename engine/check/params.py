"""`--param NAME=VALUE` overrides: parsed to the parameter's declared type, or a diagnostic.

Values are written as in a card (`2026-11-01`, `2.5`, `true`, `"text"` or plain text for
strings), so that what works on the command line also works in the card and back.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping

from engine import ir
from engine.check.suggest import closest
from engine.diagnostics import Diagnostic, ScorecardError, error
from engine.program import Program
from engine.types import INT_MAX, INT_MIN, ScalarType

INT_RANGE = f"from {INT_MIN} to {INT_MAX}"


def parse_value(text: str, type_: ScalarType) -> ir.Value:
    """`text` as a value of `type_`; raises ValueError with a reason if it is not one."""
    raw = text.strip()
    if type_ is ScalarType.STRING:
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            return raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        return text
    if type_ is ScalarType.INT:
        try:
            number = int(raw.replace("_", ""), 10)
        except ValueError:
            raise ValueError("expected a whole number, like 42") from None
        _check_int(number)
        return number
    if type_ is ScalarType.FLOAT:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError("expected a number, like 2.5") from None
        _check_float(value)
        return value
    if type_ is ScalarType.BOOL:
        lowered = raw.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        raise ValueError("expected true or false")
    if type_ is ScalarType.DATE:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise ValueError("expected a date, like 2026-11-01") from None
    try:
        return dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError("expected a datetime, like 2026-11-01T08:30:00") from None


def _check_int(value: int) -> None:
    if not INT_MIN <= value <= INT_MAX:
        raise ValueError(f"{value} is outside the range of int, {INT_RANGE}")


def _check_float(value: float) -> None:
    if not math.isfinite(value):
        raise ValueError("expected a finite number")


def _as_float(value: int | float) -> float:
    """`value` as a float; an int too large for one is not finite either."""
    try:
        number = float(value)
    except OverflowError:
        raise ValueError("expected a finite number") from None
    _check_float(number)
    return number


def parse_overrides(program: Program, assignments: Iterable[str]) -> dict[str, ir.Value]:
    """Every `NAME=VALUE` parsed against the card's params; all problems reported at once."""
    params = {p.name: p for p in program.params}
    values: dict[str, ir.Value] = {}
    problems: list[Diagnostic] = []
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        name = name.strip()
        if not sep or not name:
            problems.append(
                error("E820", f"--param {assignment!r}: expected NAME=VALUE, like base=500")
            )
            continue
        param = params.get(name)
        if param is None:
            close = closest(name, params)
            notes = [f"did you mean {close!r}?"] if close is not None else []
            known = ", ".join(params) or "none"
            notes.append(f"the card's params: {known}")
            problems.append(
                error("E821", f"--param {name}: the card has no such param", None, *notes)
            )
            continue
        try:
            values[name] = parse_value(text, param.type)
        except ValueError as exc:
            problems.append(
                error("E822", f"--param {name}={text!r}: not a {param.type} value: {exc}")
            )
    if problems:
        raise ScorecardError(problems)
    return values


def check_overrides(program: Program, values: Mapping[str, ir.Value]) -> dict[str, ir.Value]:
    """Overrides given as Python values (the API): names known, types right, or a diagnostic."""
    params = {p.name: p for p in program.params}
    problems: list[Diagnostic] = []
    out: dict[str, ir.Value] = {}
    for name, value in values.items():
        param = params.get(name)
        if param is None:
            problems.append(error("E821", f"param {name!r}: the card has no such param"))
            continue
        if isinstance(value, str) and param.type is not ScalarType.STRING:
            try:
                out[name] = parse_value(value, param.type)
            except ValueError as exc:
                problems.append(error("E822", f"param {name}={value!r}: {exc}"))
            continue
        if not _fits(value, param.type):
            problems.append(error("E822", f"param {name}={value!r}: not a {param.type} value"))
            continue
        try:
            if param.type is ScalarType.INT:
                _check_int(value)  # type: ignore[arg-type]
            elif param.type is ScalarType.FLOAT:
                value = _as_float(value)  # type: ignore[arg-type]
        except ValueError as exc:
            problems.append(error("E822", f"param {name}={value!r}: {exc}"))
            continue
        out[name] = value
    if problems:
        raise ScorecardError(problems)
    return out


def _fits(value: ir.Value, type_: ScalarType) -> bool:
    match type_:
        case ScalarType.INT:
            return isinstance(value, int) and not isinstance(value, bool)
        case ScalarType.FLOAT:
            return isinstance(value, int | float) and not isinstance(value, bool)
        case ScalarType.STRING:
            return isinstance(value, str)
        case ScalarType.BOOL:
            return isinstance(value, bool)
        case ScalarType.DATE:
            return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
        case ScalarType.DATETIME:
            return isinstance(value, dt.datetime)
    return False
