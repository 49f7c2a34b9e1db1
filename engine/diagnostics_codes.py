"""Every diagnostic code the engine reports, with its severity and the one-line summary users read.

A code is stable: scripts and users search for it, so it is never reused for another problem.
The table below is the one place a code is declared; `docs/diagnostics.md` (and the pages that
list the codes of their command) show it through generated tables, and tests check that every
code the engine reports is here and every code here is reported (or marked reserved).

Adding a code is one line in `CODES`; then `python -m engine.diagnostics_codes --write-docs`
rewrites the generated tables in `docs/`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from engine.diagnostics import Severity

ERROR: Final = (Severity.ERROR,)
WARNING: Final = (Severity.WARNING,)
EITHER: Final = (Severity.WARNING, Severity.ERROR)
"""A code that is a warning in one command and an error in another (said in its summary)."""

DIAGNOSTICS_PAGE: Final = "diagnostics.md"


@dataclass(frozen=True, slots=True)
class Code:
    """One diagnostic code: what it means, in the words of the reference."""

    code: str
    severities: tuple[Severity, ...]
    summary: str
    example: str = ""
    """A card fragment that gives the code (shown for syntax errors)."""
    reserved: bool = False
    """Declared but not reported by this version (kept so the code is never reused)."""

    @property
    def number(self) -> int:
        return int(self.code[1:])

    @property
    def anchor(self) -> str:
        """Where the code is explained: `diagnostics.md#e200`."""
        return f"{DIAGNOSTICS_PAGE}#{self.code.lower()}"

    @property
    def severity_words(self) -> str:
        return " or ".join(s.value for s in self.severities)


# One line per code, in code order. Lines may be long: each code is a single line to add.
# fmt: off
CODES: Final[tuple[Code, ...]] = (
    # reading the card file
    Code("E001", ERROR, "the card file cannot be read: it does not exist, is a folder, or has no read permission (the system's reason is given)"),
    Code("E002", ERROR, "the card is not UTF-8 text (the place of the first bad byte is given)"),
    # syntax
    Code("E100", ERROR, 'a token where the grammar cannot take it; the message says what was expected, in words ("expected `then` after the rule\'s condition")', "`rule r when age > 30 5`"),
    Code("E101", ERROR, "the file ends inside a statement (a `}` is missing)", "`bins b on age { < 30 -> 10`"),
    Code("E102", ERROR, "a common mistake, named: `==`, `=>`, `=<`, `:` instead of `=` or `->`", "`rule r when age == 30 then 5`"),
    Code("E103", ERROR, "a string or a backtick name is not closed on its line", '`exclude "oops when vip`'),
    Code("E104", ERROR, "a character that starts no token, with a hint for `&`, `\\|`, `!`, `'`, `;`, `^`", "`when a && b`"),
    Code("E105", ERROR, 'an unknown escape in a string (only `\\"`, `\\\\`, `\\n`, `\\t`)', '`"a\\q"`'),
    Code("E106", ERROR, "a date or datetime literal that is not a real date", "`2026-02-30`"),
    Code("E107", ERROR, "a statement whose expression nests more than 256 levels (a chain of 300 `+` counts as 300 levels): split it into lets"),
    Code("E108", ERROR, "an interval bound `inf` on the wrong side: `(-inf, b)` and `[a, +inf)` are the only forms", "`[+inf, 3)`"),
    Code("E109", ERROR, "a float literal too large for a 64-bit float (it would be infinite)", "`income * 1e400`"),
    Code("E110", ERROR, "a whole-number literal outside the `int` range (-9223372036854775808 to 9223372036854775807); the message suggests a float", "`age * 9223372036854775808`"),
    # names
    Code("E200", ERROR, 'unknown name, with "did you mean" when a declared name is close'),
    Code("E201", ERROR, "a name declared twice (inputs, params, lets, rules, bins and models share one namespace)"),
    Code("E202", ERROR, "definitions that depend on each other in a cycle (the cycle is listed)"),
    Code("E203", ERROR, "a name reserved for results: `points`, `score`, `segment`, `class`, `excluded`, `key`, `reason_N`"),
    Code("E204", ERROR, "`score` used outside a `segment` condition"),
    Code("E205", ERROR, 'unknown function, with "did you mean"'),
    Code("E206", ERROR, "wrong number of arguments to a function"),
    Code("E207", ERROR, "`bins ... on` or a model feature naming something other than an input column or a let"),
    # types
    Code("E300", ERROR, "operands of the wrong type (`city + 1`, `not age`, `if` branches of different types)"),
    Code("E301", ERROR, "strings compared with `<`, `<=`, `>`, `>=` (warehouses disagree on collation: use `=`, `!=`, `in`)"),
    Code("E302", ERROR, "an `in [...]` list mixing types, or empty"),
    Code("E303", ERROR, "a rule's, exclude's, segment's or `if`'s condition that is not true/false"),
    Code("E304", ERROR, "rule points or the score that are not a number"),
    Code("E305", ERROR, "a param value of another type than declared"),
    Code("E306", ERROR, "`round(x, digits)` whose digits are not a whole-number literal from -15 to 15"),
    # structure
    Code("E400", ERROR, "no `scorecard NAME { ... }` header"),
    Code("E401", ERROR, "a statement that may appear once appears twice (header, `input`, `score`, `classes`, `reasons`, `outcome`)"),
    Code("E402", ERROR, "no column marked `key`, or more than one"),
    Code("E403", ERROR, "a `sensitive` column used by a let, rule, bins, model, score, exclude or segment (or marked `key`)"),
    Code("E404", ERROR, "a segment after `segment ... otherwise` (it could never match)"),
    Code("E405", ERROR, "no `input { ... }` block"),
    Code("E406", ERROR, "`classes` outside 1..1000 or `reasons` outside 1..100"),
    Code("W407", WARNING, "`reasons K` with K larger than the number of rules and bins"),
    Code("W408", WARNING, "a column modifier written twice"),
    Code("E409", ERROR, "the `outcome` column is also a name of the card: a card must not read the outcome it predicts"),
    Code("E410", ERROR, "`reasons K below max`: a rule whose most points cannot be known (its points read values with no known range; numbers, params and model probabilities are)"),
    # bins
    Code("W500", WARNING, "values that match no bin of a block without `else`: they score 0. The gaps are listed."),
    Code("W501", WARNING, "a bin that overlaps an earlier one in a block without `else` (the first match wins). A range (`< n`, `[a, b)`, ...) that contains values listed earlier with `= v` or `in [...]` is not reported: listing special codes such as `= -999` before the ranges is how they get their own points."),
    Code("W502", WARNING, "a bin that can never match: earlier bins cover all its values, it comes after `else`, or its interval is empty"),
    Code("E503", ERROR, 'a bin value of another type than the column (`= "x"` on an int, `< 3` on a string)'),
    Code("W504", WARNING, "a bins block with no bins"),
    # models: checked without loading
    Code("E600", ERROR, "the model file does not exist or cannot be read, with the system's reason (paths are relative to the card's folder)"),
    Code("E601", ERROR, "`sha256` is not 64 hexadecimal digits"),
    Code("E602", ERROR, "the file's sha256 differs from the one the card pins"),
    Code("E603", ERROR, "a model block without `features [...]`"),
    Code("E604", ERROR, "a model block without `output probability` or `output prediction`"),
    Code("E605", ERROR, "a model item given twice"),
    # models: loading and features
    Code("E606", ERROR, "the file is not `.skops`, `.joblib`, `.pkl` or `.pickle`"),
    Code("E607", ERROR, "a pickle without a `sha256` pin or `--trust-models` (loading a pickle runs code)"),
    Code("E608", ERROR, "a skops file holding types outside the trusted list (named)"),
    Code("E609", ERROR, "the file is corrupt, its loading raised (any exception, `SystemExit` included), or it holds something other than a scikit-learn estimator; the path and the reason are given"),
    Code("W610", WARNING, "saved with another scikit-learn version (both named)"),
    Code("E611", ERROR, "feature names or count differ from the fitted estimator's (the differences are listed)"),
    Code("E612", ERROR, "a date or datetime feature"),
    Code("E613", ERROR, "`output` does not fit the estimator (classifier or regressor, unknown class, multiclass without a class)"),
    Code("E614", ERROR, "a text feature for a model with no expression form: such a model runs through scikit-learn on blocks of numbers, so `check` refuses the card (encode the text with `OneHotEncoder` or `OrdinalEncoder` in the Pipeline)"),
    Code("E615", EITHER, "the estimator has no expression form: a warning in `check` and `apply` (which run it through scikit-learn), an error in `compile`"),
    # examples
    Code("E700", ERROR, '`given` names no input column, or `expect` names no result (with "did you mean")'),
    Code("E701", ERROR, "a value of the wrong type for that column or result"),
    Code("E702", ERROR, "a name given or expected twice in one example"),
    # running a card on data: files
    Code("E800", ERROR, "the data file cannot be read as a table of its extension's format: a truncated or corrupt Parquet or Arrow file, a file of another format, NDJSON that is not JSON"),
    Code("E801", ERROR, "unknown file extension (data or output)"),
    Code("E802", ERROR, "the data file does not exist"),
    Code("E803", ERROR, "the output folder does not exist"),
    Code("E804", ERROR, "the output is one of the command's inputs (the card, a data table, a model file), by any path: `..`, a symlink, a hard link; both paths are named"),
    Code("E805", ERROR, "the output exists and is read-only (for this user, or for everyone: `chmod a-w`); it is not replaced, and `fmt` does not rewrite a read-only card either"),
    Code("E806", ERROR, "the output is a folder"),
    Code("E807", ERROR, "the output cannot be written: its folder is not writable, the disk is full, a file-size limit is reached (`ulimit -f`), standard output fails"),
    Code("E808", ERROR, "the data file cannot be opened: a folder, no read permission, not a regular file"),
    Code("E809", ERROR, "the data file is empty (0 bytes); a CSV file needs at least its header line"),
    # running a card on data: the table against the card
    Code("E810", ERROR, 'a declared column is missing from the table (with "did you mean")'),
    Code("E811", ERROR, "values that cannot be read as the declared type (text in an `int` column, a bad date)"),
    Code("E812", ERROR, "missing values in a `required` column"),
    Code("E813", ERROR, "a missing key"),
    Code("E814", ERROR, "duplicate keys (every row with a duplicated key is counted)"),
    # running a card on data: the shape of a CSV file
    Code("E815", ERROR, "CSV records whose number of fields differs from the header's: short, long (an unquoted comma), or an empty line; the first 5 are given with their line and field count, and the total"),
    Code("E816", ERROR, "CSV lines ending both ways: a lone `\\r` in a file whose lines end with `\\n` (or the reverse), outside quoted fields; lines ending with a lone `\\r` only (Excel for Mac) are read, not refused"),
    Code("E817", ERROR, "a quoted CSV field opened on the given line is never closed"),
    # running a card on data: params
    Code("E820", ERROR, "`--param` not written `NAME=VALUE`"),
    Code("E821", ERROR, '`--param` names no param of the card (with "did you mean"), or `CARD.NAME` no card of the run'),
    Code("E822", ERROR, "`--param` value of the wrong type, an `int` outside -9223372036854775808..9223372036854775807, or a `float` that is not finite (`1e400`, `inf`, `nan`); the same for params passed from Python"),
    # running a card on data: the run
    Code("E830", ERROR, "two cards of one run have the same name"),
    Code("E831", ERROR, "cards of one run do not share their key column"),
    Code("E832", ERROR, "`--keep` names a column the table does not have"),
    Code("E833", ERROR, "two output columns would have the same name (a kept column and an explain column)"),
    Code("E834", ERROR, "`explain --key` value is not of the key's type"),
    Code("E835", ERROR, "`explain --key` matches no row"),
    Code("E839", ERROR, "the data could not be scored (a failure found while computing)"),
    Code("E840", ERROR, "the CSV header holds no separator but another likely one (`;`, tab, a pipe): the message names `--sep` (and `--decimal-comma` when numbers are written `1234,5`)"),
    Code("E841", ERROR, "a CSV file read as UTF-8 is not: the first bad byte with its offset and line, and the likely encoding (`--encoding cp1252`, utf-16)"),
    Code("E842", ERROR, "a CSV file cannot be read in the encoding asked for (`--encoding`): the first bad byte with its offset and line"),
    Code("E843", ERROR, "the settings file `scorecard.toml` beside the card is not valid TOML, or its `[read]` table has an unknown setting"),
    Code("E844", ERROR, "a reading option has a value it cannot take (a separator of two characters, an unknown encoding, a date format without `%`, a word both true and false)"),
    Code("E845", ERROR, "`--sheet` names a sheet the .xlsx workbook does not have (its sheets are listed)"),
    Code("E846", ERROR, "reading or writing .xlsx needs the `excel` extra (fastexcel, xlsxwriter), which is not installed"),
    Code("E847", ERROR, "the results have more rows than an Excel sheet holds (1,048,575 besides the header)"),
    Code("E848", ERROR, "`--excel-csv` with an output that is not a .csv file"),
    Code("E849", ERROR, "`explain --keys FILE`: the file cannot be read or holds no key"),
    # SQL and warehouses
    Code("E901", ERROR, "`compile`: a model whose estimator runs only through scikit-learn has no SQL form (the model is named)"),
    Code("E902", ERROR, "`compile`: the card holds something the dialect's SQL cannot express (named), or a step lists more columns than one SELECT may (PostgreSQL: 1,664)"),
    Code("E903", ERROR, "`--table` with an empty part (`a..b`) or a NUL, or, with `--dbt`, not `model` or `source.table`"),
    Code("E904", ERROR, "`--db` is not a `postgresql://`, `duckdb:`, `spark:MASTER` or `sc://` URL, or names no DuckDB database file or Spark master"),
    Code("E905", ERROR, "the warehouse refused the statement (its first line of error is given); nothing was written"),
    Code("E906", ERROR, "running a card inside a database needs its driver: install the `sql` extra (`pip install 'scorecard-engine[sql]'`), or `spark` for Spark"),
    Code("E907", ERROR, "a name, label or string of the card holds U+0000 (NUL), which SQL cannot hold (the statement and its line are named)"),
    Code("E910", ERROR, "`compile --dbt --incremental`: the card has `classes`, a rank over the whole table that an incremental model cannot keep"),
    Code("E911", ERROR, "`compile --dbt --incremental COLUMN`: COLUMN is not an input of the card other than the key"),
    Code("E912", ERROR, "a template of the `--templates` folder failed to load or render (its file, line and reason are given)"),
    # evaluation
    Code("E1001", ERROR, "`--target` / `--by` names no column of the table, or a name the card already uses for a result or a value (rename the column)"),
    Code("E1002", ERROR, "the outcome column holds a value that is not 1/true/yes or 0/false/no (rows listed), or no row has both a score and an outcome"),
    Code("E1003", ERROR, "no longer reported: `fairness --by` takes any column of the table, not only `sensitive` inputs", reserved=True),
    Code("E1004", ERROR, "stability: the baseline or the current table has no scored row"),
    Code("E1005", ERROR, "fairness: the table is empty, or the card has no segment and `--top` is not given"),
    Code("E1006", ERROR, "no longer reported: an HTML report that cannot be written is E803-E807", reserved=True),
    Code("E1007", ERROR, "returns: the campaign table has no row with a score, an outcome and a treatment, or no contacted or no control customer; or a treatment value that is not 1/0"),
    Code("E1008", ERROR, "monitor: `--param NAME=@period` names no param of the card or a period that is not a value of its type, or `--baseline` names no period"),
    Code("E1009", ERROR, "`--bands`: a cut that is not a finite number, or cuts that are not strictly increasing"),
    Code("E1010", ERROR, "fairness: `--by` names a text column with too many distinct values to form groups (an id, a name): group it first"),
    # fit
    Code("E1100", ERROR, "`fit`: an option out of range (`--min-bin-share 0.7`, `--scale 5:1`, ...)"),
    Code("E1101", ERROR, "`fit`: `--target`, `--key`, `--exclude`, `--sensitive`, `--special` or `--split` names no column (with \"did you mean\")"),
    Code("E1102", ERROR, "`fit`: the target has values that are neither events nor non-events (give `--event`), or the training rows have only events or only non-events"),
    Code("E1103", ERROR, "`fit`: the table has no rows, or `--split` finds a single period"),
    Code("E1104", ERROR, "`fit`: no key column found, several candidates, or the `--key` column has missing or repeated values"),
    Code("E1105", ERROR, "`fit`: a `--special` value not of the column's type, or on a column that is not a characteristic"),
    Code("E1106", ERROR, "`fit`: a `--sensitive` column of a type cards do not have"),
    Code("E1107", ERROR, "`fit`: no characteristic is left to build a card from (every one below `--min-iv`, ...)"),
    Code("E1110", ERROR, "`fit --from`: the card has a model, no `param base_points : float`, or no bins block"),
    Code("E1120", ERROR, "`fit`: `-o` or `--report` would replace an input (the data; the `--from` card without `--replace`)"),
    Code("E1121", ERROR, "no longer reported: a report that cannot be written is E803-E807", reserved=True),
    # profile and lookalike
    Code("E1200", ERROR, "`profile`: `--columns` or `--sensitive` names nothing that can be profiled (with \"did you mean\")"),
    Code("E1201", ERROR, "`profile`: the table or the base has no rows, no row meets `--group`, or the condition cannot be evaluated on the data"),
    Code("E1202", ERROR, "`profile`: an option out of range (`--min-count 0`, `--quantiles 1`)"),
    Code("E1210", ERROR, "`lookalike`: an option out of range (`--hidden 0`)"),
    Code("E1211", ERROR, "`lookalike`: a table without rows, the customers and the population sharing no key and characteristic, or a population made only of customers"),
    # data quality
    Code("E1300", ERROR, "`quality --match` names no column of the table (with \"did you mean\")"),
    Code("E1301", ERROR, "`quality --match` needs splink: install the `quality` extra (`pip install 'scorecard-engine[quality]'`)"),
    Code("E1302", ERROR, "`quality --match`: the record linkage could not run on the named columns (splink's first line of error is given)"),
)
# fmt: on

BY_CODE: Final[dict[str, Code]] = {c.code: c for c in CODES}

CODE_SYNTAX: Final = re.compile(r"[EW]\d{3,4}")
"""What a code looks like: E for errors, W for warnings, then three or four digits."""


def lookup(code: str) -> Code:
    """The registered code; KeyError for an unknown one (a bug: every code is declared here)."""
    return BY_CODE[code]


# -- the generated tables of docs/ ---------------------------------------------------------

BLOCK: Final = re.compile(
    r"(?P<open><!-- codes (?P<spec>[^>]*?) -->\n)(?P<body>.*?)(?P<close><!-- /codes -->)", re.S
)
"""A generated table in a docs page: `<!-- codes E800-E899 -->` ... `<!-- /codes -->`.
The spec lists codes and inclusive ranges (`E600 E602 E606-E615`), by number."""


def select(spec: str) -> list[Code]:
    """The registered codes a block's spec names, in code order."""
    numbers: set[int] = set()
    for item in spec.replace(",", " ").split():
        low, _, high = item.partition("-")
        first = int(low[1:])
        last = int(high[1:]) if high else first
        numbers.update(range(first, last + 1))
    return [c for c in CODES if c.number in numbers]


def _cell(text: str) -> str:
    return text.replace("\n", " ")


def markdown_table(codes: Sequence[Code], *, page: str) -> str:
    """The table of `codes` for the docs page `page` (a file name in docs/).

    On the diagnostics page each code carries its anchor; elsewhere it links to it.
    """
    with_example = any(c.example for c in codes)
    head = ["code", "severity", "meaning"] + (["example"] if with_example else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for c in codes:
        if page == DIAGNOSTICS_PAGE:
            name = f'<a id="{c.code.lower()}"></a>{c.code}'
        else:
            name = f"[{c.code}]({c.anchor})"
        cells = [name, c.severity_words, _cell(c.summary)]
        if with_example:
            cells.append(c.example)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_page(text: str, page: str) -> str:
    """`text` with every generated block rewritten from the registry."""

    def fill(m: re.Match[str]) -> str:
        shown = [c for c in select(m.group("spec")) if not c.reserved]
        table = markdown_table(shown, page=page)
        return m.group("open") + table + m.group("close")

    return BLOCK.sub(fill, text)


def stale_pages(docs: Path, *, write: bool = False) -> list[Path]:
    """The pages of `docs` whose generated tables differ from the registry (rewritten if
    `write`)."""
    stale = []
    for path in sorted(docs.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        new = render_page(text, path.name)
        if new != text:
            stale.append(path)
            if write:
                path.write_text(new, encoding="utf-8")
    return stale


def main(argv: Iterable[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m engine.diagnostics_codes",
        description="Check, or rewrite, the tables of diagnostic codes in the docs pages.",
    )
    parser.add_argument("docs", nargs="?", type=Path, default=Path("docs"))
    parser.add_argument("--write-docs", action="store_true", help="rewrite stale tables")
    args = parser.parse_args(None if argv is None else list(argv))
    stale = stale_pages(args.docs, write=args.write_docs)
    for path in stale:
        print(f"{'rewrote' if args.write_docs else 'out of date'}: {path}")
    return 1 if stale and not args.write_docs else 0


if __name__ == "__main__":
    sys.exit(main())
