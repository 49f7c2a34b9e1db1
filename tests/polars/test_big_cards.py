"""Cards far larger than people write: thousands of rules, hundreds of bins, no deep trees."""

from __future__ import annotations

import numpy as np
import polars as pl

import engine


def test_two_thousand_rules_and_a_long_bins_block() -> None:
    n_rules, n_bins = 2500, 300
    lines = ["scorecard big { }", "input {", "  id : int key", "  x : int", "}"]
    lines += [f"rule r{i} when x > {i} then 1" for i in range(n_rules)]
    lines.append("bins xb on x {")
    lines += [f"  [{i * 10}, {(i + 1) * 10}) -> {i}" for i in range(n_bins)]
    lines.append("}")
    lines.append("reasons 2 highest")
    card = engine.loads("\n".join(lines) + "\n")
    rng = np.random.default_rng(1)
    x = rng.integers(-5, 3200, size=400)
    frame = pl.DataFrame({"id": np.arange(400), "x": x})
    out = card.apply(frame)
    rules = np.clip(x, 0, n_rules)  # rules r0..r{x-1} fire
    bins = np.where((x >= 0) & (x < n_bins * 10), x // 10, 0)
    np.testing.assert_array_equal(out["score"].to_numpy(), (rules + bins).astype(float))
    # The bins points (x // 10) beat every rule's 1 point once x >= 20.
    expected_first = [
        "xb" if b > 1 else ("r0" if r > 0 else ("xb" if b > 0 else None))
        for r, b in zip(rules, bins, strict=True)
    ]
    assert out["reason_1"].to_list() == expected_first
