"""Spark SQL: generated cards and the full example card on a local Spark session, against the
Polars rows and the independent reference evaluator (needs pyspark and Java; runs in CI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings

from engine.api import load
from engine.backends.sql import compile_program
from engine.backends.sql.warehouse import dialect_of
from engine.check.source import check_source
from engine.diagnostics import ScorecardError
from tests.profiles import examples
from tests.reference_eval import reference_results
from tests.sql.cards import customers, full_card
from tests.sql.helpers import assert_same_rows, polars_rows
from tests.strategies import GeneratedCase, cards_with_data

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed")
pytestmark = pytest.mark.spark


def _register(spark: Any, frame: pl.DataFrame, name: str) -> None:
    # Through pandas (object columns keep None; NaN stays NaN in float columns).
    pdf = frame.to_pandas(use_pyarrow_extension_array=False)
    pdf = pdf.astype(object).where(pdf.notna(), None) if frame.height else pdf
    for col, dtype in frame.schema.items():
        if dtype == pl.Float64:  # keep NaN as NaN, not None: the card must null it
            pdf[col] = frame[col].to_list()
    schema = ", ".join(f"`{c}` {_SPARK_TYPES[type(t)]}" for c, t in frame.schema.items())
    spark.createDataFrame(pdf, schema=schema).createOrReplaceTempView(name)


_SPARK_TYPES: dict[type[pl.DataType], str] = {
    pl.Int64: "BIGINT",
    pl.Float64: "DOUBLE",
    pl.String: "STRING",
    pl.Boolean: "BOOLEAN",
    pl.Date: "DATE",
    pl.Datetime: "TIMESTAMP_NTZ",
}


def _run(spark: Any, sql: str) -> list[dict[str, Any]]:
    return [r.asDict() for r in spark.sql(sql.rstrip().rstrip(";")).collect()]


@settings(
    max_examples=examples(8),
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(case=cards_with_data(max_rows=12))
def test_generated_cards(spark: Any, case: GeneratedCase) -> None:
    result = check_source(case.text)
    assume(result.program is not None)
    assert result.program is not None
    program = result.program
    _register(spark, case.frame, "customers")
    got = _run(spark, compile_program(program, "spark", "customers"))
    key, columns = program.key.name, program.result_columns()
    want = reference_results(case.spec, case.rows)
    assert_same_rows(got, want, key, columns, context=f"spark vs reference\n{case.text}")
    assert_same_rows(
        got, polars_rows(program, case.frame), key, columns, context=f"spark\n{case.text}"
    )


def test_full_card(spark: Any, tmp_path: Path) -> None:
    card = load(full_card(tmp_path))
    program = card.sql_program()
    frame = customers()
    _register(spark, frame, "customers")
    got = _run(spark, card.to_sql("spark", "customers"))
    assert_same_rows(
        got,
        polars_rows(program, frame),
        program.key.name,
        program.result_columns(),
        context="spark full card",
    )


def _database(spark: Any, tmp_path: Path) -> str:
    """A database whose tables are written under tmp_path (not the working directory)."""
    location = (tmp_path / "warehouse").as_uri()
    spark.sql(f"CREATE DATABASE IF NOT EXISTS scorecard_tests LOCATION '{location}'")
    return "scorecard_tests"


def test_apply_in_spark(spark: Any, tmp_path: Path) -> None:
    """`apply --db spark:local[1]` writes the rows `apply` gives (same session reused)."""
    card = load(full_card(tmp_path))
    program = card.sql_program()
    frame = customers()
    _register(spark, frame, "customers")
    into = f"{_database(spark, tmp_path)}.scored"
    run = card.apply_in_db("spark:local[1]", "customers", into)
    assert (run.rows, run.dialect) == (frame.height, "spark")
    got = [r.asDict() for r in spark.table(into).collect()]
    assert_same_rows(
        got,
        polars_rows(program, frame),
        program.key.name,
        program.result_columns(),
        context="apply --db spark",
    )


def test_apply_in_spark_reports_bad_data(spark: Any, tmp_path: Path) -> None:
    card = load(full_card(tmp_path))
    frame = customers()
    _register(spark, pl.concat([frame, frame.head(1)]), "customers_twice")
    into = f"{_database(spark, tmp_path)}.scored_twice"
    with pytest.raises(ScorecardError) as info:
        card.apply_in_db("spark:local[1]", "customers_twice", into)
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.code == "E905"
    assert "is not unique" in diagnostic.message
    assert not spark.catalog.tableExists(into)


def test_spark_url_needs_a_master() -> None:
    with pytest.raises(ScorecardError) as info:
        dialect_of("mysql://x")
    assert info.value.diagnostics[0].code == "E904"
    assert dialect_of("spark:local[2]") == dialect_of("sc://localhost:15002") == "spark"
