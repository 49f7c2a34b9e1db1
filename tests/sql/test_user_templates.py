"""`--templates DIR`: the user's templates come first (DIR/<dialect>, DIR/default, then the
package's), an override changes the output as docs/sql.md shows, and a broken template is a
diagnostic naming its file and line."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
from typer.testing import CliRunner

from engine.backends.sql.dialects import get_dialect
from engine.backends.sql.templates import Renderer
from engine.cli import app
from tests.sql.helpers import duckdb_table

CARD = """\
scorecard tiny {
  version "1"
}

input {
  id    : string key
  spend : float
}

rule big "Big spender" when spend > 50 then 10

classes 2
"""

DBT_MODEL = """\
{#- Our dbt models: a team tag, then what scorecard wrote. -#}
{% raw %}{{{% endraw %} config(tags=["scorecards"]) }}
-- owned by the CRM data team
{{ body }}
"""


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _compile(tmp_path: Path, *extra: str, dialect: str = "duckdb") -> tuple[int, str]:
    card = tmp_path / "tiny.scorecard"
    card.write_text(CARD, encoding="utf-8")
    result = CliRunner().invoke(app, ["compile", str(card), "-d", dialect, "-t", "t", *extra])
    return result.exit_code, result.output


def test_lookup_order(tmp_path: Path) -> None:
    user = tmp_path / "mine"
    key = get_dialect("postgres").quote("k")
    _write(user, "default/key_order.sql.j2", "{{ key }} /* mine, default */")
    pg = Renderer(get_dialect("postgres"), user).dispatch("key_order", key=key, key_is_string=True)
    assert pg == '"k" /* mine, default */'  # the user's default beats the package's postgres
    _write(user, "postgres/key_order.sql.j2", "{{ key }} /* mine, postgres */")
    pg = Renderer(get_dialect("postgres"), user).dispatch("key_order", key=key, key_is_string=True)
    assert pg == '"k" /* mine, postgres */'
    renderer = Renderer(get_dialect("postgres"))  # without the folder: the package's
    assert renderer.dispatch("key_order", key=key, key_is_string=True) == '"k" COLLATE "C"'
    tried = Renderer(get_dialect("spark"), user).candidates("x")
    assert tried == [
        "user:spark/x.sql.j2",
        "user:default/x.sql.j2",
        "spark/x.sql.j2",
        "default/x.sql.j2",
    ]


def test_documented_dbt_override(tmp_path: Path) -> None:
    user = tmp_path / "my_templates"
    _write(user, "default/dbt_model.sql.j2", DBT_MODEL)
    code, output = _compile(tmp_path, "--dbt", "--templates", str(user))
    assert code == 0, output
    assert output.startswith('{{ config(tags=["scorecards"]) }}\n-- owned by the CRM data team\n')
    code, plain = _compile(tmp_path, "--dbt")
    assert code == 0 and "owned by" not in plain and "config(" not in plain


def test_override_changes_the_rows(tmp_path: Path) -> None:
    """Classes ordered by key descending among tied scores: the rows show the override."""
    user = tmp_path / "mine"
    _write(user, "duckdb/key_order.sql.j2", "{{ key }} DESC, {{ key }}")
    frame = pl.DataFrame({"id": ["a", "b", "c", "d"], "spend": [10.0, 10.0, 10.0, 10.0]})
    con = duckdb.connect()
    duckdb_table(con, "t", frame)
    for extra, first in (([], "a"), (["--templates", str(user)], "d")):
        code, output = _compile(tmp_path, *extra)
        assert code == 0, output
        rows = con.execute(output).fetchall()
        by_key = {r[0]: r[2] for r in rows}
        # NTILE(2) over 4 tied scores: the first two in key order get class 1
        assert by_key[first] == 1, (extra, rows)


def test_broken_template_names_file_and_line(tmp_path: Path) -> None:
    user = tmp_path / "mine"
    _write(user, "default/create_table.sql.j2", "x")
    _write(user, "duckdb/key_order.sql.j2", "{{ key }}\n{{ 'plain text' }}\n")
    code, output = _compile(tmp_path, "--templates", str(user))
    flat = " ".join(output.split())
    assert code == 1 and "E912" in flat and "key_order.sql.j2" in flat and "line 2" in flat
    _write(user, "duckdb/key_order.sql.j2", "{{ key }\n")
    code, output = _compile(tmp_path, "--templates", str(user))
    assert code == 1 and "E912" in output and "Traceback" not in output
    code, output = _compile(tmp_path, "--templates", str(tmp_path / "missing"))
    assert code == 2
