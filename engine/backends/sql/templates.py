"""Jinja templates per dialect, looked up as dbt dispatches macros: dialect, parent, default.

`templates/default/NAME.sql.j2` holds what every dialect shares; `templates/<dialect>/NAME.sql.j2`
overrides it where the dialect differs. A template calls another through `dispatch("NAME", ...)`,
so an override of one piece (the key order of `NTILE`, the unpivot of reasons) leaves the rest
shared. Undefined variables are errors (`StrictUndefined`), and a template found nowhere is an
error that lists every name that was tried.

The templates print only SQL text (`engine.backends.sql.sqltext.Sql`) and integers: the context
holds names already quoted and comments already escaped, `q(name)` quotes a name, and printing a
plain `str` is an error (see `sqltext.refuse_plain_text`). Fixed SQL is template text.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from engine.backends.sql.dialects import Dialect, lineage
from engine.backends.sql.sqltext import Sql, render, sql_environment


class TemplateMissingError(LookupError):
    """No dialect in the lineage has the template: a bug in the templates, not a user error."""


@cache
def _environment() -> jinja2.Environment:
    return sql_environment(jinja2.PackageLoader("engine.backends.sql", "templates"))


class Renderer:
    """Renders templates for one dialect; `dispatch` is also a global inside the templates."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.env = _environment()

    def candidates(self, name: str) -> list[str]:
        return [f"{d}/{name}.sql.j2" for d in lineage(self.dialect.name)]

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
        return render(
            template,
            {
                **context,
                "dispatch": self.dispatch,
                "q": self.dialect.quote,
                "dialect": self.dialect,
                "fence": self.dialect.render("step_fence"),
            },
        )
