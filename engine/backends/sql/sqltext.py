"""SQL text: the one type for text that may stand in a statement, and every function making it.

Text from a card (names, labels, strings, the title) enters SQL only through the three quoting
functions of this module, chosen per dialect by `engine.backends.sql.dialects`:

- `identifier(name, style)`: a quoted identifier that stays one name;
- `string_literal(text, style)`: a string literal whose content can never end it early;
- `comment(text)`: text for a `--` or `/* */` comment that can end neither the comment nor the
  line in any dialect (every control character, line or paragraph separator, backslash, and
  `*` or `/` next to another `*` or `/` is written as `\\u{XXXX}`).

Everything else in a statement is the compiler's own text, composed with `sql(template, *parts)`
and `join(separator, parts)`, which take only `Sql` parts and integers: text can lose the `Sql`
mark (any `str` operation returns a plain `str`) but never gain it. `Sql` cannot be built from
outside this module (its constructor refuses), and the SQL templates print nothing
but `Sql` and integers (`refuse_plain_text` is their Jinja `finalize`): a plain `str` reaching a
template is an error, not a statement.

The character U+0000 cannot be written in a name or a string in any dialect (PostgreSQL text
cannot hold it at all, the others cut the statement there or refuse it): it is refused with
`SqlTextError`, in every dialect alike, so a card compiles for all of them or for none.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, LiteralString

import jinja2
import jinja2.ext
from jinja2.lexer import Token, TokenStream

IdentifierStyle = Literal["double_quote", "backtick", "backtick_escaped", "upper_unquoted"]
"""`"x"` with `""` (DuckDB, PostgreSQL, Snowflake); `` `x` `` with ```` `` ```` (Spark);
`` `x` `` with backslash escapes, as string literals have (BigQuery); `X` upper-cased and
unquoted where that is one plain name, else `"x"` (Snowflake with `--upper-case`)."""

StringStyle = Literal["duckdb", "postgres", "backslash"]
"""`'x'`, or `E'x'` with `\\xHH` byte escapes (DuckDB); `'x'`, or `E'x'` with `\\uXXXX` escapes
(PostgreSQL); `'x'` with backslash escapes (Spark, Snowflake, BigQuery)."""


class SqlTextError(ValueError):
    """Text that no SQL dialect can hold in a name or string (U+0000)."""


class PlainTextError(TypeError):
    """A plain `str` offered where SQL text is required: a bug in the compiler or a template."""


class Sql(str):
    """Text that may stand in a SQL statement: quoted card text or the compiler's own text.

    Made only by this module's functions. Every `str` method returns a plain `str`, so an edited
    `Sql` is no longer `Sql` and is refused where SQL text is required.
    """

    __slots__ = ()

    def __new__(cls, text: str) -> Sql:
        raise PlainTextError(
            "Sql text is made only by the quoting functions, sql() and join() of "
            "engine.backends.sql.sqltext"
        )

    def __repr__(self) -> str:
        return f"Sql({str.__repr__(self)})"

    def __copy__(self) -> Sql:
        return self

    def __deepcopy__(self, memo: object) -> Sql:
        return self


def _made(text: str) -> Sql:
    """The one constructor (`Sql(...)` itself refuses: it is for callers outside)."""
    return str.__new__(Sql, text)


# -- composing the compiler's own text ---------------------------------------------------------


def _check_parts(parts: Iterable[object], where: str) -> None:
    for part in parts:
        kind = type(part)
        if kind is Sql or kind is int:
            continue
        raise PlainTextError(
            f"{where} takes Sql parts and integers only, not {type(part).__name__} {part!r}: "
            "quote card text with the dialect's quote(), string() or comment()"
        )


def sql(template: LiteralString, *parts: Sql | int) -> Sql:
    """`template.format(*parts)` as SQL: `template` is text of the source code (a literal)."""
    _check_parts(parts, "sql()")
    return _made(template.format(*parts))


def join(separator: LiteralString, parts: Iterable[Sql]) -> Sql:
    """`separator.join(parts)` as SQL."""
    items = list(parts)
    _check_parts(items, "join()")
    return _made(separator.join(items))


def fill(template: str, parts: Sequence[Sql], names: Mapping[str, Sql]) -> Sql:
    """A template of the dialect tables (`engine.backends.sql.dialects`) filled with SQL parts.

    Only `Dialect.render` calls this (a test checks it): its templates are constants of the
    source code that are looked up by key rather than written at the call.
    """
    _check_parts(parts, "a dialect template")
    _check_parts(names.values(), "a dialect template")
    return _made(template.format(*parts, **names))


def strip(text: Sql) -> Sql:
    """`text` without leading and trailing whitespace."""
    if not isinstance(text, Sql):
        raise PlainTextError(f"strip() takes Sql, not {type(text).__name__}")
    return _made(text.strip())


def float_text(value: float) -> Sql:
    """A finite float64 as digits with an exponent (`0.5E0`, `-1.25E-7`): never a DECIMAL."""
    if not math.isfinite(value):
        raise ValueError(f"float_text takes finite numbers only, not {value!r}")
    text = repr(float(value)).replace("e", "E")
    return _made(text if "E" in text else text + "E0")


# -- card text -------------------------------------------------------------------------------

_LITERAL_ESCAPED = frozenset({"Cc", "Zl", "Zp"})
"""Characters written as escapes inside string literals (and BigQuery identifiers) where the
dialect has escapes: control characters (C0, DEL, C1: among them every line end that
`str.splitlines` knows, U+0085 too) and the line and paragraph separators U+2028, U+2029."""

_COMMENT_ESCAPED = frozenset({"Cc", "Cf", "Zl", "Zp"})
"""Characters escaped in comments: those of `_LITERAL_ESCAPED`, and format characters (bidi
overrides, zero-width characters) that would make a comment display differently from its text."""

_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _refuse_nul(text: str, what: str) -> None:
    if "\x00" in text:
        raise SqlTextError(
            f"the {what} {text!r} holds the character U+0000 (NUL), which SQL cannot hold"
        )


def _needs_escape(ch: str) -> bool:
    return not ch.isprintable() and unicodedata.category(ch) in _LITERAL_ESCAPED


def _backslash_body(text: str, quote: str) -> str:
    """The body of a backslash-escaped literal (Spark, Snowflake, BigQuery strings; BigQuery
    identifiers): `\\\\`, `\\` before the quote, `\\n` `\\r` `\\t`, `\\uXXXX` for other control
    characters and separators (every one is in the Basic Multilingual Plane)."""
    out: list[str] = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == quote:
            out.append("\\" + quote)
        elif ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif _needs_escape(ch):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
"""A name that Snowflake reads unquoted (and stores upper-cased); `$` is left out."""

_SNOWFLAKE_RESERVED_TEXT = """ACCOUNT ALL ALTER AND ANY AS ASC BETWEEN BY CASE CAST CHECK COLUMN CONNECT CONNECTION
    CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER
    DATABASE DEFAULT DELETE DESC DISTINCT DROP ELSE END EXCEPT EXISTS FALSE FETCH FILTER
    FOLLOWING FOR FROM FULL GRANT GROUP GSCLUSTER HAVING ILIKE IN INCREMENT INNER INSERT
    INTERSECT INTERVAL INTO IS ISSUE JOIN KEY LATERAL LEFT LIKE LIMIT LOCALTIME LOCALTIMESTAMP
    MINUS NATURAL NOT NULL NULLS OF OFFSET ON OR ORDER ORGANIZATION OUTER OVER PARTITION PIVOT
    PRECEDING QUALIFY RANGE RANK REGEXP REVOKE RIGHT RLIKE ROW ROWS SAMPLE SCHEMA SELECT SET
    SOME START TABLE TABLESAMPLE THEN TO TOP TRIGGER TRUE TRY_CAST UNBOUNDED UNION UNIQUE
    UNPIVOT UPDATE USING VALUE VALUES VIEW WHEN WHENEVER WHERE WINDOW WITH"""
SNOWFLAKE_RESERVED = frozenset(_SNOWFLAKE_RESERVED_TEXT.split())
"""Snowflake's reserved and limited keywords (and a few words parsers read as clauses): with
`--upper-case` such a name is written quoted in upper case, which names the same column as
the upper-cased unquoted name would."""


def identifier(name: str, style: IdentifierStyle) -> Sql:
    """`name` as one quoted identifier of the dialect's `style`, whatever it holds.

    DuckDB, PostgreSQL, Spark and Snowflake have no escapes in quoted identifiers: a control
    character stays as it is, inside the quotes, where it can end nothing. BigQuery identifiers
    take the escapes of its string literals.
    """
    _refuse_nul(name, "name")
    if not name:
        raise SqlTextError("an empty name cannot be quoted")
    match style:
        case "double_quote":
            return _made('"' + name.replace('"', '""') + '"')
        case "upper_unquoted":
            if not _PLAIN_NAME.fullmatch(name):
                return _made('"' + name.replace('"', '""') + '"')
            upper = name.upper()
            return _made(f'"{upper}"' if upper in SNOWFLAKE_RESERVED else upper)
        case "backtick":
            return _made("`" + name.replace("`", "``") + "`")
        case "backtick_escaped":
            return _made("`" + _backslash_body(name, "`") + "`")
    raise ValueError(f"unknown identifier style {style!r}")


def _escape_string_body(text: str, style: Literal["duckdb", "postgres"]) -> str:
    out: list[str] = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "'":
            out.append("''")
        elif ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif _needs_escape(ch):
            if style == "postgres":
                out.append(f"\\u{ord(ch):04x}")
            else:  # DuckDB has no \u: the character's UTF-8 bytes, each as \xHH
                out.append("".join(f"\\x{b:02x}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)


def string_literal(text: str, style: StringStyle) -> Sql:
    """`text` as one string literal of the dialect's `style`.

    DuckDB and PostgreSQL: `'...'` with `''`, or, when the text holds a backslash, a control
    character or a separator, an escape string `E'...'`. Escape strings read backslashes the
    same way whatever PostgreSQL's `standard_conforming_strings` says, so the literal ends
    where it should on every server.
    """
    _refuse_nul(text, "text")
    if style == "backslash":
        return _made("'" + _backslash_body(text, "'") + "'")
    if style not in ("duckdb", "postgres"):
        raise ValueError(f"unknown string style {style!r}")
    if "\\" not in text and (text.isprintable() or not any(_needs_escape(c) for c in text)):
        return _made("'" + text.replace("'", "''") + "'")
    return _made("E'" + _escape_string_body(text, style) + "'")


_COMMENT_SPECIAL = re.compile(r"[^ -~]|[\\*/]")
"""Characters `comment` must look at: all but printable ASCII, and `\\`, `*`, `/`."""


def comment(text: str) -> Sql:
    """`text` made safe inside a `--` or `/* */` comment of any dialect.

    Written as `\\u{XXXX}` (the code point in hex): a backslash (so the escapes are unambiguous,
    and no line ends in a backslash, which continues a Spark comment), every control character,
    format character, line and paragraph separator (every line end of any dialect or editor),
    and a `*` or `/` that touches another `*` or `/` or an end of the text (no `/*` or `*/`).
    """

    def escape(match: re.Match[str]) -> str:
        ch = match.group()
        i = match.start()
        if ch in "*/":
            before = text[i - 1] if i > 0 else "/"
            after = text[i + 1] if i + 1 < len(text) else "/"
            if before not in "*/" and after not in "*/":
                return ch
        elif ch != "\\" and (ch.isprintable() or unicodedata.category(ch) not in _COMMENT_ESCAPED):
            return ch
        return f"\\u{{{ord(ch):04X}}}"

    return _made(_COMMENT_SPECIAL.sub(escape, text))


# -- Jinja: the templates print only SQL -------------------------------------------------------


def refuse_plain_text(value: object) -> object:
    """The `finalize` of the SQL templates: what `{{ ... }}` may print is `Sql` or an integer.

    A plain `str` (a name not quoted, a label, text a filter or `~` produced) is a bug in a
    template or in the code that filled it: it raises `PlainTextError` instead of being printed.
    """
    if isinstance(value, Sql) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises the UndefinedError that names the variable
    raise PlainTextError(
        f"a SQL template printed {type(value).__name__} {value!r}: only Sql values (quoted "
        "with q(), or made by the compiler) and integers may be printed; write fixed SQL as "
        "template text, outside {{ }}"
    )


class OutputOnlyThroughFinalize(jinja2.ext.Extension):
    """Refuses the tags whose output does not pass through `finalize`.

    `{% filter %}` and `{% call %}` write their body's text as a filter or macro returns it,
    after `finalize` ran on its parts: a filter could take quotes off a literal there. `{% macro
    %}` is refused with them (the templates reuse each other through `dispatch`).
    """

    REFUSED = frozenset({"filter", "call", "macro"})

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        previous: Token | None = None
        for token in stream:
            if (
                previous is not None
                and previous.type == "block_begin"
                and token.type == "name"
                and token.value in self.REFUSED
            ):
                raise jinja2.TemplateSyntaxError(
                    f"{{% {token.value} %}} is not allowed in SQL templates: its output would "
                    "not pass through the check that only SQL text is printed",
                    token.lineno,
                    stream.name,
                    stream.filename,
                )
            previous = token
            yield token


def sql_environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    """The Jinja environment of SQL templates: strict undefined, only SQL printed."""
    return jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        finalize=refuse_plain_text,
        extensions=[OutputOnlyThroughFinalize],
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: jinja2.Template, context: Mapping[str, Any]) -> Sql:
    """A template of `sql_environment` rendered: SQL text, since it printed nothing else."""
    env = template.environment
    if env.finalize is not refuse_plain_text or OutputOnlyThroughFinalize not in {
        type(e) for e in env.extensions.values()
    }:
        raise PlainTextError("SQL is rendered only from templates of sql_environment()")
    return _made(template.render(**context))


# -- dbt: the statement inside a Jinja file ----------------------------------------------------


def jinja_string(text: str) -> Sql:
    """`text` as a double-quoted Jinja string literal (an argument of dbt's `source()`).

    Jinja reads a literal's escapes as Python's `unicode-escape` does and turns raw line ends
    into `\\n`; so `\\`, `"`, control characters and separators are escaped.
    """
    out: list[str] = []
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif _needs_escape(ch):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return _made('"' + "".join(out) + '"')


def jinja_raw(statement: Sql, holes: Mapping[Sql, Sql]) -> Sql:
    """`statement` inside `{% raw %}` blocks, so no text of it is read as Jinja (even
    `{% endraw %}`), each key of `holes` (a unique placeholder) replaced by Jinja code."""
    body = statement.replace("{%", "{% endraw %}{{ '{%' }}{% raw %}")
    for placeholder, code in holes.items():
        _check_parts([placeholder, code], "jinja_raw()")
        body = body.replace(placeholder, "{% endraw %}" + code + "{% raw %}")
    return _made("{% raw %}" + body + "{% endraw %}")


_VAR_ESCAPES: dict[StringStyle, tuple[str, str, str]] = {
    # (literal opening, Jinja filters escaping the value, literal closing)
    "duckdb": ("'", """ | replace("'", "''")""", "'"),
    "postgres": ("E'", """ | replace("\\\\", "\\\\\\\\") | replace("'", "''")""", "'"),
    "backslash": ("'", """ | replace("\\\\", "\\\\\\\\") | replace("'", "\\\\'")""", "'"),
}
"""How a dbt var's text is escaped inside one string literal of each string style: PostgreSQL
gets an escape string (`E'...'`), so a backslash means the same whatever
`standard_conforming_strings` says."""


def jinja_var_literal(name: str, default: str, style: StringStyle, lower: bool = False) -> Sql:
    """A dbt `var()` whose value, as text, is written as one SQL string literal of `style`.

    Whatever the value passed with `dbt run --vars` holds, it cannot end the literal: Jinja's
    `replace` filters escape the quote (and the backslash where the style has escapes) before
    the text is printed. `lower` lower-cases the text (YAML's `True` for a boolean).
    """
    _refuse_nul(name, "name")
    _refuse_nul(default, "text")
    opening, filters, closing = _VAR_ESCAPES[style]
    case = " | lower" if lower else ""
    call = f"var({jinja_string(name)}, {jinja_string(default)}) | string{case}{filters}"
    return _made(opening + "{{ " + call + " }}" + closing)
