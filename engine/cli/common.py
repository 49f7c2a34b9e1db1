"""What every command shares: loading cards, params, `--top`, options, turning a user's
problem into its diagnostics and exit status 1."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from engine.check.params import parse_overrides
from engine.cli.app import stderr
from engine.cli.render import print_diagnostics
from engine.diagnostics import ScorecardError, error
from engine.ranking import Top

if TYPE_CHECKING:  # the API loads Polars: `check` and `compile` must not
    from engine.api import Scorecard

T = TypeVar("T")

ParamOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--param", help="Override a param: NAME=VALUE (repeatable); CARD.NAME=VALUE for one card."
    ),
]
TrustOpt = Annotated[
    bool,
    typer.Option("--trust-models", help="Allow loading pickled models (only files you trust)."),
]
TargetOpt = Annotated[
    str | None,
    typer.Option(
        "--target",
        help="The outcome column (default: the card's `outcome` statement).",
        show_default=False,
    ),
]
EventOpt = Annotated[
    str | None,
    typer.Option(
        "--event",
        help="The outcome value that is an event, e.g. bad or 0 (default: the card's, else "
        "1/true/yes).",
        show_default=False,
    ),
]


class HighScore(StrEnum):
    """What a high score means, on the command line."""

    more = "more-events"
    fewer = "fewer-events"

    @property
    def word(self) -> str:
        return "more" if self is HighScore.more else "fewer"


HighScoreOpt = Annotated[
    HighScore | None,
    typer.Option(
        "--high-score",
        help="more-events (marketing: a high score means more events) or fewer-events "
        "(credit); default: the card's `outcome`, else more-events.",
        show_default=False,
    ),
]
BandsOpt = Annotated[
    str | None,
    typer.Option(
        "--bands",
        help="Fixed score bands instead of classes: increasing cuts, e.g. 300,350,400 "
        "(bands (-inf, 300), [300, 350), ..., [400, +inf)).",
        show_default=False,
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print every figure as one JSON document instead of tables.")
]
HtmlOpt = Annotated[
    Path | None,
    typer.Option(
        "--html",
        help="Also write a self-contained HTML report with charts.",
        metavar="FILE",
        readable=False,
    ),
]


def parse_top(text: str | None) -> Top | None:
    """`--top 500` (rows) or `--top 10%` (of the scored rows, rounded up): a usage error
    (exit 2) when malformed."""
    if text is None:
        return None
    try:
        return Top.parse(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--top") from None


def split_params(cards: Sequence[Scorecard], assignments: Sequence[str]) -> list[dict[str, Any]]:
    """`--param NAME=V` goes to every card declaring NAME; `--param CARD.NAME=V` to one card."""
    per_card: list[list[str]] = [[] for _ in cards]
    problems = []
    for assignment in assignments:
        name = assignment.partition("=")[0].strip()
        target, dot, short = name.partition(".")
        if dot:
            idx = [i for i, c in enumerate(cards) if c.name == target]
            if not idx:
                problems.append(error("E821", f"--param {name}: no card named {target!r}"))
                continue
            per_card[idx[0]].append(short + assignment[len(name) :].lstrip())
            continue
        owners = [i for i, c in enumerate(cards) if any(p.name == name for p in c.program.params)]
        if not owners:
            owners = [0]  # let the first card report the unknown name, with suggestions
        for i in owners:
            per_card[i].append(assignment)
    if problems:
        raise ScorecardError(problems)
    return [parse_overrides(c.program, a) for c, a in zip(cards, per_card, strict=True)]


def load_cards(paths: Sequence[Path], trust_models: bool) -> list[Scorecard]:
    """Load and check each card, printing its warnings; the API is imported here, on use."""
    from engine.api import load

    cards = []
    for path in paths:
        card = load(path, trust_models=trust_models)
        print_diagnostics(card.check(), card.source)  # warnings
        cards.append(card)
    return cards


def guarded(action: Callable[[], T]) -> T:
    """Run `action`; a user-caused problem prints its diagnostics and exits with status 1."""
    try:
        return action()
    except ScorecardError as exc:
        print_diagnostics(exc.diagnostics, exc.source)
        raise typer.Exit(1) from None


def progress(message: str) -> AbstractContextManager[Any]:
    """A spinner on stderr when it is a terminal (runs of more than a moment show activity)."""
    if stderr.is_terminal:
        return stderr.status(message, spinner="dots")
    return nullcontext()
