"""The library's messages in Spanish: every stop reason, divergence and refusal the page can show."""

from __future__ import annotations

import json
import re

import pytest

from descenso.playground.messages import translate
from descenso.playground.protocol import Config, ProtocolError, parse_message
from descenso.playground.session import Session

ENGLISH = re.compile(
    r"\b(the|epochs?|reached|restored|kept|weights|Input|should|loss|grew|became|message|send|got|unknown|"
    r"choose|dataset|required|permitted)\b"
)


def run_until_paused(config: Config, steps: int = 20_000) -> Session:
    session = Session(config)
    for _ in range(steps):
        if session.step():
            return session
    raise AssertionError(f"no stop or divergence in {steps} steps")


def small(**changes: object) -> Config:
    return Config.model_validate({"task": "regression", "dataset": "plane", "points": 40, "layers": [],
                                  "batch_size": 8, **changes})  # fmt: skip


RUNS = {
    "max_epochs": small(stop={"max_epochs": 2}),
    "target_loss": small(stop={"target_loss": 1e5}),
    "early_stopping": small(optimizer="adam", lr=3.0, stop={"patience": 1}),
    "exploded_at_once": small(optimizer="sgd", lr=1e4),
    "exploded_later": small(optimizer="sgd", lr=1.2, batch_size=5000),
}


@pytest.mark.parametrize("name", list(RUNS))
def test_every_stop_and_divergence_reason_reads_in_spanish(name: str) -> None:
    session = run_until_paused(RUNS[name])
    assert session.reason
    text = translate(session.reason)
    assert text["en"] == session.reason
    assert not ENGLISH.search(text["es"]), text
    assert re.findall(r"\d+", text["es"]) == re.findall(r"\d+", text["en"])  # the same numbers, in order


def test_non_finite_losses_and_weights_read_in_spanish() -> None:
    from descenso.nn import Linear
    from descenso.stopping import DivergenceError, check_finite_weights

    model = Linear(1, 1, rng=0)
    model.weight.data[...] = float("inf")
    with pytest.raises(DivergenceError) as weights:
        check_finite_weights(model, 4, 10.0)
    loss = DivergenceError("the loss became NaN", 3, 10.0)
    loss.restored = "kept the weights from before that step"
    for error in (weights.value, loss):
        text = translate(error.summary)
        assert not ENGLISH.search(text["es"]), text
    assert translate(str(weights.value))["es"] == (
        "los pesos 'weight' se volvieron inf en la época 4 (lr=10.0); "
        "prueba una tasa de aprendizaje menor, p. ej. lr=1.0"
    )


BAD_MESSAGES = [
    "x" * 20_000,
    "{not json",
    '{"type": "dance"}',
    '{"type": "preset", "name": "nope"}',
    '{"type": "config", "config": {"layers": [{"neurons": 99}]}}',
    '{"type": "config", "config": {"lr": 0}}',
    '{"type": "config", "config": {"points": "many"}}',
    '{"type": "config", "config": {"learning_rate": 0.1}}',
    '{"type": "config", "config": {"optimizer": "lbfgs"}}',
    '{"type": "config", "config": {"features": ["x1", "x1"]}}',
    '{"type": "config", "config": {"task": "regression", "dataset": "circles"}}',
    '{"type": "config", "config": {"features": []}}',
    '{"type": "load_model", "token": "short"}',
    '{"type": "set"}',
]


@pytest.mark.parametrize("raw", BAD_MESSAGES)
def test_every_refusal_of_the_protocol_reads_in_spanish(raw: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_message(raw)
    text = translate(str(caught.value))
    said = re.sub(r"\(se recibió .*\)$", "", text["es"])  # what was received is quoted as it came
    assert not ENGLISH.search(said), text


def test_an_unknown_clause_stays_in_english_and_known_ones_around_it_are_translated() -> None:
    text = translate("something new happened; kept the weights from before that step")["es"]
    assert text == "something new happened; se conservaron los pesos de antes de ese paso"


def test_the_server_sends_both_languages(client: object) -> None:
    from pg_helpers import ORIGIN, WS, configure, receive

    with client.websocket_connect(WS, headers=ORIGIN) as socket:  # type: ignore[attr-defined]
        configure(socket, task="regression", dataset="plane", points=40, layers=[], stop={"max_epochs": 1})
        socket.send_text(json.dumps({"type": "play"}))
        status = receive(socket, "status")
        socket.send_text(json.dumps({"type": "config", "config": {"lr": -1}}))
        error = receive(socket, "error")
    assert status["text"]["es"].startswith("se alcanzó el máximo de 1 épocas")
    assert error["text"] == {"en": error["message"], "es": "config.lr: debe ser mayor que 0 (se recibió -1)"}
