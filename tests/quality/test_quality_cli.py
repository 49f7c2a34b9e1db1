"""`scorecard quality` run as a user runs it: a subprocess on a real CSV file."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from tests.quality.qualgen import make_rows, write_card, write_csv

pytestmark = pytest.mark.slow  # whole processes

SCORECARD = str(Path(sys.executable).parent / "scorecard")


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCORECARD, "quality", *map(str, args)], capture_output=True, text=True, timeout=300
    )


def test_tables_json_and_html(tmp_path: Path) -> None:
    rows = make_rows(500)
    data = write_csv(rows, tmp_path / "customers.csv")
    card = write_card(tmp_path)

    shown = run(card, data)
    assert shown.returncode == 0, shown.stderr
    assert "Declared columns" in shown.stdout and "Bins: values no bin takes" in shown.stdout
    assert "after normalisation" in shown.stdout

    printed = run(card, data, "--json")
    assert printed.returncode == 0, printed.stderr
    doc = json.loads(printed.stdout)
    assert doc["rows"] == 500
    nulls = {c["name"]: c["nulls"] for c in doc["columns"]}
    assert nulls["income"] == sum(1 for r in rows if r["income"] == "")
    keys = [unicodedata.normalize("NFC", r["customer_id"].strip()).lower() for r in rows]
    assert doc["keys"]["dedupe_drops"] == len(keys) - len(set(keys)) == 7

    page = tmp_path / "quality.html"
    written = run(card, data, "--html", page)
    assert written.returncode == 0, written.stderr
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "Data quality" in html
    assert "zoé-9" in html  # the normalised key group (NFD and NFC spellings)


def test_bad_input_and_output(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "csp"} for r in make_rows(60)]
    data = write_csv(rows, tmp_path / "customers.csv")
    card = write_card(tmp_path)
    missing = run(card, data)
    assert missing.returncode == 1
    assert "E810" in missing.stderr and "'csp'" in missing.stderr

    onto_input = run(card, data, "--html", data)
    assert onto_input.returncode == 1 and "E804" in onto_input.stderr
    assert data.read_text(encoding="utf-8").startswith("customer_id,")

    absent = run(card, tmp_path / "nope.csv")
    assert absent.returncode == 1 and "E802" in absent.stderr
