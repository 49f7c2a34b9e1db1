"""Jinja templates per dialect, looked up as dbt dispatches macros: dialect, parent, default.

`templates/default/NAME.sql.j2` holds what every dialect shares; `templates/<dialect>/NAME.sql.j2`
overrides it where the dialect differs. A template calls another through `dispatch("NAME", ...)`,
so an override of one piece (the key order of `NTILE`, the unpivot of reasons) leaves the rest
shared. Undefined variables are errors (`StrictUndefined`), and a template found nowhere is an
error that lists every name that was tried.

A user's folder (`scorecard compile --templates DIR`) comes first: `DIR/<dialect>/NAME.sql.j2`
(and its parents), `DIR/default/NAME.sql.j2`, then the package's `<dialect>/`, `default/`. Its
files are rendered in the same environment, under the same rule: they print only SQL text.

The templates print only SQL text (`engine.backends.sql.sqltext.Sql`) and integers: the context
holds names already quoted and comments already escaped, `q(name)` quotes a name, and printing a
plain `str` is an error (see `sqltext.refuse_plain_text`). Fixed SQL is template text.
"""

from __future__ import annotations

import traceback
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from engine.backends.sql.dialects import Dialect, lineage
from engine.backends.sql.sqltext import Sql, render, sql_environment


class TemplateMissingError(LookupError):
    """No dialect in the lineage has the template: a bug in the templates, not a user error."""


class UserTemplateError(ValueError):
    """A template of the user's folder failed to load or render: its file, line and why."""

    def __init__(self, file: str, line: int, reason: str) -> None:
        super().__init__(f"{file}:{line}: {reason}")
        self.file = file
        self.line = line
        self.reason = reason


def _user_error(template_file: str, exc: Exception) -> UserTemplateError:
    """The error of a user's template, at the line of it that raised (Jinja's frames name it)."""
    line = getattr(exc, "lineno", None)
    if line is None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == template_file]
        line = frames[-1].lineno if frames and frames[-1].lineno is not None else 1
    reason = getattr(exc, "message", None) or str(exc)
    return UserTemplateError(template_file, int(line), str(reason))


USER = "user:"
"""The prefix of a template name looked up in the user's folder (`user:duckdb/NAME.sql.j2`)."""


@cache
def _environment(user_dir: str | None = None) -> jinja2.Environment:
    package = jinja2.PackageLoader("engine.backends.sql", "templates")
    if user_dir is None:
        return sql_environment(package)
    user = jinja2.PrefixLoader({USER[:-1]: jinja2.FileSystemLoader(user_dir)}, delimiter=":")
    return sql_environment(jinja2.ChoiceLoader([user, package]))


class Renderer:
    """Renders templates for one dialect; `dispatch` is also a global inside the templates.

    `user_dir`: a folder of the user's templates, looked up before the package's."""

    def __init__(self, dialect: Dialect, user_dir: Path | None = None) -> None:
        self.dialect = dialect
        self.user_dir = user_dir
        self.env = _environment(None if user_dir is None else str(user_dir.resolve()))

    def candidates(self, name: str) -> list[str]:
        package = [f"{d}/{name}.sql.j2" for d in lineage(self.dialect.name)]
        if self.user_dir is None:
            return package
        return [USER + n for n in package] + package

    def _is_users(self, filename: str | None) -> bool:
        """Whether a template file is one of the user's folder (its errors are the user's)."""
        if self.user_dir is None or filename is None:
            return False
        return Path(filename).resolve().is_relative_to(self.user_dir.resolve())

    def dispatch(self, name: str, **context: Any) -> Sql:
        """The first of `<dialect>/NAME`, `<parent>/NAME`, ..., `default/NAME`, rendered."""
        tried = self.candidates(name)
        try:
            template = self.env.select_template(tried)
        except jinja2.TemplatesNotFound:
            raise TemplateMissingError(
                f"no SQL template {name!r} for dialect {self.dialect.name!r}; tried: "
                + ", ".join(tried)
            ) from None
        except jinja2.TemplateSyntaxError as exc:
            if not self._is_users(exc.filename):
                raise
            raise _user_error(exc.filename or str(exc.name), exc) from None
        context = {
            **context,
            "dispatch": self.dispatch,
            "q": self.dialect.quote,
            "step_fence": self.dialect.render("step_fence"),
        }
        if not self._is_users(template.filename):
            return render(template, {**context, "dialect": self.dialect})
        try:
            return render(template, {**context, "dialect": self.dialect})
        except UserTemplateError:
            raise
        except (jinja2.TemplateError, TypeError) as exc:  # PlainTextError is a TypeError
            raise _user_error(template.filename or str(template.name), exc) from None
