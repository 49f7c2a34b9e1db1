"""A generated customer table with every kind of problem `scorecard quality` reports, written
as a real CSV file, and the card that reads it."""

from __future__ import annotations

import csv
import random
import unicodedata
from pathlib import Path

CARD = """\
scorecard quality_demo {
  title "A card to check data against"
}

input {
  customer_id : string key
  age         : int
  income      : float
  csp         : string
  joined      : date
  opt_in      : bool
  country     : string
  segment_id  : int
}

bins age_pts on age {
  missing  -> 0
  [18, 30) -> 10
  [30, 60) -> 20
  [60, 90] -> 5
}

bins income_pts on income {
  <= 20000          -> 10
  (20000, 80000]    -> 5
}

bins csp_pts on csp {
  in ["cadre", "artisan"] -> 15
  = "employe"             -> 5
  missing                 -> 0
  else                    -> 1
}

rule opted "opted in" when opt_in then +3

score = points
"""

CSPS = ["cadre", "artisan", "employe"]
UNSEEN = ["etudiant", "retraite", "Cadre"]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def make_rows(n: int = 3000, seed: int = 11) -> list[dict[str, str]]:
    """Rows as the CSV holds them (text; '' is an empty field, read as null)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        age = rng.choice(["", str(rng.randint(10, 99)), str(rng.randint(18, 90))])
        if rng.random() < 0.02:
            age = rng.choice(["abc", "12.5", "4O", "--"])
        income = "" if rng.random() < 0.05 else f"{rng.uniform(0, 120000):.2f}"
        if rng.random() < 0.01:
            income = rng.choice(["lots", "12,5"])
        csp = rng.choice(CSPS) if rng.random() < 0.9 else rng.choice([*UNSEEN, ""])
        joined = f"20{rng.randint(10, 25):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if rng.random() < 0.05:
            joined = rng.choice(["", "31/12/2020", "2021-02-30"])
        opt_in = rng.choice(["true", "false", "", "yes", "0", "maybe", "perhaps"])
        rows.append(
            {
                "customer_id": f"C{i:05d}",
                "age": age,
                "income": income,
                "csp": csp,
                "joined": joined,
                "opt_in": opt_in,
                "country": "FR",
                "segment_id": str(rng.randint(1, 4)),
            }
        )
    # Planted keys: exact duplicates, and spellings equal once trimmed, NFC and lower-cased.
    plants = [
        (10, "FR1"),
        (11, " FR1"),
        (12, "fr1 "),  # one normalised group of three
        (20, "C00021"),  # an exact duplicate of row 22 (C00021)
        (30, nfd("Zoé-9")),
        (31, "Zoé-9"),  # NFD and NFC
        (40, "ÉLODIE"),
        (41, "élodie"),
        (50, "X7"),
        (51, "X7"),
        (52, "x7"),  # exact pair inside a normalised triple
    ]
    for index, key in plants:
        rows[index]["customer_id"] = key
    return rows


def write_csv(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_card(folder: Path) -> Path:
    card = folder / "quality_demo.scorecard"
    card.write_text(CARD, encoding="utf-8")
    return card
