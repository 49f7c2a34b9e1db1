"""The `NAME.yml` written beside a dbt model: column descriptions and the tests a reviewer asks.

`unique` and `not_null` on the key; `accepted_values` on `segment` (the card's segments),
`class` (1..N), `excluded` (the exclusion labels) and `reason_N` (the contributions' names).
Descriptions come from the card: its title, its rules' and bins' labels. Every scalar is a
double-quoted JSON string (valid YAML, any character escaped), and text holding `{` is wrapped
in `{% raw %}` since dbt renders descriptions and test arguments as Jinja.
"""

from __future__ import annotations

import json
from typing import Any

from engine import results
from engine.program import Program

REQUIRES = "dbt-core 1.10 or later (tests take their `arguments:`)"


def _text(value: str) -> str:
    """A YAML scalar holding `value` as dbt will read it after rendering its Jinja."""
    if "{" in value:
        value = (
            "{% raw %}" + value.replace("{%", "{% endraw %}{{ '{%' }}{% raw %}") + ("{% endraw %}")
        )
    return json.dumps(value, ensure_ascii=True)


def _accepted(values: list[Any], quote: bool = True) -> list[str]:
    items = ", ".join(_text(v) if quote else str(v) for v in values)
    lines = ["        data_tests:", "          - accepted_values:", "              arguments:"]
    lines.append(f"                values: [{items}]")
    if not quote:
        lines.append("                quote: false")
    return lines


def _column(name: str, description: str, tests: list[str]) -> list[str]:
    return [f"      - name: {_text(name)}", f"        description: {_text(description)}", *tests]


def _contributions(program: Program) -> list[tuple[str, str]]:
    labels = {r.name: r.label for r in program.rules} | {b.name: b.label for b in program.bins}
    return [(name, labels.get(name) or name) for name in program.contributions]


def _reason_columns(program: Program) -> list[str]:
    if program.reasons is None:
        return []
    contributions = _contributions(program)
    which = "highest" if program.reasons.direction == "highest" else "lowest"
    listed = "; ".join(f"{n}: {label}" for n, label in contributions)
    lines: list[str] = []
    for i in range(1, program.reasons.count + 1):
        description = (
            f"The contribution with the {which} points ranked {i} (ties in card order), "
            f"null if fewer: {listed}"
        )
        lines += _column(results.reason(i), description, _accepted([n for n, _ in contributions]))
    return lines


def schema_yml(program: Program, model: str, kept: tuple[str, ...] = ()) -> str:
    """The properties file of the dbt model named `model` (the file's stem)."""
    title = program.metadata.get("title", "")
    version = program.metadata.get("version", "")
    about = f"Scorecard {program.name}" + (f" version {version}" if version else "")
    about += f": {title}" if title else ""
    key = program.key.name
    lines = [
        "# Written by `scorecard compile --dbt` beside the model; needs " + REQUIRES + ".",
        "version: 2",
        "",
        "models:",
        f"  - name: {_text(model)}",
        f"    description: {_text(about + ' (one row per row of the input table).')}",
        "    columns:",
        *_column(
            key,
            f"The key of card {program.name}: unique, never null.",
            ["        data_tests:", "          - unique", "          - not_null"],
        ),
    ]
    for name in kept:
        lines += _column(name, f"The input column {name}, passed through.", [])
    lines += _column(
        results.SCORE,
        f"The score of {program.name}{': ' + title if title else ''}; null for excluded rows.",
        [],
    )
    if program.segments:
        names = list(dict.fromkeys(s.name for s in program.segments))
        lines += _column(
            results.SEGMENT,
            "The first segment whose condition the row meets; null for excluded rows and "
            "rows that meet none.",
            _accepted(names),
        )
    if program.classes is not None:
        lines += _column(
            results.CLASS,
            f"Class 1 to {program.classes} by rank of score (1 holds the highest scores); "
            "null for rows without a score.",
            _accepted(list(range(1, program.classes + 1)), quote=False),
        )
    lines += _reason_columns(program)
    labels = list(dict.fromkeys(x.label for x in program.excludes))
    lines += _column(
        results.EXCLUDED,
        "The label of the first exclusion the row meets; null for rows that are scored.",
        _accepted(labels) if labels else [],
    )
    return "\n".join(lines) + "\n"
