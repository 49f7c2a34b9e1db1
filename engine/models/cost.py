"""Choosing between the compiled expression and the batch path for `apply`, by measured cost.

A vectorised engine evaluates every node of a compiled tree for every row, while scikit-learn
only walks one path per tree: the compiled form costs about `nodes` per row, scikit-learn about
`trees x depth`. benchmarks/models_bench.py (1M rows, 2 cores) found the compiled form 1.1x to
1.5x slower from about 5 nodes per level of depth (depth-3 boosting, histogram boosting, a
depth-4 tree) and 3x to 10x slower for deep trees and forests; only stumps and depth-2 trees
(at most 3.5 nodes per level) are not slower. Multiclass models read every class's trees
for each class (softmax), and trees behind preprocessing steps recompute the step per node.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

DENSITY_LIMIT: Final = 4.0
"""Above this many (weighted) nodes per tree per level, `apply` uses the batch path."""

CACHED_DENSITY_LIMIT: Final = 8.0
"""The limit when the expression comes from the cache: the batch path must then first import
scikit-learn and skops and load the file (1.5 to 2 s on 2 cores, more than the 1.1x-1.5x
the expression loses on 1M rows below this density), so only models measured 3x slower or
worse (deep trees, forests) still go to the batch path."""

PREPROCESSED_WEIGHT: Final = 4.0
"""Measured extra cost per node when the tree reads a computed (imputed, scaled) column."""


def _trees(est: Any) -> list[tuple[int, int]]:
    """(node count, depth) of each tree of a tree model; [] for other models."""
    if hasattr(est, "tree_"):
        return [(int(est.tree_.node_count), int(est.tree_.max_depth))]
    predictors = getattr(est, "_predictors", None)
    if predictors is not None:
        return [(len(p.nodes), int(p.nodes["depth"].max())) for it in predictors for p in it]
    estimators = getattr(est, "estimators_", None)
    if estimators is not None and hasattr(est, "n_estimators"):
        flat = np.asarray(estimators, dtype=object).ravel()
        return [
            (int(t.tree_.node_count), int(t.tree_.max_depth)) for t in flat if hasattr(t, "tree_")
        ]
    return []


def batch_is_faster(
    final: Any, n_classes: int, preprocessed: bool, limit: float = DENSITY_LIMIT
) -> str | None:
    """Why scikit-learn would beat the compiled form for this model (None if it would not);
    `limit` is `CACHED_DENSITY_LIMIT` when the expression would come from the cache."""
    trees = _trees(final)
    if not trees:
        return None
    nodes = sum(n for n, _ in trees)
    levels = sum(max(d, 1) for _, d in trees)
    density = nodes / levels
    if n_classes > 2:
        density *= n_classes + 1
    if preprocessed:
        density *= PREPROCESSED_WEIGHT
    if density <= limit:
        return None
    return (
        f"{len(trees)} trees, {nodes} nodes: measured faster through scikit-learn than as an "
        "expression (the SQL export still compiles it)"
    )
