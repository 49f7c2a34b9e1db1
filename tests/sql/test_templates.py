"""Template dispatch: dialect first, then its parents, then default; a miss names every file
tried; an undefined variable is an error, never an empty string."""

from __future__ import annotations

import jinja2
import pytest

from engine.backends.sql.dialects import get_dialect
from engine.backends.sql.templates import Renderer, TemplateMissingError


def test_override_wins_over_default() -> None:
    key = get_dialect("postgres").quote("customer_id")
    pg = Renderer(get_dialect("postgres")).dispatch("key_order", key=key, key_is_string=True)
    duck = Renderer(get_dialect("duckdb")).dispatch("key_order", key=key, key_is_string=True)
    assert pg.strip() == '"customer_id" COLLATE "C"'
    assert duck.strip() == '"customer_id"'


def test_miss_lists_every_name_tried() -> None:
    with pytest.raises(TemplateMissingError) as info:
        Renderer(get_dialect("spark")).dispatch("no_such_macro")
    assert "spark/no_such_macro.sql.j2" in str(info.value)
    assert "default/no_such_macro.sql.j2" in str(info.value)


def test_undefined_variable_is_an_error() -> None:
    with pytest.raises(jinja2.UndefinedError):
        Renderer(get_dialect("duckdb")).dispatch("key_order", key_is_string=False)
