"""Settings for the whole test suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.profiles  # noqa: F401  (registers the `ci` and `dev` Hypothesis profiles)


@pytest.fixture(autouse=True, scope="session")
def _private_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Compiled model expressions go to a folder of this test run, not the user's cache."""
    folder = tmp_path_factory.mktemp("model-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCORECARD_CACHE_DIR", str(folder))
        yield folder


SLOW_FIXTURES = frozenset({"pg", "spark"})
"""Tests that need a PostgreSQL server or a Spark session are slow by nature."""

SLOW_MODULES = frozenset(
    {
        "tests.evaluate.test_evaluate_report_render",  # headless Chromium
        "tests.profile.test_profile_render",  # headless Chromium
        "tests.profile.test_lookalike_cli",  # whole processes fitting cards, and Chromium
        "tests.polars.test_big_cards",
        "tests.sql.test_large_cards",
        "tests.sql.test_card_text_property",
        "tests.models.test_warm_cache",  # whole processes, cold and warm
        "tests.cli.test_progress",  # whole processes on a pseudo-terminal
        "tests.cli.test_progress_commands",  # the same, for every command
        "tests.dbt.test_dbt_project",  # dbt in processes of its own, over real databases
        "tests.sql.test_hist_text_categories",  # a boosting trained per way of coding text
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow tests, so the fast loop is `pytest -m "not slow" --hypothesis-profile dev`."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        module = getattr(getattr(item, "module", None), "__name__", "")
        if (
            fixtures & SLOW_FIXTURES
            or item.get_closest_marker("postgres") is not None
            or item.get_closest_marker("spark") is not None
            or module in SLOW_MODULES
        ):
            item.add_marker(pytest.mark.slow)
