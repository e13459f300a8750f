"""Helpers of the playground tests: an app behind a fixed address, and WebSocket message helpers."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    # Starlette warns at import that it prefers httpx2 over httpx; nothing here depends on it.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from descenso.playground.server import create_app

BASE = "http://127.0.0.1:8765"
ORIGIN = {"origin": BASE}
WS = "ws://127.0.0.1:8765/ws"

#: The browser tests drive Debian's Chromium (a test tool cannot download its own browser here).
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "playground"


def make_client(*, with_token: bool = True, **options: Any) -> TestClient:
    """A client for a fresh app, reached at BASE (so Host is 127.0.0.1:8765).

    It sends the app's session token on every request and handshake, as the page does, unless
    ``with_token`` is False.
    """
    app = create_app(**options)
    headers = {"x-descenso-token": app.state.token} if with_token else {}
    return TestClient(app, base_url=BASE, headers=headers)


def receive(socket: Any, kind: str, limit: int = 200) -> dict[str, Any]:
    """Read messages until one of type ``kind`` arrives; fail on an error message of another kind."""
    for _ in range(limit):
        message = json.loads(socket.receive_text())
        if message["type"] == kind:
            return message
        assert message["type"] != "error" or kind == "error", message
    raise AssertionError(f"no {kind!r} message in {limit} messages")


def configure(socket: Any, **config: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Send a config; return the data message and the first snapshot."""
    socket.send_text(json.dumps({"type": "config", "config": config}))
    data = receive(socket, "data")
    return data, receive(socket, "snapshot")
