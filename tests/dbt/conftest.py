"""The dbt tests use the SQL tests' PostgreSQL server."""

from tests.sql.conftest import pg_url  # noqa: F401  (a fixture, found by name)
