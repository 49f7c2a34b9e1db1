"""Charts as inline SVG: bars and lines drawn from numbers, no JavaScript, no fonts to fetch.

Every chart is one `<svg>` of `WIDTH` × `HEIGHT` pixels with its title inside, so a page can
place it in a fixed box. The data marks use the colours in `SERIES`; axes, grid and text are
greys, which lets a test tell a drawn chart from an empty frame by looking for series colours.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 560
HEIGHT = 360
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 44, 64
SERIES = ("#1f6fb2", "#e07b39", "#2e9e5b", "#b23a6f")
"""Colours of the data marks, in series order."""
REFERENCE = "#c23030"
"""Colour of reference lines (random ranking, lift 1, four-fifths of the best rate)."""
_GRID = "#e3e3e3"
_AXIS = "#555555"
_TEXT = "#222222"


@dataclass(frozen=True)
class Chart:
    """One chart: an id for the page's layout, a title, the SVG and a line saying how to read it."""

    id: str
    title: str
    svg: Markup
    caption: str


def _f(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (1 for an empty chart)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    exp = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * exp >= value * (1 - 1e-12):
            return step * exp
    return 10.0 * exp


def _text(x: float, y: float, s: str, *, anchor: str = "middle", size: int = 11, **kw: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in kw.items())
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{_TEXT}"{extra}>{escape(s)}</text>'
    )


class _Frame:
    """The plot area inside the margins, and the y axis mapping values to pixels."""

    def __init__(self, y_max: float, y_min: float = 0.0) -> None:
        self.x0, self.x1 = LEFT, WIDTH - RIGHT
        self.y0, self.y1 = HEIGHT - BOTTOM, TOP
        self.y_max = y_max
        self.y_min = y_min

    def y(self, v: float) -> float:
        share = (v - self.y_min) / (self.y_max - self.y_min)
        return self.y0 - (self.y0 - self.y1) * max(min(share, 1.0), 0.0)

    def x_unit(self, u: float) -> float:
        return self.x0 + (self.x1 - self.x0) * u


def _open(title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" role="img">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        _text(WIDTH / 2, 22, title, size=14, font_weight="bold"),
    ]


def _y_axis(frame: _Frame, label: str, fmt: Callable[[float], str]) -> list[str]:
    out = []
    for i in range(6):
        v = frame.y_min + (frame.y_max - frame.y_min) * i / 5
        y = frame.y(v)
        out.append(
            f'<line x1="{frame.x0}" y1="{_f(y)}" x2="{frame.x1}" y2="{_f(y)}" stroke="{_GRID}"/>'
        )
        out.append(_text(frame.x0 - 6, y + 4, fmt(v), anchor="end", size=10))
    out.append(
        f'<line x1="{frame.x0}" y1="{frame.y0}" x2="{frame.x1}" y2="{frame.y0}" stroke="{_AXIS}"/>'
    )
    out.append(
        f'<line x1="{frame.x0}" y1="{frame.y0}" x2="{frame.x0}" y2="{frame.y1}" stroke="{_AXIS}"/>'
    )
    mid = (frame.y0 + frame.y1) / 2
    out.append(_text(16, mid, label, transform=f"rotate(-90 16 {_f(mid)})"))
    return out


def _legend(names: Sequence[str], colours: Sequence[str]) -> list[str]:
    out = []
    x = LEFT
    for name, colour in zip(names, colours, strict=True):
        out.append(f'<rect x="{x}" y="{HEIGHT - 16}" width="10" height="10" fill="{colour}"/>')
        out.append(_text(x + 14, HEIGHT - 7, name, anchor="start", size=10))
        x += 24 + 7 * len(name)
    return out


def percent(v: float) -> str:
    return f"{100 * v:.0f}%"


def number(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}" if v else "0"


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    x_label: str,
    y_label: str,
    y_format: Callable[[float], str] = number,
    stacked: bool = False,
    reference: tuple[str, float] | None = None,
) -> Markup:
    """Bars per category, one per series side by side (or stacked); a dashed reference line."""
    n = len(categories)
    if stacked:
        top = max((sum(vals) for vals in zip(*(v for _, v in series), strict=True)), default=0.0)
    else:
        top = max((max(v, default=0.0) for _, v in series), default=0.0)
    if reference is not None:
        top = max(top, reference[1])
    frame = _Frame(nice_max(top))
    parts = _open(title) + _y_axis(frame, y_label, y_format)
    slot = (frame.x1 - frame.x0) / max(n, 1)
    width = slot * 0.8 / (1 if stacked else max(len(series), 1))
    label_every = max(1, math.ceil(n / 20))
    for i, cat in enumerate(categories):
        base = frame.x0 + slot * i + slot * 0.1
        height_so_far = 0.0
        for j, (_, values) in enumerate(series):
            v = max(values[i], 0.0)
            colour = SERIES[j % len(SERIES)]
            if stacked:
                y_top, y_bottom = frame.y(height_so_far + v), frame.y(height_so_far)
                x = base
                height_so_far += v
            else:
                y_top, y_bottom = frame.y(v), frame.y0
                x = base + j * width
            if y_bottom - y_top > 0:
                parts.append(
                    f'<rect x="{_f(x)}" y="{_f(y_top)}" width="{_f(width)}" '
                    f'height="{_f(y_bottom - y_top)}" fill="{colour}"/>'
                )
        if i % label_every == 0:
            parts.append(_text(frame.x0 + slot * (i + 0.5), frame.y0 + 14, cat, size=10))
    if reference is not None:
        name, value = reference
        y = frame.y(value)
        parts.append(
            f'<line x1="{frame.x0}" y1="{_f(y)}" x2="{frame.x1}" y2="{_f(y)}" '
            f'stroke="{REFERENCE}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        parts.append(_text(frame.x1 - 2, y - 4, name, anchor="end", size=10))
    parts.append(_text((frame.x0 + frame.x1) / 2, frame.y0 + 32, x_label))
    parts += _legend([name for name, _ in series], SERIES[: len(series)])
    parts.append("</svg>")
    return Markup("\n".join(parts))


def gains_chart(title: str, points: Sequence[tuple[float, float]]) -> Markup:
    """Cumulative share of events captured (y) against share of customers contacted (x).

    The diagonal is a random ordering; the further the curve bows above it, the better.
    """
    frame = _Frame(1.0)
    parts = _open(title) + _y_axis(frame, "share of events captured", percent)
    for i in range(6):
        x = frame.x_unit(i / 5)
        parts.append(_text(x, frame.y0 + 14, percent(i / 5), size=10))
    parts.append(
        f'<line x1="{frame.x0}" y1="{frame.y0}" x2="{frame.x1}" y2="{frame.y1}" '
        f'stroke="{REFERENCE}" stroke-width="1.5" stroke-dasharray="6 4"/>'
    )
    coords = [(0.0, 0.0), *points]
    path = " ".join(f"{_f(frame.x_unit(x))},{_f(frame.y(y))}" for x, y in coords)
    area = f"{frame.x0},{frame.y0} {path} {_f(frame.x_unit(coords[-1][0]))},{frame.y0}"
    parts.append(f'<polygon points="{area}" fill="{SERIES[0]}" fill-opacity="0.25"/>')
    parts.append(f'<polyline points="{path}" fill="none" stroke="{SERIES[0]}" stroke-width="3"/>')
    for x, y in points:
        parts.append(
            f'<circle cx="{_f(frame.x_unit(x))}" cy="{_f(frame.y(y))}" r="4" fill="{SERIES[0]}"/>'
        )
    parts.append(_text((frame.x0 + frame.x1) / 2, frame.y0 + 32, "share of customers contacted"))
    parts += _legend(["score", "random"], [SERIES[0], REFERENCE])
    parts.append("</svg>")
    return Markup("\n".join(parts))


def line_chart(
    title: str,
    series: Sequence[tuple[str, Sequence[tuple[float, float]]]],
    *,
    x_label: str,
    y_label: str,
    y_format: Callable[[float], str] = number,
) -> Markup:
    """Lines over x in [0, 1] (a share of customers); y may go below 0 (a Qini curve)."""
    values = [y for _, points in series for _, y in points] or [0.0]
    top = nice_max(max(max(values), 0.0)) or 1.0
    low = min(min(values), 0.0)
    bottom = -nice_max(-low) if low < 0 else 0.0
    frame = _Frame(top, bottom)
    parts = _open(title) + _y_axis(frame, y_label, y_format)
    for i in range(6):
        parts.append(_text(frame.x_unit(i / 5), frame.y0 + 14, percent(i / 5), size=10))
    if bottom < 0:
        zero = _f(frame.y(0.0))
        parts.append(
            f'<line x1="{frame.x0}" y1="{zero}" x2="{frame.x1}" y2="{zero}" stroke="{_AXIS}"/>'
        )
    colours = [
        REFERENCE if name == "random" else SERIES[i % len(SERIES)]
        for i, (name, _) in enumerate(series)
    ]
    for (name, points), colour in zip(series, colours, strict=True):
        path = " ".join(f"{_f(frame.x_unit(x))},{_f(frame.y(y))}" for x, y in points)
        dash = ' stroke-dasharray="6 4"' if name == "random" else ""
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>'
        )
    parts.append(_text((frame.x0 + frame.x1) / 2, frame.y0 + 32, x_label))
    parts += _legend([name for name, _ in series], colours)
    parts.append("</svg>")
    return Markup("\n".join(parts))
