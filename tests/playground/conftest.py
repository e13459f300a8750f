"""Fixtures of the playground tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pg_helpers import make_client

from descenso.playground.server import make_server


@pytest.fixture
def client() -> Iterator[Any]:
    """A TestClient of a fresh app, at http://127.0.0.1:8765."""
    with make_client() as test_client:
        yield test_client


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Any, str]]:
    """A real uvicorn server on a free port, in a background thread."""
    uvicorn_server, sock, url = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uvicorn_server.started:
        assert time.monotonic() < deadline, "the playground server did not start within 10 s"
        time.sleep(0.05)
    yield uvicorn_server, url
    uvicorn_server.should_exit = True
    thread.join(timeout=10)
    sock.close()
