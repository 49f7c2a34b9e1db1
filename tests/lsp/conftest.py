"""One `scorecard lsp` process per test module, driven over stdio by tests/lsp/client.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.lsp.client import Client


@pytest.fixture(scope="module")
def lsp() -> Iterator[Client]:
    client = Client()
    client.initialize()
    yield client
    client.close()
