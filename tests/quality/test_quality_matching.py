"""`quality --match`: planted near-duplicate customers (a typo, first and last name swapped,
accents dropped and case changed) found by splink; precision and recall on generated data."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
import unicodedata
from pathlib import Path

import polars as pl
import pytest

from engine.api import load
from engine.diagnostics import ScorecardError
from engine.quality.run import quality_of

pytest.importorskip("splink")
pytestmark = pytest.mark.slow  # model training and whole processes

SCORECARD = str(Path(sys.executable).parent / "scorecard")

CARD = """\
scorecard customers {
  title "Customers"
}

input {
  customer_id : string key
  spend       : float
}

rule big when spend >= 500 then +10
score = points
"""

FIRST = [
    "Hélène",
    "Jérôme",
    "Marie",
    "Jean",
    "Pierre",
    "Sophie",
    "Céline",
    "François",
    "Loïc",
    "Anaïs",
    "Noémie",
    "Léa",
    "Chloé",
    "Thomas",
    "Nicolas",
    "Camille",
    "Julien",
    "Émilie",
    "Mathieu",
    "Aurélie",
    "Benoît",
    "Gaëlle",
    "Raphaël",
    "Inès",
]
LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "Légaré",
    "Châtelain",
    "Boucher",
    "Gérard",
    "Noël",
    "Brûlé",
]


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def make_customers(
    n: int = 3000, planted: int = 150, seed: int = 8
) -> tuple[pl.DataFrame, set[tuple[str, str]]]:
    """`n` customers, then `planted` copies of random ones with one kind of change each; the
    true duplicate pairs (by key)."""
    rng = random.Random(seed)

    def typo(text: str) -> str:
        i = rng.randrange(1, len(text))
        return text[:i] + rng.choice("aeiourstnl") + text[i + 1 :]

    rows = []
    for i in range(n):
        last = rng.choice(LAST)
        if rng.random() < 0.5:
            last += "-" + rng.choice(LAST)
        rows.append(
            {
                "customer_id": f"C{i:05d}",
                "last_name": last,
                "first_name": rng.choice(FIRST),
                "zip": f"{rng.randint(1000, 95999):05d}",
                "birth_date": (
                    dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 25000))
                ).isoformat(),
                "spend": f"{rng.uniform(0, 1000):.2f}",
            }
        )
    truth = set()
    copies: dict[str, list[str]] = {}
    for j in range(planted):
        source = rows[rng.randrange(n)]
        copy = dict(source, customer_id=f"D{j:05d}", spend="0")
        kind = j % 3
        if kind == 0:
            copy["last_name"] = typo(copy["last_name"])
        elif kind == 1:
            copy["first_name"], copy["last_name"] = copy["last_name"], copy["first_name"]
        else:
            copy["first_name"] = strip_accents(copy["first_name"]).upper()
            copy["last_name"] = strip_accents(copy["last_name"])
        rows.append(copy)
        for other in copies.setdefault(source["customer_id"], [source["customer_id"]]):
            truth.add((other, copy["customer_id"]))  # two copies of one customer match too
        copies[source["customer_id"]].append(copy["customer_id"])
    order = list(range(len(rows)))
    rng.shuffle(order)
    return pl.DataFrame([rows[i] for i in order]), truth


def as_pairs(pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(min(a, b), max(a, b)) for a, b in pairs}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, set[tuple[str, str]]]:
    folder = tmp_path_factory.mktemp("matching")
    table, truth = make_customers()
    data = folder / "customers.csv"
    table.write_csv(data)
    card = folder / "customers.scorecard"
    card.write_text(CARD, encoding="utf-8")
    return card, data, as_pairs(list(truth))


def test_planted_duplicates_are_found(files: tuple[Path, Path, set[tuple[str, str]]]) -> None:
    card, data, truth = files
    columns = ["last_name", "first_name", "zip", "birth_date"]
    q = quality_of(load(card), data, columns)
    m = q.matching
    assert m is not None and m.columns == columns
    found = as_pairs([(p.left, p.right) for p in m.pairs])
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth)
    print(
        f"\nmatching: {len(found)} pairs found, {len(truth)} planted, "
        f"precision {precision:.3f}, recall {recall:.3f}"
    )
    assert precision >= 0.8 and recall >= 0.8
    for kind in range(3):  # each kind of change is found, not only the easy ones
        planted = {p for p in truth if p[0][0] == "C" and int(p[1][1:]) % 3 == kind}
        assert len(found & planted) / len(planted) >= 0.7, kind
    assert all(p.probability >= 0.9 for p in m.pairs)
    rows = pl.read_csv(data, infer_schema=False)["customer_id"].to_list()
    for p in m.pairs:
        assert rows[p.left_row - 1] == p.left and rows[p.right_row - 1] == p.right
    linked = {k for c in m.clusters for k in c.keys}
    assert {k for pair in found for k in pair} == linked
    assert m.settings["comparisons"] == {
        "last_name": "last",
        "first_name": "first",
        "zip": "digits",
        "birth_date": "date",
    }


def test_unknown_column(files: tuple[Path, Path, set[tuple[str, str]]]) -> None:
    card, data, _ = files
    with pytest.raises(ScorecardError) as caught:
        quality_of(load(card), data, ["last_nmae"])
    (d,) = caught.value.diagnostics
    assert d.code == "E1300" and "last_name" in " ".join(d.notes)


def test_cli_match(files: tuple[Path, Path, set[tuple[str, str]]], tmp_path: Path) -> None:
    card, data, truth = files
    page = tmp_path / "q.html"
    done = subprocess.run(
        [
            SCORECARD,
            "quality",
            str(card),
            str(data),
            "--match",
            "last_name,first_name",
            "--match",
            "zip,birth_date",
            "--json",
            "--html",
            str(page),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr  # splink's logging stays quiet
    doc = json.loads(done.stdout)
    found = as_pairs([(p["left"], p["right"]) for p in doc["matching"]["pairs"]])
    assert len(found & truth) >= 0.8 * len(truth)
    assert "Likely duplicate customers" in page.read_text(encoding="utf-8")


def test_columns_with_nothing_to_learn_from(tmp_path: Path) -> None:
    card = tmp_path / "c.scorecard"
    card.write_text(CARD, encoding="utf-8")
    data = tmp_path / "empty_names.csv"
    data.write_text("customer_id,spend,a,b\nx1,1,,\nx2,2,,\n", encoding="utf-8")
    done = subprocess.run(
        [SCORECARD, "quality", str(card), str(data), "--match", "a,b"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1 and "E1302" in done.stderr and "a, b" in done.stderr


def test_without_splink_installed(files: tuple[Path, Path, set[tuple[str, str]]]) -> None:
    card, data, _ = files
    script = (
        "import sys; sys.modules['splink'] = None; "  # what Python sees when it is absent
        "from engine.cli.app import main; "
        f"sys.argv = ['scorecard', 'quality', {str(card)!r}, {str(data)!r}, '--match', 'zip']; "
        "main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1
    assert "E1301" in done.stderr and "scorecard-engine[quality]" in done.stderr
