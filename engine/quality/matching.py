"""Likely duplicate customers: probabilistic record linkage with splink on DuckDB.

Exact and normalised duplicate keys (`engine.quality.keys`) catch one customer entered twice
under one key; the same person under two keys (a typo in the name, first and last name
swapped, an accent dropped, a new customer number) is found by comparing the columns the user
names with `--match`. Writing fuzzy matching by hand would get the hard parts wrong (how much
an agreement on a rare name weighs against one on a common zip code), so this is splink's
Fellegi-Sunter model, trained without labels on the table itself:

- each text value is trimmed, lower-cased, its accents removed (NFKD, combining marks
  dropped) and its inner white space collapsed; a text column whose every value reads as a
  date (`YYYY-MM-DD`) is compared as a date;
- a first-name and a last-name column, recognised by their names (`first_name`, `prenom`,
  `last_name`, `nom`, ...), are compared together, swaps included (splink's
  `ForenameSurnameComparison`); a date by `DateOfBirthComparison`; a column of digits (a zip
  code, a phone number) by Levenshtein distance 1 and 2; other text by Jaro-Winkler
  similarity 0.92 and 0.8;
- only the pairs of rows that agree exactly on at least two of the columns (on the one
  column, when one is named) are compared ("blocking"), so the work grows with the table,
  not with its square;
- the share of true matches is estimated from the pairs that agree on every column (taken as
  70% of them), the non-match agreement rates from 1,000,000 random pairs (seed 1), and the
  match agreement rates by expectation maximisation on pairs blocked on the first half of the
  columns, then on the second half;
- pairs at or above `threshold` (0.9 by default) are reported, and grouped into clusters by
  connected components.
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import polars as pl

from engine.backends.polars.validate import ROW_INDEX, cast_column
from engine.check.suggest import closest
from engine.diagnostics import ScorecardError, error
from engine.program import Program
from engine.quality.figures import MatchCluster, Matching, MatchPair

FIRST_NAMES = {"first_name", "firstname", "forename", "given_name", "prenom", "prénom"}
LAST_NAMES = {"last_name", "lastname", "surname", "family_name", "nom", "nom_de_famille"}
U_PAIRS = 1_000_000
EM_RECORDS = 200_000
"""Rows sampled for each expectation-maximisation session (all of them, up to this)."""
RECALL = 0.7
METHOD = "splink (Fellegi-Sunter) on DuckDB"


def find_matches(
    frame: pl.LazyFrame, program: Program, columns: list[str], threshold: float, data: str
) -> Matching:
    """Pairs and clusters of rows that are likely one customer, on `columns`."""
    schema = frame.collect_schema()
    missing = [c for c in columns if c not in schema]
    if missing:
        raise ScorecardError([_no_column(c, list(schema), data) for c in missing])
    splink = _import_splink()
    table, kinds = _prepared(frame, program, columns)
    try:
        with _quiet():
            pairs, compared, clusters = _link(splink, table, kinds, threshold)
    except ScorecardError:
        raise
    except Exception as exc:  # splink reports degenerate data (no pairs to learn from) this way
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ScorecardError(
            [
                error(
                    "E1302",
                    f"{data}: the record linkage on {', '.join(columns)} could not run: {reason}",
                    None,
                    "name columns that most rows fill in, and that tell customers apart",
                )
            ]
        ) from None
    keys = dict(zip(table["unique_id"].to_list(), table["__key"].to_list(), strict=True))
    settings: dict[str, object] = {"comparisons": kinds, "recall": RECALL, "u_pairs": U_PAIRS}
    return Matching(
        columns,
        METHOD,
        threshold,
        compared,
        [MatchPair(_shown(keys, a), _shown(keys, b), p, a, b) for a, b, p in pairs],
        [MatchCluster([_shown(keys, r) for r in rows]) for rows in clusters],
        settings,
    )


def _shown(keys: dict[int, str | None], row: int) -> str:
    key = keys.get(row)
    return key if key is not None else f"row {row}"


def _no_column(column: str, present: Sequence[str], data: str) -> Any:
    close = closest(column, present)
    notes = [f"did you mean {close!r}?"] if close is not None else []
    return error("E1300", f"--match {column!r}: {data} has no such column", None, *notes)


def _import_splink() -> Any:
    try:
        import splink
    except ImportError:
        raise ScorecardError(
            [
                error(
                    "E1301",
                    "--match needs splink, which is not installed",
                    None,
                    "pip install 'scorecard-engine[quality]'",
                )
            ]
        ) from None
    return splink


def role(column: str) -> str | None:
    """'first' or 'last' for a column named like a first or last name, else None."""
    name = re.sub(r"[\s-]+", "_", column.strip().lower())
    if name in FIRST_NAMES:
        return "first"
    if name in LAST_NAMES:
        return "last"
    return None


def _clean_text(expr: pl.Expr) -> pl.Expr:
    return (
        expr.cast(pl.String)
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .replace("", None)
    )


def _prepared(
    frame: pl.LazyFrame, program: Program, columns: list[str]
) -> tuple[pl.DataFrame, dict[str, str]]:
    """The rows numbered from 1 (splink's unique_id), the key, and each column cleaned; with
    the kind of comparison each column gets."""
    schema = frame.collect_schema()
    declared = {c.name: c for c in program.inputs}
    exprs: list[pl.Expr] = []
    for name in columns:
        if name in declared:
            c = declared[name]
            exprs.append(cast_column(name, schema[name], c.type).alias(name))
        else:
            exprs.append(pl.col(name))
    key = program.key
    table = (
        frame.with_row_index(ROW_INDEX, offset=1)
        .select(
            pl.col(ROW_INDEX).cast(pl.Int64).alias("unique_id"),
            cast_column(key.name, schema[key.name], key.type).cast(pl.String).alias("__key"),
            *exprs,
        )
        .collect()
    )
    kinds: dict[str, str] = {}
    cleaned: list[pl.Expr | pl.Series] = []
    for name in columns:
        dtype = table.schema[name]
        as_date = _as_date(table[name])
        if dtype == pl.Date or isinstance(dtype, pl.Datetime) or as_date is not None:
            kinds[name] = "date"
            cleaned.append(
                (as_date if as_date is not None else table[name].cast(pl.Date)).alias(name)
            )
            continue
        text = _clean_text(pl.col(name))
        cleaned.append(text.alias(name))
        digits = table.select(text.str.contains(r"^[0-9 ]+$").all(ignore_nulls=True)).item()
        kinds[name] = role(name) or ("digits" if digits and dtype != pl.Boolean else "text")
    return table.with_columns(cleaned), kinds


def _as_date(values: pl.Series) -> pl.Series | None:
    """The column as dates when every present value is text of the form YYYY-MM-DD."""
    if values.dtype != pl.String or values.null_count() == len(values):
        return None
    parsed = values.str.strip_chars().str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    return parsed if parsed.null_count() == values.null_count() else None


def _comparisons(splink: Any, kinds: dict[str, str]) -> list[Any]:
    import splink.comparison_library as cl

    out: list[Any] = []
    first = [c for c, k in kinds.items() if k == "first"]
    last = [c for c, k in kinds.items() if k == "last"]
    paired = set()
    if len(first) == 1 and len(last) == 1:
        out.append(cl.ForenameSurnameComparison(first[0], last[0]))
        paired = {first[0], last[0]}
    for name, kind in kinds.items():
        if name in paired:
            continue
        if kind == "date":
            out.append(cl.DateOfBirthComparison(name, input_is_string=False))
        elif kind == "digits":
            out.append(cl.LevenshteinAtThresholds(name, [1, 2]))
        else:
            out.append(cl.JaroWinklerAtThresholds(name, [0.92, 0.8]))
    return out


def _blocking(splink: Any, columns: list[str]) -> list[Any]:
    if len(columns) == 1:
        return [splink.block_on(columns[0])]
    return [splink.block_on(a, b) for i, a in enumerate(columns) for b in columns[i + 1 :]]


def _link(
    splink: Any, table: pl.DataFrame, kinds: dict[str, str], threshold: float
) -> tuple[list[tuple[int, int, float]], int, list[list[int]]]:
    """Train the model on the table, score the blocked pairs, cluster those at the threshold."""
    columns = list(kinds)
    import duckdb

    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")  # nothing on the user's terminal
    db = splink.DuckDBAPI(connection)
    data = db.register(table.drop("__key").to_arrow())
    settings = splink.SettingsCreator(
        link_type="dedupe_only",
        comparisons=_comparisons(splink, kinds),
        blocking_rules_to_generate_predictions=_blocking(splink, columns),
        retain_intermediate_calculation_columns=False,
    )
    linker = splink.Linker(data, settings, log_level=None)
    training = linker.training
    with contextlib.suppress(Exception):  # no row agrees on every column: the default prior
        training.estimate_probability_two_random_records_match(
            [splink.block_on(*columns)], recall=RECALL
        )
    training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=1)
    share = min(1.0, EM_RECORDS / max(1, table.height))
    half = max(1, len(columns) // 2)
    for block in (columns[:half], columns[half:]):
        if block and len(columns) > 1:
            with contextlib.suppress(Exception):  # too few pairs to learn from: u and defaults
                training.estimate_parameters_using_expectation_maximisation(
                    splink.block_on(*block), record_sample_proportion=share
                )
    predictions = linker.inference.predict()
    scored = _frame(predictions)
    compared = scored.height
    kept = scored.filter(pl.col("match_probability") >= threshold).sort(
        ["match_probability", "unique_id_l", "unique_id_r"], descending=[True, False, False]
    )
    pairs = [
        (int(min(a, b)), int(max(a, b)), float(p))
        for a, b, p in kept.select("unique_id_l", "unique_id_r", "match_probability").iter_rows()
    ]
    clustered = _frame(
        linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold
        )
    )
    groups = (
        clustered.group_by("cluster_id")
        .agg(pl.col("unique_id").sort().alias("rows"), pl.len().alias("n"))
        .filter(pl.col("n") > 1)
        .with_columns(pl.col("rows").list.first().alias("first"))
        .sort(["n", "first"], descending=[True, False])
    )
    return pairs, compared, [[int(r) for r in rows] for rows in groups["rows"].to_list()]


def _frame(table: Any) -> pl.DataFrame:
    """A splink table as a Polars frame (through Arrow)."""
    frame = pl.from_arrow(table.as_pyarrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """splink's progress and warnings go to its logger: kept off the user's terminal."""
    logger = logging.getLogger("splink")
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.ERROR)
    logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
        logger.propagate = propagate
