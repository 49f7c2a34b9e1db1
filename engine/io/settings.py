"""The settings file a team keeps beside its cards: `scorecard.toml`, with a `[read]` table.

    [read]
    sep = ";"
    decimal_comma = true
    encoding = "cp1252"
    date_format = "%d/%m/%Y"
    true = ["oui", "vrai"]
    false = ["non", "faux"]
    null = ["NA", "N/A", "NULL"]

The file is looked for in the folder of the (first) card of the command, only there: a card
copied elsewhere does not silently pick up another folder's settings. What the command line
gives wins over the file, option by option. Other tables are left to other features; an
unknown key inside `[read]`, a value of the wrong kind or a file that is not TOML is E843
(E844 for a value the option refuses), with the file named.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from engine.diagnostics import ScorecardError, error
from engine.io.reading import FIELDS, ReadOptions, make

FILE_NAME = "scorecard.toml"


def settings_path(card_folder: Path) -> Path:
    return card_folder / FILE_NAME


def read_settings(card_folder: Path) -> ReadOptions:
    """The `[read]` table of the folder's `scorecard.toml`, or the defaults without one."""
    path = settings_path(card_folder)
    if not path.is_file():
        return ReadOptions()
    shown = str(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScorecardError([error("E843", f"{shown}: cannot read the settings: {exc}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScorecardError([error("E843", f"{shown}: not valid TOML: {exc}")]) from None
    table = document.get("read", {})
    if not isinstance(table, dict):
        raise ScorecardError([error("E843", f"{shown}: `read` must be a table ([read])")])
    unknown = sorted(set(table) - set(FIELDS))
    if unknown:
        raise ScorecardError(
            [
                error(
                    "E843",
                    f"{shown}: [read] has no setting {', '.join(map(repr, unknown))}",
                    None,
                    f"the settings are {', '.join(FIELDS)}",
                )
            ]
        )
    options, problems = make(table, lambda name: f"{shown}: [read] {name}")
    if problems:
        raise ScorecardError(problems)
    return options
