"""A card's examples run as one table, yet each gives what it gives alone: its `class` is
ranked in a table of its own row, and every other result is the row's own. Expected values
are worked out by hand from the card."""

from __future__ import annotations

import engine

CARD = """
scorecard ranked { }
input {
  id  : string key
  age : int
}
exclude "minor" when age < 18
rule old "Senior" when age >= 60 then 10
rule mid "Middle-aged" when age >= 40 then 5
classes 4
reasons 1
example "low score alone is class 1" {
  given id = "a", age = 30
  expect score = 0, class = 1, reason_1 = missing
}
example "senior" {
  given id = "b", age = 70
  expect score = 15, class = 1, reason_1 = "old"
}
example "middle" {
  given id = "c", age = 45
  expect score = 5, reason_1 = "mid"
}
example "minor" {
  given id = "d", age = 12
  expect excluded = "minor", score = missing, class = missing
}
example "wrong on purpose" {
  given id = "e", age = 41
  expect score = 6, class = 1
}
"""


def test_each_example_gives_what_it_gives_alone() -> None:
    outcomes = engine.loads(CARD).test()
    assert [o.name for o in outcomes] == [
        "low score alone is class 1",
        "senior",
        "middle",
        "minor",
        "wrong on purpose",
    ]
    # In one table of the five rows, "a" (score 0) would rank last of four scored rows:
    # class 4, not 1. Alone, every scored row is class 1 of NTILE(4).
    assert [o.passed for o in outcomes[:4]] == [True, True, True, True]
    assert outcomes[4].mismatches == [("score", 6, 5.0)]
    assert outcomes[4].error is None
