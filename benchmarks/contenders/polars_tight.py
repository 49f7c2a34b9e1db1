"""The reference card written by hand in Polars as tightly as we can: the reference contender.

    python polars_tight.py DATA.parquet OUT.parquet

What a Polars expert who knows this card writes when speed is all that counts (the plain
version, `polars_hand.py`, is what a careful user writes). Every choice below was measured
on the 1M-row table against its alternatives (docs/performance.md):

- one lazy plan over `scan_parquet`, on the streaming engine: only the columns the card
  reads are decoded, and the lets, rules, bins, excludes and the logistic model are one
  `select` of expressions;
- each rule or bin that can give positive points is computed once, as an Int16 *reason key*
  `points * 128 + (127 - file position)` (`points * 128` when not positive): the largest
  key of a row is its largest contribution, ties going to the earlier rule or bin as the
  card orders them, and the points are `key // 128`. Rules that can only take points away
  are plain `when(...).then(points).otherwise(0)`; all are summed with `sum_horizontal`;
- the models read their fitted arrays from `data/models/tight_models.npz` (`prepare`, once,
  not timed, as `scorecard compile` fills apply's model cache), so scikit-learn is never
  imported: the logistic pipeline is one expression; the 100 trees are nested `when`s over
  the features rounded to float32 once, added in scikit-learn's order (the probability is
  `predict_proba`'s to the bit), run on the collected frame (over the scan, Polars 2.1.0
  gave wrong values on some row groups) and faster than `predict_proba` on a C-ordered
  float32 array;
- reasons: three rounds of a column-by-column maximum over the Int16 keys (NumPy; keys are
  distinct within a row), names gathered by file position;
- classes: one float sort of the scores, keys compared only inside runs of equal scores,
  positions scattered back with NumPy, NTILE(10) as `classes` computes it.

    python polars_tight.py prepare      # writes data/models/tight_models.npz
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from reference import (
    BASE,
    GBM_FEATURES,
    LR_FEATURES,
    MODELS,
    RULES,
    load_models,
    polars_condition,
    polars_lets,
)

PREPARED = MODELS / "tight_models.npz"

# bins as (name, column, [(condition, points), ...], points otherwise), in the card's order
Bin = tuple[str, str, list[tuple[pl.Expr, float]], float]


def _bins() -> list[Bin]:
    age, inc, ten = pl.col("age"), pl.col("income"), pl.col("tenure_months")
    reg, csp, rec = pl.col("region"), pl.col("csp"), pl.col("recency_days")
    util, bur = pl.col("utilisation"), pl.col("bureau_score")
    return [
        ("age_band", "age", [(age.is_null(), 5), (age < 25, 20), (age < 35, 12), (age < 50, 4), (age < 65, 0)], -6),
        ("income_band", "income", [(inc.is_null(), 0), (inc < 15000, 15), (inc < 30000, 8), (inc < 60000, 0)], -10),
        ("tenure_band", "tenure_months", [(ten < 6, 25), (ten < 24, 10), (ten < 60, 0)], -12),
        ("region_pts", "region", [(reg.is_in(["hdf", "ges", "nor"]), 5), (reg.is_in(["idf", "pac"]), -3), (reg.is_null(), 0)], 1),
        ("csp_pts", "csp", [(csp.is_in(["ouvrier", "employe"]), 8), (csp.is_in(["cadre", "profession_liberale"]), -6), (csp == "retraite", -2)], 0),
        ("recency_band", "recency_days", [(rec.is_null(), 15), (rec <= 30, -20), (rec <= 90, -5), (rec <= 365, 10)], 25),
        ("util_band", "utilisation", [(util.is_null(), 0), (util < 0.3, -5), (util < 0.8, 3)], 12),
        ("bureau_band", "bureau_score", [(bur.is_null(), 6), (bur < 500, 18), (bur < 650, 7), (bur < 750, 0)], -9),
    ]  # fmt: skip


def _key(points: float, position: int) -> pl.Expr:
    """The key of `points` given by the contribution at `position`: `points * 128`, plus
    `127 - position` when positive, so that `key >> 7` (floor division) is the points."""
    return pl.lit(int(points) * 128 + (127 - position if points > 0 else 0), dtype=pl.Int16)


def contributions() -> tuple[list[str], list[pl.Expr], list[pl.Expr]]:
    """(reason names in key-column order, Int16 key columns, Float64 non-positive columns)."""
    names: list[str] = []
    keys: list[pl.Expr] = []
    negatives: list[pl.Expr] = []
    position = 0
    for name, _, c, p in RULES:
        if isinstance(p, tuple):  # k * column: k < 0 on a count, never positive here
            assert p[1] < 0
            negatives.append(pl.when(polars_condition(c)).then(p[1] * pl.col(p[2])).otherwise(0.0))
        elif p > 0:
            names.append(name)
            keys.append(
                pl.when(polars_condition(c))
                .then(_key(p, position))
                .otherwise(_key(0, 0))
                .alias(f"k{position}")
            )
        else:
            negatives.append(pl.when(polars_condition(c)).then(float(p)).otherwise(0.0))
        position += 1
    for name, _, arms, otherwise in _bins():
        if max(max(p for _, p in arms), otherwise) > 0:
            expr: Any = pl
            for c2, p in arms:
                expr = expr.when(c2).then(_key(p, position))
            names.append(name)
            keys.append(expr.otherwise(_key(otherwise, position)).alias(f"k{position}"))
        else:  # never positive: no key
            raise AssertionError(name)
        position += 1
    return names, keys, negatives


def prepare(path: Path = PREPARED) -> None:
    """Write the two models' fitted parameters as plain NumPy arrays (once, not timed).

    `scorecard apply` keeps each model's compiled expression in a cache between runs
    (docs/models.md) and so never imports scikit-learn once the cache is warm; this is the
    hand-written equivalent: the timed run reads these arrays with NumPy alone.
    """
    gbm, lr = load_models()
    trees = [e.tree_ for e in gbm.estimators_[:, 0]]
    imputer, scaler, model = lr[0], lr[1], lr[2]
    np.savez(
        path,
        init=gbm._raw_predict_init(np.zeros((1, len(GBM_FEATURES)), np.float32))[0, 0],
        rate=gbm.learning_rate,
        sizes=[t.node_count for t in trees],
        left=np.concatenate([t.children_left for t in trees]),
        right=np.concatenate([t.children_right for t in trees]),
        feature=np.concatenate([t.feature for t in trees]),
        threshold=np.concatenate([t.threshold for t in trees]),
        value=np.concatenate([t.value[:, 0, 0] for t in trees]),
        fill=imputer.statistics_,
        mean=scaler.mean_,
        scale=scaler.scale_,
        coef=model.coef_[0],
        intercept=model.intercept_[0],
    )


def logistic(m: Any) -> pl.Expr:
    """The logistic pipeline (mean imputer, standard scaler, logistic regression)."""
    z: pl.Expr = pl.lit(m["intercept"])
    for j, name in enumerate(LR_FEATURES):
        x = pl.col(name).cast(pl.Float64).fill_null(m["fill"][j])
        z = z + m["coef"][j] * ((x - m["mean"][j]) / m["scale"][j])
    return 1.0 / (1.0 + (-z).exp())


def boosting(m: Any) -> pl.Expr:
    """The gradient boosting as nested `when`s, one per tree, added in scikit-learn's order
    (initial log-odds, then `rate * leaf` tree by tree) on the features rounded to float32
    as scikit-learn compares them, so the sum is the same to the bit."""
    rate, left, right = m["rate"], m["left"], m["right"]
    feature, threshold, value = m["feature"], m["threshold"], m["value"]

    def node(base: int, i: int) -> pl.Expr:
        if left[base + i] == -1:
            return pl.lit(rate * value[base + i])
        return (
            pl.when(pl.col(f"g{feature[base + i]}") <= threshold[base + i])
            .then(node(base, left[base + i]))
            .otherwise(node(base, right[base + i]))
        )

    raw: pl.Expr = pl.lit(m["init"])
    base = 0
    for size in m["sizes"]:
        raw = raw + node(base, 0)
        base += int(size)
    return 1.0 / (1.0 + (-raw).exp())


def top3(keys: list[np.ndarray]) -> list[np.ndarray]:
    """Per round, each row's largest key (<= 0: none), column by column: keys are distinct
    within a row, so round r + 1 takes the largest key below round r's."""
    chosen: list[np.ndarray] = []
    below = np.empty(len(keys[0]), dtype=bool)
    masked = np.empty(len(keys[0]), dtype=np.int16)
    for _ in range(3):
        best = np.zeros(len(keys[0]), dtype=np.int16)
        for column in keys:
            if chosen:
                np.less(column, chosen[-1], out=below)
                np.multiply(column, below, out=masked)
                np.maximum(best, masked, out=best)
            else:
                np.maximum(best, column, out=best)
        chosen.append(best)
    return chosen


def ranking(score: np.ndarray, key: pl.Series) -> np.ndarray:
    """Row indices by score descending (NaN last), equal scores by key ascending.

    One float sort; the string keys are compared only inside runs of equal scores (rare),
    instead of sorting on (score, key) rows, which costs several times more.
    """
    order = np.argsort(-score, kind="stable")
    ranked = score[order]
    tie = ranked[1:] == ranked[:-1]
    if tie.any():
        in_run = np.zeros(len(score), dtype=bool)
        in_run[:-1] |= tie
        in_run[1:] |= tie
        members = np.flatnonzero(in_run)  # sorted positions inside a run of equal scores
        run = np.cumsum(np.concatenate(([True], ~tie)))[members]
        rows = order[members]
        within = (
            pl.DataFrame({"run": run, "key": key.gather(rows)})
            .select(pl.arg_sort_by("run", "key"))
            .to_series()
            .to_numpy()
        )
        order[members] = rows[within]
    return order


def main(data: str, out: str) -> None:
    with np.load(PREPARED) as npz:
        m = {name: npz[name].tolist() for name in npz.files}
    names, keys, negatives = contributions()
    key_names = [k.meta.output_name() for k in keys]
    orders = pl.col("orders_12m")
    lets = pl.scan_parquet(data).with_columns(
        **polars_lets(),
    )
    gbm_features = [
        pl.col("age").fill_null(45),
        pl.col("income").fill_null(30000.0) / 1000,
        pl.col("tenure_months"),
        pl.col("recency_days").fill_null(365),
        orders,
        pl.col("bureau_score").fill_null(600),
        pl.col("web_visits_30d").fill_null(0),
        pl.col("n_products"),
    ]
    excluded = (
        pl.when(~pl.col("email_opt_in") & ~pl.col("sms_opt_in"))
        .then(pl.lit("No marketing consent"))
        .when(pl.col("age") < 18)
        .then(pl.lit("Minor"))
    )
    frame = lets.select(
        "customer_id",
        excluded.alias("excluded"),
        logistic(m).alias("risk"),
        *[e.cast(pl.Float32).cast(pl.Float64).alias(f"g{j}") for j, e in enumerate(gbm_features)],
        *keys,
        pl.sum_horizontal(negatives).alias("negative"),
    ).collect(engine="streaming")
    # The trees run on the collected frame: the same expression over the scan gave wrong
    # values on some row groups (Polars 2.1.0; docs/performance.md).
    scored = (
        frame.lazy()
        .select(
            boosting(m).alias("churn"),
            (pl.sum_horizontal([pl.col(k) // 128 for k in key_names]) + pl.col("negative")).alias(
                "points"
            ),
            pl.col("risk"),
        )
        .collect(engine="streaming")
    )
    chosen = top3([frame[k].to_numpy() for k in key_names])
    kept = frame["excluded"].is_null().to_numpy()
    churn, points, risk = (scored[c].to_numpy() for c in ("churn", "points", "risk"))
    score = np.where(kept, np.clip(BASE + points + 250 * churn - 60 * risk, 0, 1000), np.nan)
    s = pl.Series("score", score, nan_to_null=True)
    # classes: NTILE(10) over the scored rows ranked by score descending, key ascending
    order = ranking(score, frame["customer_id"])
    q, r = divmod(int(kept.sum()), 10)
    pos = np.arange(len(order))
    big = r * (q + 1)
    cls = np.empty(len(order), dtype=np.float64)
    cls[order] = np.where(pos < big, pos // (q + 1) + 1, r + (pos - big) // max(q, 1) + 1)
    cls[~kept] = np.nan
    # reasons: key -> file position -> name; 128 is "none"
    table: list[str | None] = [None] * 129
    for name, key in zip(names, key_names, strict=True):
        table[int(key[1:])] = name  # key column "k<position>"
    lookup = pl.Series(table, dtype=pl.String)
    reason_cols = {
        f"reason_{i + 1}": lookup.gather(
            pl.Series(np.where((c > 0) & kept, 127 - (c & 127), 128).astype(np.uint32))
        )
        for i, c in enumerate(chosen)
    }
    segment = pl.select(
        pl.when(s >= 640).then(pl.lit("high")).when(s >= 560).then(pl.lit("medium"))
        .when(s.is_not_null()).then(pl.lit("low"))
    ).to_series()  # fmt: skip
    pl.DataFrame(
        {
            "customer_id": frame["customer_id"],
            "score": s,
            "segment": segment,
            "class": pl.Series(cls, nan_to_null=True).cast(pl.Int64),
            **reason_cols,
            "excluded": frame["excluded"],
        }
    ).write_parquet(out)


if __name__ == "__main__":
    if sys.argv[1:] == ["prepare"]:
        prepare()
    else:
        main(sys.argv[1], sys.argv[2])
