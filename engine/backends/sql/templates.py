"""Jinja templates per dialect, looked up as dbt dispatches macros: dialect, parent, default.

`templates/default/NAME.sql.j2` holds what every dialect shares; `templates/<dialect>/NAME.sql.j2`
overrides it where the dialect differs. A template calls another through `dispatch("NAME", ...)`,
so an override of one piece (the key order of `NTILE`, the unpivot of reasons) leaves the rest
shared. Undefined variables are errors (`StrictUndefined`), and a template found nowhere is an
error that lists every name that was tried.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from engine.backends.sql.dialects import Dialect, lineage


class TemplateMissingError(LookupError):
    """No dialect in the lineage has the template: a bug in the templates, not a user error."""


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("engine.backends.sql", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class Renderer:
    """Renders templates for one dialect; `dispatch` is also a global inside the templates."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.env = _environment()

    def candidates(self, name: str) -> list[str]:
        return [f"{d}/{name}.sql.j2" for d in lineage(self.dialect.name)]

    def dispatch(self, name: str, **context: Any) -> str:
        """The first of `<dialect>/NAME`, `<parent>/NAME`, ..., `default/NAME`, rendered."""
        tried = self.candidates(name)
        try:
            template = self.env.select_template(tried)
        except jinja2.TemplatesNotFound:
            raise TemplateMissingError(
                f"no SQL template {name!r} for dialect {self.dialect.name!r}; tried: "
                + ", ".join(tried)
            ) from None
        text = template.render(
            **context, dispatch=self._in_template, q=self.dialect.quote, dialect=self.dialect
        )
        return text

    def _in_template(self, name: str, **context: Any) -> Markup:
        # Markup only to keep Jinja from re-escaping; autoescape is off anyway.
        return Markup(self.dispatch(name, **context))
