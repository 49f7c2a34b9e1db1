"""Bins blocks: lowering each bin to a condition, and finding gaps, overlaps and dead bins.

Coverage is computed on the number line (dates as day numbers, datetimes as seconds): an
int column is analysed on whole numbers, so `<= 24` then `>= 25` leaves no gap.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

from engine import ir
from engine.check.expressions import ExprLowerer, convert, literal_of, type_words
from engine.diagnostics import Diagnostic, Span, error, warning
from engine.program import BinEntry
from engine.syntax import ast
from engine.syntax.printer import bin_match_text
from engine.types import ScalarType, common_type

INF = math.inf


@dataclass(frozen=True)
class Interval:
    """A piece of the number line; closed ends include their bound."""

    low: float
    high: float
    closed_low: bool
    closed_high: bool

    def is_empty(self) -> bool:
        if self.low > self.high:
            return True
        return self.low == self.high and not (self.closed_low and self.closed_high)


def _as_number(value: ir.Value) -> float:
    if isinstance(value, dt.datetime):
        return (
            value.timestamp() if value.tzinfo else (value - dt.datetime(1970, 1, 1)).total_seconds()
        )
    if isinstance(value, dt.date):
        return float(value.toordinal())
    assert isinstance(value, int | float)
    return float(value)


def _discretise(iv: Interval) -> Interval:
    """On whole numbers: the same set as a closed interval of integers."""
    low = (
        iv.low
        if iv.low == -INF
        else (math.ceil(iv.low) if iv.closed_low else math.floor(iv.low) + 1)
    )
    high = (
        iv.high
        if iv.high == INF
        else (math.floor(iv.high) if iv.closed_high else math.ceil(iv.high) - 1)
    )
    return Interval(float(low), float(high), True, True)


def _merge(pieces: list[Interval], discrete: bool) -> list[Interval]:
    """The union as disjoint, sorted intervals."""
    items = sorted((p for p in pieces if not p.is_empty()), key=lambda p: (p.low, not p.closed_low))
    out: list[Interval] = []
    for p in items:
        if out:
            last = out[-1]
            touches = p.low < last.high or (
                p.low == last.high and (p.closed_low or last.closed_high)
            )
            if discrete and p.low <= last.high + 1:
                touches = True
            if touches:
                if p.high > last.high or (p.high == last.high and p.closed_high):
                    out[-1] = Interval(last.low, p.high, last.closed_low, p.closed_high)
                continue
        out.append(p)
    return out


def _covered(piece: Interval, union: list[Interval]) -> bool:
    for u in union:
        low_ok = u.low < piece.low or (
            u.low == piece.low and (u.closed_low or not piece.closed_low)
        )
        high_ok = u.high > piece.high or (
            u.high == piece.high and (u.closed_high or not piece.closed_high)
        )
        if low_ok and high_ok:
            return True
    return False


def _overlaps(piece: Interval, union: list[Interval]) -> bool:
    for u in union:
        lo = max(piece.low, u.low)
        hi = min(piece.high, u.high)
        if lo < hi:
            return True
        if lo == hi:
            lo_closed = (piece.closed_low or piece.low < lo) and (u.closed_low or u.low < lo)
            hi_closed = (piece.closed_high or piece.high > hi) and (u.closed_high or u.high > hi)
            if lo_closed and hi_closed:
                return True
    return False


def _gaps(union: list[Interval], discrete: bool) -> list[Interval]:
    """The parts of the number line no interval of `union` (merged, sorted) covers."""
    if not union:
        return [Interval(-INF, INF, True, True)]
    raw: list[Interval] = []
    first = union[0]
    if first.low != -INF:
        raw.append(Interval(-INF, first.low, True, not first.closed_low))
    for left, right in itertools.pairwise(union):
        raw.append(Interval(left.high, right.low, not left.closed_high, not right.closed_low))
    last = union[-1]
    if last.high != INF:
        raw.append(Interval(last.high, INF, not last.closed_high, True))
    gaps = [_discretise(g) if discrete else g for g in raw]
    return [g for g in gaps if not g.is_empty()]


def _fmt_bound(x: float, kind: ScalarType) -> str:
    if kind == ScalarType.DATE and math.isfinite(x):
        return dt.date.fromordinal(int(x)).isoformat()
    if kind == ScalarType.DATETIME and math.isfinite(x):
        return (dt.datetime(1970, 1, 1) + dt.timedelta(seconds=x)).isoformat()
    if x == int(x) if math.isfinite(x) else False:
        return str(int(x))
    return repr(x)


def describe_interval(iv: Interval, kind: ScalarType) -> str:
    if iv.low == -INF and iv.high == INF:
        return "every value"
    if iv.low == -INF:
        return f"{'<=' if iv.closed_high else '<'} {_fmt_bound(iv.high, kind)}"
    if iv.high == INF:
        return f"{'>=' if iv.closed_low else '>'} {_fmt_bound(iv.low, kind)}"
    if iv.low == iv.high:
        return f"= {_fmt_bound(iv.low, kind)}"
    return (
        f"{'[' if iv.closed_low else '('}{_fmt_bound(iv.low, kind)}, "
        f"{_fmt_bound(iv.high, kind)}{']' if iv.closed_high else ')'}"
    )


class BinsLowerer:
    """Lowers one bins block and reports its coverage problems."""

    def __init__(self, lowerer: ExprLowerer, report: Callable[[Diagnostic], None]) -> None:
        self.lowerer = lowerer
        self.report = report

    def lower(self, stmt: ast.BinsStmt, subject: ir.Expr) -> tuple[BinEntry, ...] | None:
        entries: list[BinEntry] = []
        ok = True
        for entry in stmt.entries:
            cond = self._condition(entry.match, subject)
            if cond is None:
                ok = False
                continue
            points = float(entry.points.value)
            entries.append(BinEntry(cond, points, bin_match_text(entry.match), entry.span))
        if not stmt.entries:
            self.report(
                warning(
                    "W504", f"the bins block `{stmt.name.name}` has no bins: it scores 0", stmt.span
                )
            )
        if ok:
            self._coverage(stmt, subject.type)
        return tuple(entries) if ok else None

    def _value(self, node: ast.Node, subject: ir.Expr, ordered: bool) -> ir.Literal | None:
        lit = literal_of(node)
        joined = common_type(subject.type, lit.type)
        if joined is None or (
            joined != subject.type
            and not (subject.type == ScalarType.INT and lit.type == ScalarType.FLOAT)
        ):
            self.report(
                error(
                    "E503",
                    f"this bin compares {type_words(subject.type)} with {type_words(lit.type)}",
                    node.span,
                )
            )
            return None
        if ordered and not subject.type.is_ordered:
            self.report(
                error(
                    "E301",
                    f"bins on {type_words(subject.type)} can only use `=`, `in [...]`, "
                    "`missing` and `else`",
                    node.span,
                )
            )
            return None
        return lit

    def _condition(self, match: ast.Node, subject: ir.Expr) -> ir.Expr | None:
        match match:
            case ast.BinMissing():
                return ir.IsMissing(subject)
            case ast.BinElse():
                return ir.TRUE
            case ast.BinCompare(op=op, value=v):
                lit = self._value(v, subject, ordered=op != "=")
                if lit is None:
                    return None
                target = common_type(subject.type, lit.type)
                assert target is not None
                return ir.Compare(op, convert(subject, target), convert(lit, target))
            case ast.BinInterval(low=lo, high=hi, closed_low=cl, closed_high=ch):
                low = self._value(lo, subject, ordered=True)
                high = self._value(hi, subject, ordered=True)
                if low is None or high is None:
                    return None
                t_low = common_type(subject.type, low.type)
                t_high = common_type(subject.type, high.type)
                assert t_low is not None and t_high is not None
                return ir.Logic(
                    "and",
                    ir.Compare(">=" if cl else ">", convert(subject, t_low), convert(low, t_low)),
                    ir.Compare(
                        "<=" if ch else "<", convert(subject, t_high), convert(high, t_high)
                    ),
                )
            case ast.BinIn(values=vs):
                listed = self.lowerer.literal_list(vs, match.span)
                if listed is None:
                    return None
                kind, lits = listed
                for v in vs:
                    if self._value(v, subject, ordered=False) is None:
                        return None
                return self.lowerer.membership(subject, kind, lits, False, match.span)
        raise TypeError(match)

    def _pieces(self, match: ast.Node) -> list[Interval] | None:
        """The values a bin matches on the number line (None: not a numeric bin)."""
        match match:
            case ast.BinCompare(op=op, value=v):
                x = _as_number(literal_of(v).value)
                return [
                    {
                        "<": Interval(-INF, x, True, False),
                        "<=": Interval(-INF, x, True, True),
                        ">": Interval(x, INF, False, True),
                        ">=": Interval(x, INF, True, True),
                        "=": Interval(x, x, True, True),
                    }[op]
                ]
            case ast.BinInterval(low=lo, high=hi, closed_low=cl, closed_high=ch):
                return [
                    Interval(
                        _as_number(literal_of(lo).value), _as_number(literal_of(hi).value), cl, ch
                    )
                ]
            case ast.BinIn(values=vs):
                return [
                    Interval(x, x, True, True)
                    for x in (_as_number(literal_of(v).value) for v in vs)
                ]
        return None

    def _coverage(self, stmt: ast.BinsStmt, kind: ScalarType) -> None:
        numeric = kind.is_numeric or kind.is_temporal
        discrete = kind in (ScalarType.INT, ScalarType.DATE)
        has_else = any(isinstance(e.match, ast.BinElse) for e in stmt.entries)
        seen: list[Interval] = []
        seen_ranges: list[Interval] = []
        seen_missing = False
        seen_else = False
        seen_values: set[object] = set()
        for entry in stmt.entries:
            m = entry.match
            span = entry.span
            if seen_else:
                self._dead(span, "it comes after `else`, which matches everything")
                continue
            if isinstance(m, ast.BinElse):
                seen_else = True
                continue
            if isinstance(m, ast.BinMissing):
                if seen_missing:
                    self._dead(span, "an earlier `missing` bin already matches missing values")
                seen_missing = True
                continue
            if not numeric:
                values = (
                    [literal_of(v).value for v in m.values]
                    if isinstance(m, ast.BinIn)
                    else [literal_of(m.value).value]
                    if isinstance(m, ast.BinCompare)
                    else []
                )
                if values and all(v in seen_values for v in values):
                    self._dead(span, "earlier bins already match all its values")
                seen_values.update(values)
                continue
            pieces = self._pieces(m) or []
            if discrete:
                pieces = [_discretise(p) for p in pieces]
            live = [p for p in pieces if not p.is_empty()]
            if not live:
                self._dead(span, "it matches no value")
                continue
            union = _merge(seen, discrete)
            # Exact values listed before a range (`= -999`, then `< 10`) are the way to give
            # special codes their own points: sharing only those is not an overlap.
            is_range = not isinstance(m, ast.BinIn) and not (
                isinstance(m, ast.BinCompare) and m.op == "="
            )
            against = _merge(seen_ranges, discrete) if is_range else union
            if all(_covered(p, union) for p in live):
                self._dead(span, "earlier bins already match all its values")
            elif not has_else and any(_overlaps(p, against) for p in live):
                self.report(
                    warning(
                        "W501",
                        f"bin `{bin_match_text(m)}` overlaps an earlier bin of `{stmt.name.name}`: "
                        "the first match wins",
                        span,
                    )
                )
            seen.extend(live)
            if is_range:
                seen_ranges.extend(live)
        if numeric and not has_else and seen:
            gaps = _gaps(_merge(seen, discrete), discrete)
            if gaps:
                shown = ", ".join(describe_interval(g, kind) for g in gaps[:5])
                more = f" and {len(gaps) - 5} more" if len(gaps) > 5 else ""
                self.report(
                    warning(
                        "W500",
                        f"values {shown}{more} match no bin of `{stmt.name.name}` and score 0: "
                        "add bins for them or an `else`",
                        stmt.name.span,
                    )
                )

    def _dead(self, span: Span | None, why: str) -> None:
        self.report(warning("W502", f"this bin can never match: {why}", span))
