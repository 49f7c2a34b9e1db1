"""What every command shares: loading cards, params, `--top`, options, turning a user's
problem into its diagnostics and exit status 1."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from engine.check.params import parse_overrides
from engine.cli.render import print_diagnostics, set_quiet
from engine.diagnostics import ScorecardError, error
from engine.io.reading import ReadOptions, Source, make
from engine.io.settings import read_settings
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
TemplatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        help="A folder of your SQL templates: DIR/<dialect>/NAME.sql.j2 and "
        "DIR/default/NAME.sql.j2 override the package's (docs/sql.md).",
        exists=True,
        file_okay=False,
        dir_okay=True,
        metavar="DIR",
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


_READ_OPTIONS: dict[str, tuple[str, str]] = {
    "sep": ("--sep", "The CSV field separator: ',' (default), ';', tab, '|'."),
    "decimal_comma": ("--decimal-comma", "Numbers are written with a decimal comma (1234,5)."),
    "encoding": (
        "--encoding",
        "The CSV file's encoding: utf-8 (default), cp1252, latin-1, utf-16 (a byte order "
        "mark is detected whatever this says).",
    ),
    "date_format": (
        "--date-format",
        "How dates are written, strftime style, e.g. %d/%m/%Y (default: ISO, 2024-01-31).",
    ),
    "true": ("--true", "More words for true in bool columns, any case: oui,vrai (repeatable)."),
    "false": ("--false", "More words for false in bool columns, any case: non,faux (repeatable)."),
    "null": (
        "--null",
        "Values read as missing, besides the empty field: NA,N/A,NULL (repeatable).",
    ),
    "sheet": ("--sheet", "The sheet of an .xlsx file (default: the first)."),
}
"""The reading options every command that reads data takes, as (flag, help) by setting name;
the settings are `engine.io.reading.ReadOptions`' fields."""

_READ_TYPES: dict[str, Any] = {
    "sep": str | None,
    "decimal_comma": bool | None,
    "encoding": str | None,
    "date_format": str | None,
    "true": list[str] | None,
    "false": list[str] | None,
    "null": list[str] | None,
    "sheet": str | None,
}

_METAVARS = {
    "sep": "CHAR",
    "encoding": "NAME",
    "date_format": "FORMAT",
    "true": "WORDS",
    "false": "WORDS",
    "null": "VALUES",
    "sheet": "NAME",
}

QUIET_HELP = "Print no warnings (errors are still printed)."


@dataclass(frozen=True)
class ReadArgs:
    """The reading options as given on the command line, to be laid over a settings file."""

    values: dict[str, Any]

    def options(self, card_folder: Path | None) -> ReadOptions:
        """The command line's options over the `[read]` table of `card_folder`'s
        scorecard.toml (E843, E844 for a problem with either)."""
        given, problems = make(self.values, lambda name: _READ_OPTIONS[name][0])
        if problems:
            raise ScorecardError(problems)
        base = read_settings(card_folder) if card_folder is not None else ReadOptions()
        return given.over(base)

    def source(self, data: Path, card: Path | None) -> Source:
        """`data` with how to read it; the settings file is looked for beside `card`."""
        return Source(data, self.options(card.parent if card is not None else None))


NO_READ = ReadArgs({})
"""The default of a command's `read` argument (the decorator always passes one)."""


def _option_parameter(name: str) -> inspect.Parameter:
    flag, text = _READ_OPTIONS[name]
    decls = [flag] if name != "decimal_comma" else ["--decimal-comma/--no-decimal-comma"]
    return inspect.Parameter(
        f"read_{name}",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            _READ_TYPES[name],
            typer.Option(*decls, help=text, show_default=False, metavar=_METAVARS.get(name)),
        ],
    )


def _quiet_parameter() -> inspect.Parameter:
    return inspect.Parameter(
        "quiet_",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[bool, typer.Option("--quiet", "-q", help=QUIET_HELP)],
    )


def shared_options(reads: bool) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """A command with `--quiet` and, when it `reads` data, the reading options, which reach it
    as one `read: ReadArgs` argument (its signature names `read`, the command line does not)."""

    def decorate(command: Callable[..., T]) -> Callable[..., T]:
        signature = inspect.signature(command, eval_str=True)
        kept = [p for p in signature.parameters.values() if p.name != "read"]
        added = [_option_parameter(n) for n in _READ_OPTIONS] if reads else []
        added.append(_quiet_parameter())

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            set_quiet(bool(kwargs.pop("quiet_", False)))
            if reads:
                values = {n: kwargs.pop(f"read_{n}", None) for n in _READ_OPTIONS}
                kwargs["read"] = ReadArgs(values)
            return command(*args, **kwargs)

        parameters = kept + added
        wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
        return wrapper

    return decorate
