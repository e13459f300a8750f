"""Fixtures of the playground tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pg_helpers import make_client


@pytest.fixture
def client() -> Iterator[Any]:
    """A TestClient of a fresh app, at http://127.0.0.1:8765."""
    with make_client() as test_client:
        yield test_client
