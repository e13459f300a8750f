"""The message schema and the Host/Origin guard, without a server."""

from __future__ import annotations

import json

import pytest

from descenso.playground.guard import OriginGuard, allowed_hosts_for
from descenso.playground.protocol import (
    MAX_MESSAGE_BYTES,
    ConfigMessage,
    ControlMessage,
    ProtocolError,
    SetMessage,
    parse_message,
)


def config_message(**config: object) -> str:
    return json.dumps({"type": "config", "config": config})


def test_defaults_are_a_small_classification_run() -> None:
    message = parse_message(config_message())
    assert isinstance(message, ConfigMessage)
    config = message.config
    assert (config.task, config.dataset, config.features) == ("classification", "circles", ["x1", "x2"])
    assert [layer.neurons for layer in config.layers] == [4, 2]
    assert config.stop.max_epochs is None


def test_every_control_message_parses() -> None:
    for kind in ("play", "pause", "step", "reset", "reinit", "export"):
        message = parse_message(json.dumps({"type": kind}))
        assert isinstance(message, ControlMessage) and message.type == kind


def test_live_settings_keep_only_what_was_sent() -> None:
    message = parse_message('{"type": "set", "settings": {"lr": 0.3, "stop": {"max_epochs": 50}}}')
    assert isinstance(message, SetMessage)
    assert message.settings.lr == 0.3 and message.settings.batch_size is None
    assert message.settings.stop is not None and message.settings.stop.max_epochs == 50


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"layers": [{"neurons": 17}]}, "config.layers.0.neurons: Input should be less than or equal to 16"),
        ({"layers": [{"neurons": 2}] * 7}, "config.layers: List should have at most 6 items"),
        ({"points": 2001}, "config.points: Input should be less than or equal to 2000"),
        ({"points": 5}, "config.points: Input should be greater than or equal to 20"),
        ({"lr": 0}, "config.lr: Input should be greater than 0"),
        ({"lr": 1e5}, "config.lr: Input should be less than or equal to 10000"),
        ({"test_ratio": 0.95}, "config.test_ratio"),
        ({"features": []}, "config.features: List should have at least 1 item"),
        ({"features": ["r", "r"]}, "each input feature may be chosen once"),
        ({"features": ["x3"]}, "config.features.0: Input should be 'x1'"),
        ({"layers": [{"neurons": 2, "activation": "swish"}]}, "config.layers.0.activation"),
        ({"optimizer": "lbfgs"}, "config.optimizer"),
        ({"dataset": "sine"}, "dataset 'sine' is not a classification dataset"),
        ({"task": "regression", "dataset": "circles"}, "dataset 'circles' is not a regression dataset"),
        ({"dataset": "csv"}, "dataset 'csv' needs the 'csv' field: upload a file first"),
        ({"lr": "fast"}, "config.lr: Input should be a valid number"),
        ({"colour": "red"}, "config.colour: Extra inputs are not permitted"),
        (
            {"csv": {"token": "../../etc", "x1": "a", "x2": "b", "target": "y"}, "dataset": "csv"},
            "config.csv.token",
        ),
    ],
)
def test_bad_settings_are_refused_with_the_field_and_the_limit(config: dict[str, object], words: str) -> None:
    with pytest.raises(ProtocolError) as error:
        parse_message(config_message(**config))
    assert words in str(error.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("not json", "message is not valid JSON"),
        ("[1, 2]", "unknown message type 'list'"),
        ('{"type": "launch"}', "unknown message type 'launch'"),
        ('{"type": "play", "now": true}', "now: Extra inputs are not permitted (got true)"),
        ('{"type": "set", "settings": {"lr": -1}}', "settings.lr: Input should be greater than 0"),
        ('{"type": "load_model", "token": "x"}', "token: String should have at least 8 characters"),
    ],
)
def test_bad_messages_are_refused(text: str, words: str) -> None:
    with pytest.raises(ProtocolError) as error:
        parse_message(text)
    assert words in str(error.value)


def test_a_message_over_the_size_limit_is_refused_before_parsing() -> None:
    text = config_message(dataset="circles" + " " * MAX_MESSAGE_BYTES)
    with pytest.raises(ProtocolError, match=f"the limit is {MAX_MESSAGE_BYTES} bytes"):
        parse_message(text)


# ---------------------------------------------------------------------- the guard


def scope(kind: str = "http", method: str = "GET", host: str | None = "127.0.0.1:8765",
          origin: str | None = None) -> dict[str, object]:  # fmt: skip
    headers = [(b"host", host.encode())] if host is not None else []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {"type": kind, "method": method, "headers": headers, "server": ("127.0.0.1", 8765)}


def test_allowed_hosts_are_the_loopback_names_with_the_bound_port() -> None:
    assert allowed_hosts_for({"server": ("127.0.0.1", 5000)}) == {
        "127.0.0.1:5000",
        "localhost:5000",
        "[::1]:5000",
    }
    assert "10.0.0.5:80" in allowed_hosts_for({"server": ("10.0.0.5", 80)})
    assert allowed_hosts_for({"server": ("0.0.0.0", 80)}) == {"127.0.0.1:80", "localhost:80", "[::1]:80"}


@pytest.mark.parametrize(
    ("request_scope", "refused"),
    [
        (scope(), False),
        (scope(host="localhost:8765"), False),
        (scope(host="LOCALHOST:8765"), False),
        (scope(host="evil.example:8765"), True),  # DNS rebinding: a foreign name for our address
        (scope(host="127.0.0.1:9999"), True),
        (scope(host="127.0.0.1"), True),
        (scope(host=None), True),
        (scope(method="POST", origin="http://127.0.0.1:8765"), False),
        (scope(method="POST", origin="http://evil.example"), True),  # cross-site request forgery
        (scope(method="POST"), True),  # no Origin on a state-changing request
        (scope(method="POST", host="localhost:8765", origin="http://127.0.0.1:8765"), True),
        (scope(kind="websocket", origin="http://127.0.0.1:8765"), False),
        (scope(kind="websocket", origin="http://evil.example"), True),
        (scope(kind="websocket"), True),
        (scope(method="GET", origin="http://evil.example"), False),  # reading the page is harmless
    ],
)
def test_the_guard_refuses_foreign_hosts_and_origins(request_scope: dict[str, object], refused: bool) -> None:
    guard = OriginGuard(app=None)  # type: ignore[arg-type]
    reason = guard.refusal(request_scope)
    assert (reason is not None) == refused, reason
    if refused:
        assert reason.startswith("refused: ")
