"""The playground against misbehaving clients: no token, strict types, floods, pages that stop reading,
training errors, and the truth of the warning printed for a non-loopback --host."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import re
import socket
import threading
import time
from typing import Any

import pytest
from pg_helpers import BASE, ORIGIN, WS, configure, make_client, receive
from starlette.testclient import WebSocketDenialResponse

from descenso.playground import guard, live
from descenso.playground.protocol import ProtocolError, parse_message
from descenso.playground.ratelimit import RateLimit
from descenso.playground.server import exposure_warning, make_server
from descenso.playground.session import Session
from descenso.playground.uploads import UploadStore

SMALL = {"dataset": "circles", "points": 60, "features": ["x1", "x2"], "layers": [{"neurons": 2}]}
CSV = b"a,b,y\n" + b"".join(f"{i},{i % 7},{i % 2}\n".encode() for i in range(40))


# ---------------------------------------------------------------------- the session token


def test_the_page_carries_a_fresh_random_token() -> None:
    with make_client() as one, make_client() as two:
        pages = [client.get("/").text for client in (one, two)]
        tokens = [re.search(r'<meta name="descenso-token" content="([^"]+)">', page)[1] for page in pages]
        assert tokens == [one.app.state.token, two.app.state.token]
        assert tokens[0] != tokens[1] and len(tokens[0]) >= 40 and "__DESCENSO_TOKEN__" not in pages[0]


def test_the_api_needs_the_token() -> None:
    with make_client(with_token=False) as client:
        token = client.app.state.token
        headers = {**ORIGIN, "x-filename": "t.csv"}
        missing = client.post("/api/csv", content=CSV, headers=headers)
        wrong = client.post(
            "/api/csv", content=CSV, headers={**headers, "x-descenso-token": token[:-1] + "x"}
        )
        model = client.post("/api/model", content=b"x", headers=headers)
        assert (missing.status_code, wrong.status_code, model.status_code) == (403, 403, 403)
        assert "no session token" in missing.json()["error"] and "token is wrong" in wrong.json()["error"]
        good = client.post("/api/csv", content=CSV, headers={**headers, "x-descenso-token": token})
        assert good.status_code == 200 and good.json()["rows"] == 40
        assert client.get("/").status_code == 200  # the page itself is how the token is learnt


@pytest.mark.parametrize("token", [None, "wrong"])
def test_the_websocket_needs_the_token(token: str | None) -> None:
    with make_client(with_token=False) as client:
        url = WS if token is None else f"{WS}?token={token}"
        with pytest.raises(WebSocketDenialResponse) as refused:
            with client.websocket_connect(url, headers=ORIGIN) as ws:
                ws.receive_text()
        assert refused.value.status_code == 403
        assert ("no session token" if token is None else "token is wrong") in refused.value.json()["error"]
        assert client.app.state.sessions == {}
        with client.websocket_connect(f"{WS}?token={client.app.state.token}", headers=ORIGIN) as ws:
            configure(ws, **SMALL)  # as the page connects: the token in the query


def test_tokens_are_compared_in_constant_time(monkeypatch) -> None:
    calls = []

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return a == b

    monkeypatch.setattr(guard.hmac, "compare_digest", spy)
    with make_client() as client:
        assert client.post("/api/csv", content=CSV, headers=ORIGIN).status_code == 200
        assert calls == [(client.app.state.token.encode(), client.app.state.token.encode())]


# ---------------------------------------------------------------------- strict types


NUMBER, INTEGER = "Input should be a valid number", "Input should be a valid integer"


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"type": "set", "settings": {"lr": "0.1"}}, f"settings.lr: {NUMBER}"),
        ({"type": "set", "settings": {"lr": True}}, f"settings.lr: {NUMBER}"),
        ({"type": "set", "settings": {"batch_size": True}}, f"settings.batch_size: {INTEGER}"),
        ({"type": "set", "settings": {"batch_size": "4"}}, f"settings.batch_size: {INTEGER}"),
        ({"type": "set", "settings": {"stop": {"patience": False}}}, f"settings.stop.patience: {INTEGER}"),
        ({"type": "config", "config": {"noise": False}}, f"config.noise: {NUMBER}"),
        ({"type": "config", "config": {"points": "400"}}, f"config.points: {INTEGER}"),
        ({"type": "config", "config": {"layers": [{"neurons": True}]}}, f"config.layers.0.neurons: {INTEGER}"),  # noqa: E501
    ],
)  # fmt: skip
def test_strings_and_booleans_are_not_numbers(message: dict, field: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        parse_message(json.dumps(message))
    assert str(refused.value).startswith(field)


def test_numbers_still_pass_and_ints_serve_as_floats() -> None:
    assert parse_message('{"type": "set", "settings": {"lr": 1, "batch_size": 8}}').settings.lr == 1.0
    config = parse_message(json.dumps({"type": "config", "config": {"noise": 0, "layers": [{"neurons": 3}]}}))
    assert config.config.noise == 0.0 and config.config.layers[0].neurons == 3


# ---------------------------------------------------------------------- floods


def test_a_flood_is_dropped_with_one_notice_and_the_session_goes_on() -> None:
    now = [0.0]
    with make_client(rate=lambda: RateLimit(per_second=5, burst=10, clock=lambda: now[0])) as client:
        with client.websocket_connect(WS, headers=ORIGIN) as ws:
            configure(ws, **SMALL)  # one message of the ten
            for i in range(300):
                ws.send_text(json.dumps({"type": "set", "settings": {"lr": 0.001 * (i + 1)}}))
            notice = receive(ws, "error")
            assert notice["message"].startswith("too many messages: a tab may send 5 a second (bursts of 10)")
            assert notice["text"]["es"] == (
                "demasiados mensajes: una pestaña puede enviar 5 por segundo (ráfagas de 10); "
                "los demás se descartan hasta que baje el ritmo"
            )
            now[0] = 10.0  # quiet for a while: the bucket is full again
            ws.send_text('{"type": "step"}')
            errors = []
            while (message := json.loads(ws.receive_text()))["type"] != "snapshot":
                errors.append(message)
            assert errors == []  # one notice for the whole flood
            (session,) = client.app.state.sessions.values()
            assert session.rate.dropped == 300 - 9
            assert session.session.config.lr == pytest.approx(0.009)  # the last one let through


# ---------------------------------------------------------------------- pages that stop reading


class SilentPage:
    """A WebSocket whose page neither reads nor writes: every send and receive waits forever."""

    def __init__(self) -> None:
        self.closed_with: int | None = None

    async def send_text(self, text: str) -> None:
        await asyncio.Event().wait()

    async def receive_text(self) -> str:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed_with = code


def test_a_send_that_never_finishes_hangs_up_and_ends_the_session() -> None:
    async def scenario() -> tuple[Any, Any]:
        page = SilentPage()
        tab = live.LiveSession(page, UploadStore(2), send_timeout=0.2)
        reader = asyncio.create_task(tab.run())
        await asyncio.sleep(0)
        with pytest.raises(live.ClosedError, match=r"read nothing for 0\.2 s"):
            await tab.send({"type": "snapshot"})  # as the play loop does
        await asyncio.wait_for(reader, 5)  # the reading loop ends by itself: the slot is freed
        return page, reader

    page, reader = asyncio.run(scenario())
    assert reader.result() is None and page.closed_with == 1008


def _handshake(port: int, token: str) -> tuple[socket.socket, bytes]:
    """A raw WebSocket client with a tiny receive buffer (which will never read a frame), and the
    server's answer to its handshake."""
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    client.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    client.sendall(
        f"GET /ws?token={token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += client.recv(1)
    return client, answer


def _frame(text: str) -> bytes:
    payload, mask = text.encode(), os.urandom(4)
    assert len(payload) < 126
    return bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def test_on_a_real_server_a_bad_token_is_told_why_and_a_silent_client_loses_its_session(monkeypatch) -> None:
    monkeypatch.setattr(live, "SEND_TIMEOUT_SECONDS", 1.0)
    server, sock, _ = make_server("127.0.0.1", 0)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)  # accepted sockets inherit it
    app = server.config.app
    app_sessions = app.state.sessions
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    port = sock.getsockname()[1]
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        refused, answer = _handshake(port, "not-the-token")
        answer += refused.recv(1000)  # the body: a program is told why, not just "403"
        refused.close()
        assert answer.startswith(b"HTTP/1.1 403") and b"the session token is wrong" in answer, answer
        stuck, answer = _handshake(port, app.state.token)
        assert answer.startswith(b"HTTP/1.1 101"), answer
        stuck.sendall(_frame(json.dumps({"type": "config", "config": {"points": 2000}})))
        stuck.sendall(_frame('{"type": "play"}'))
        deadline = time.monotonic() + 60
        while not app_sessions:
            assert time.monotonic() < deadline, "the session never started"
            time.sleep(0.05)
        while app_sessions:  # snapshots pile up unread until a send times out
            assert time.monotonic() < deadline, "a client that reads nothing kept its session"
            time.sleep(0.1)
        stuck.close()
    finally:
        server.should_exit = True
        thread.join(10)


# ---------------------------------------------------------------------- training errors


def test_a_training_error_shows_a_request_id_and_logs_the_details(monkeypatch, caplog) -> None:
    def broken(self: Session, seconds: float) -> None:
        raise RuntimeError("cannot open /home/someone/secret/data.bin")

    monkeypatch.setattr(Session, "run_for", broken)
    with caplog.at_level(logging.ERROR, logger="descenso.playground"), make_client() as client:
        with client.websocket_connect(WS, headers=ORIGIN) as ws:
            configure(ws, **SMALL)
            ws.send_text('{"type": "play"}')
            error = receive(ws, "error")
            ws.send_text('{"type": "step"}')  # the session is still there to use
            receive(ws, "snapshot")
    found = re.fullmatch(
        r"training stopped: an internal error \(request id ([0-9a-f]{8})\); the server's log has the details",
        error["message"],
    )
    assert found, error["message"]
    assert "secret" not in json.dumps(error)
    assert error["text"]["es"] == (
        f"el entrenamiento se detuvo: un error interno (petición {found[1]}); "
        "los detalles están en el registro del servidor"
    )
    (record,) = [r for r in caplog.records if found[1] in r.getMessage()]
    assert "RuntimeError: cannot open /home/someone/secret/data.bin" in record.getMessage()
    assert record.exc_info is not None


def test_a_failing_request_is_answered_generically_and_the_session_goes_on(monkeypatch, caplog) -> None:
    def broken(self: Session, seed: int) -> None:
        raise OSError(5, "Input/output error", "/var/tmp/secret")

    monkeypatch.setattr(Session, "reinitialize", broken)
    with caplog.at_level(logging.ERROR, logger="descenso.playground"), make_client() as client:
        with client.websocket_connect(WS, headers=ORIGIN) as ws:
            configure(ws, **SMALL)
            ws.send_text('{"type": "reinit"}')
            error = receive(ws, "error")
            ws.send_text('{"type": "step"}')
            receive(ws, "snapshot")
    assert error["message"].startswith("this request failed: an internal error (request id ")
    assert "/var/tmp" not in json.dumps(error)
    assert any("/var/tmp/secret" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------------- the --host warning


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "::1", "[::1]", "localhost"])
def test_no_warning_for_loopback_addresses(host: str) -> None:
    assert exposure_warning(host, 8765) is None


@pytest.mark.parametrize(
    ("host", "where", "browsers"),
    [
        ("0.0.0.0", "every IPv4 interface", "a browser elsewhere is refused"),
        ("", "every IPv4 interface", "a browser elsewhere is refused"),
        ("::", "every IPv6 interface", "a browser elsewhere is refused"),
        ("192.168.1.20", "192.168.1.20, an address other machines may reach",
         "a browser elsewhere can open http://192.168.1.20:8765/"),
        ("fe80::1", "fe80::1, an address other machines may reach", "http://[fe80::1]:8765/"),
    ],
)  # fmt: skip
def test_the_warning_says_what_is_exposed_and_to_whom(host: str, where: str, browsers: str) -> None:
    warning = exposure_warning(host, 8765)
    assert warning is not None and where in warning and browsers in warning
    assert "port 8765" in warning and "upload CSV and model files (up to 2 MB each)" in warning
    assert "read its session token" in warning and "--host 127.0.0.1" in warning


def test_the_warning_is_true_a_forged_host_reads_the_token_of_a_wildcard_server() -> None:
    """What the warning claims for 0.0.0.0: a program (not a browser) can forge Host and get in."""
    with make_client(with_token=False) as client:
        page = client.get("/", headers={"host": "127.0.0.1:8765"})
        token = re.search(r'content="([^"]+)">', page.text.split("descenso-token", 1)[1])[1]
        answer = client.post("/api/csv", content=CSV, headers={**ORIGIN, "x-descenso-token": token})
        assert answer.status_code == 200
        assert client.get("/", headers={"host": "192.168.1.20:8765"}).status_code == 403
    assert BASE == "http://127.0.0.1:8765"


def test_the_url_printed_for_a_wildcard_is_a_loopback_name() -> None:
    for host, name in (("0.0.0.0", "http://127.0.0.1:"), ("::", "http://[::1]:")):
        try:
            _, sock, url = make_server(host, 0)
        except OSError:  # no IPv6 here
            continue
        sock.close()
        assert url.startswith(name)
