"""Golden SQL per dialect for the spec's complete example card: a change in the generated SQL
shows up in review. Regenerate with SCORECARD_UPDATE_GOLDEN=1 after checking the new SQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.api import load
from engine.backends.sql.dialects import DIALECT_NAMES
from tests.sql.cards import full_card

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
def test_golden(dialect: str, tmp_path: Path) -> None:
    sql = load(full_card(tmp_path)).to_sql(dialect, "analytics.customers")
    path = GOLDEN / f"{dialect}.sql"
    if os.environ.get("SCORECARD_UPDATE_GOLDEN"):
        path.write_text(sql, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with SCORECARD_UPDATE_GOLDEN=1"
    assert sql == path.read_text(encoding="utf-8"), f"{dialect}: SQL differs from {path}"
