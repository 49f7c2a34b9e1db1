"""`scorecard profile` end to end, as a user runs it: a subprocess on real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from tests.profile.profgen import cramer, make_table, value_expected, z_and_p


def scorecard(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("profile-cli") / "customers.csv"
    make_table(5, 3000).write_csv(path)
    return path


@pytest.mark.slow  # whole processes
def test_json_figures_match_an_independent_computation(data: Path) -> None:
    done = scorecard("profile", data, "--group", 'csp = "cadre" or income >= 45000', "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    frame = pl.read_csv(data)
    mask = ((pl.col("csp") == "cadre") | (pl.col("income") >= 45000)).fill_null(False)
    group, rest = frame.filter(mask), frame.filter(~mask)
    assert (found["group_rows"], found["base_rows"]) == (group.height, frame.height)
    assert found["measure"] == "Cramér's V"
    region = next(c for c in found["columns"] if c["column"] == "region")
    exp = value_expected(group["region"], frame["region"], rest["region"])
    assert [c["label"] for c in region["categories"]] == exp.labels[:-1]  # no missing region
    for c, g, b, r in zip(region["categories"], exp.group, exp.base, exp.compared, strict=False):
        assert (c["group_count"], c["base_count"]) == (g, b)
        z, p = z_and_p(int(g), group.height, int(r), rest.height)
        assert c["z"] == pytest.approx(z) and c["p_value"] == pytest.approx(p)
    v, _ = cramer(exp.group, exp.compared)
    assert region["cramers_v"] == pytest.approx(v)
    assert {s["column"] for s in found["skipped"]} == {"customer_id", "gender", "csp", "income"}


def test_tables_and_traits_in_the_terminal(data: Path) -> None:
    done = scorecard("profile", data, "--group", "bought = 1", "--columns", "csp,age,gender")
    assert done.returncode == 0, done.stderr
    assert "Strongest traits" in done.stdout
    assert 'csp = "cadre"' in done.stdout
    assert "gender: Cramér's V" in done.stdout and "(sensitive)" in done.stdout


@pytest.mark.slow  # whole processes
def test_mistakes_exit_1_with_the_place(data: Path, tmp_path: Path) -> None:
    done = scorecard("profile", data, "--group", "csp = cadre")
    assert done.returncode == 1
    assert "--group:1:7" in done.stderr and "E200" in done.stderr
    assert "Traceback" not in done.stderr
    done = scorecard("profile", data, "--group", "bought = 1", "--html", data)
    assert done.returncode == 1 and "E80" in done.stderr
    assert pl.read_csv(data).height == 3000  # the input is untouched
    page = tmp_path / "p.html"
    done = scorecard("profile", data, "--group", "bought = 1", "--min-count", "0", "--html", page)
    assert done.returncode == 1 and "E1202" in done.stderr
    assert not page.exists()
