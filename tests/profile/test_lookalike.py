"""`lookalike` on generated data where a hidden affinity decides who becomes a customer: the
card finds held-out customers far better than random, and ranks the population at least as
well as a scikit-learn logistic regression on one-hot features (AUC against the hidden truth)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import OneHotEncoder

import engine
from engine import api
from engine.diagnostics import ScorecardError
from engine.profile.lookalike import LookalikeOptions, lookalike, recall_at
from tests.profile.profgen import make_table


def one_hot_features(frame: pl.DataFrame, base: pl.DataFrame) -> np.ndarray:
    """Text columns as they are, numbers cut at the base's deciles; missing a category."""
    cols = []
    for name in ("age", "income"):
        edges = np.nanquantile(base[name].cast(pl.Float64).to_numpy(), np.arange(1, 10) / 10)
        x = frame[name].cast(pl.Float64).to_numpy()
        cols.append(np.where(np.isnan(x), -1, np.searchsorted(edges, x, side="right")).astype(str))
    for name in ("csp", "region", "email_opt_in"):
        cols.append(frame[name].cast(pl.String).fill_null("(missing)").to_numpy())
    return np.column_stack(cols)


@pytest.fixture(scope="module")
def tables() -> tuple[pl.DataFrame, pl.DataFrame, np.ndarray]:
    world = make_table(21, 24000)
    customers = world.filter(pl.col("bought") == 1).drop("bought")
    prospects = make_table(22, 12000)
    truth = prospects["bought"].to_numpy()  # who would become a customer: hidden affinity
    return customers, prospects.drop("bought"), truth


def test_ranking_recovers_customers_and_matches_a_logistic_regression(
    tables: tuple[pl.DataFrame, pl.DataFrame, np.ndarray],
) -> None:
    customers, prospects, truth = tables
    found = lookalike(customers, prospects, LookalikeOptions(sensitive=("gender",)))
    at = {r.top: r for r in found.recall}
    # the held-out customers: lift at 10% far above random (reported figure)
    assert at[0.10].lift >= 2.0, at[0.10]
    assert at[0.01].recall > 0.01 and at[0.20].recall > 0.4
    assert found.auc is not None and found.auc > 0.68
    # the card is ordinary: it loads, has classes 10, and scores the prospects
    card = engine.loads(found.card)
    assert card.program.classes == 10
    assert "gender" not in found.columns
    scored = api.run([card], prospects).frame
    card_auc = roc_auc_score(truth, scored["score"].to_numpy())
    # a logistic regression on one-hot features, customers vs prospects, on the same rows
    both = pl.concat([customers, prospects], how="vertical_relaxed")
    encoder = OneHotEncoder(handle_unknown="ignore").fit(one_hot_features(both, prospects))
    x = encoder.transform(one_hot_features(both, prospects))
    y = np.r_[np.ones(customers.height), np.zeros(prospects.height)]
    model = LogisticRegression(max_iter=2000).fit(x, y)
    lr_auc = roc_auc_score(
        truth, model.predict_proba(encoder.transform(one_hot_features(prospects, prospects)))[:, 1]
    )
    assert card_auc >= lr_auc - 0.02, (card_auc, lr_auc)
    # the top class is profiled against the population: cadres and high incomes stand out
    traits = " ".join(t.text for t in found.top_class.traits)
    assert 'csp = "cadre"' in traits or "csp in" in traits


def test_recall_at_counts_the_best_rows_with_ties_by_key() -> None:
    scores = np.array([5.0, 9.0, 9.0, 1.0, np.nan, 7.0, 3.0, 2.0, 8.0, 6.0])
    keys = ["a", "c", "b", "d", "e", "f", "g", "h", "i", "j"]
    hidden = np.array([0, 1, 0, 0, 1, 0, 0, 0, 1, 0], dtype=bool)
    r10, r20, r50 = recall_at(scores, keys, hidden, (0.1, 0.2, 0.5))
    # rank: b(9) c(9) i(8) f(7) j(6) a(5) g(3) h(2) d(1) e(nan)
    assert (r10.rows, r10.found) == (1, 0)
    assert (r20.rows, r20.found) == (2, 1)
    assert (r50.rows, r50.found) == (5, 2)
    assert r50.recall == pytest.approx(2 / 3) and r50.lift == pytest.approx((2 / 3) / 0.5)


def test_customers_in_the_population_are_recognised_by_key(
    tables: tuple[pl.DataFrame, pl.DataFrame, np.ndarray],
) -> None:
    customers, prospects, _ = tables
    base = pl.concat([prospects.head(4000), customers.head(300)], how="vertical_relaxed")
    found = lookalike(customers, base, LookalikeOptions(hidden=0.25, seed=3))
    assert found.known_in_population == 300
    assert found.ranked == 4000 + found.hidden
    with pytest.raises(ScorecardError) as info:
        lookalike(customers, customers, LookalikeOptions())
    assert info.value.diagnostics[0].code == "E1211"
    with pytest.raises(ScorecardError) as info:
        lookalike(customers, base, LookalikeOptions(hidden=1.5))
    assert info.value.diagnostics[0].code == "E1210"
