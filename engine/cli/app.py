"""The Typer application every command module registers on, and the process entry point."""

from __future__ import annotations

import gc
import importlib
import os
import sys

import typer
from rich.console import Console

from engine.cli.signals import clean_up_on_signals

app = typer.Typer(
    name="scorecard",
    help="Score customers with scorecard files: check, apply, test, explain, compile, evaluate, fit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# No emoji codes: a label such as "VIP :star:" is printed as written (and rich's table of
# codes is not imported by every command).
stderr = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
stdout = Console(highlight=False, soft_wrap=True, emoji=False)

BUG_HINT = "this is a bug in scorecard: please report it with the card and the command you ran"


# Command name -> the module under engine/cli that defines it.
COMMAND_MODULES: dict[str, str] = {
    "check": "check",
    "fmt": "fmt",
    "apply": "apply",
    "test": "test_cmd",
    "explain": "explain",
    "compile": "compile",
    "evaluate": "evaluate",
    "stability": "evaluate",
    "fairness": "evaluate",
    "returns": "returns",
    "monitor": "monitor",
    "report": "report",
    "fit": "fit",
    "lsp": "lsp",
    "quality": "quality",
    "profile": "profile",
    "lookalike": "lookalike",
}


def load_commands(command: str | None) -> None:
    """Register `command`'s module on `app`, or every command's when None or unknown."""
    if command in COMMAND_MODULES:
        modules = {COMMAND_MODULES[command]}
    else:
        modules = set(COMMAND_MODULES.values())
    for module in sorted(modules):
        importlib.import_module(f"engine.cli.{module}")


def _command_in(argv: list[str]) -> str | None:
    """The command word of a command line (the root command takes no options but --help)."""
    return next((a for a in argv if not a.startswith("-")), None)


def main() -> None:
    """Run the CLI; an unexpected exception becomes a one-line internal error, never a traceback."""
    # A command's start (importing Polars, NumPy and the engine, reading the card's program,
    # building the plan) makes about a million objects that live until the process ends and
    # almost no garbage cycles; the collector's default pass every 700 allocations spent
    # about 70 ms of `apply` on them (189 passes). Cycles are still collected, less often.
    gc.set_threshold(100_000, 10, 10)
    clean_up_on_signals()
    try:
        load_commands(_command_in(sys.argv[1:]))
        app(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        stderr.print("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        # The reader of stdout went away (`| head`): nothing more to say to it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
    except Exception as exc:  # the last line of defence: no traceback reaches a user
        stderr.print(f"internal error: {type(exc).__name__}: {exc}")
        stderr.print(f"hint: {BUG_HINT}")
        sys.exit(1)


@app.callback()
def _root() -> None:
    """Score customers with scorecard files.

    Exit status: 0 success, 1 a problem with the card, the data or a model, 2 a usage error.
    """
