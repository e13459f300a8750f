"""The landscape panel's numbers: the exact surface of a two-parameter run, and the path it took."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from pg_helpers import ORIGIN, WS, configure

from descenso.playground.presets import PRESETS
from descenso.playground.protocol import Config
from descenso.playground.session import Session
from descenso.playground.snapshot import data_message, snapshot_message


def line_session(**changes: Any) -> Session:
    return Session(Config.model_validate({**PRESETS["gradient-descent"].config, **changes}))


def test_the_surface_at_the_optimum_equals_the_least_squares_objective() -> None:
    session = line_session()
    scape = data_message(session)["landscape"]
    z, y = session.Z_train[:, 0].astype(np.float64), session.data.y_train.astype(np.float64)
    A = np.column_stack([z, np.ones_like(z)])
    solution, *_ = np.linalg.lstsq(A, y, rcond=None)
    least_squares = float(np.mean((A @ solution - y) ** 2))
    assert scape["loss"] == "mse"
    np.testing.assert_allclose(scape["minimum"], solution, rtol=1e-9, atol=1e-12)
    assert scape["minimum_value"] == pytest.approx(least_squares, rel=1e-12)
    values = np.array(scape["values"])
    assert values.shape == (len(scape["b"]), len(scape["w"])) == (41, 41)
    for i, j in [(0, 0), (20, 20), (7, 33), (40, 3)]:  # values[i][j] is J(w[j], b[i])
        w, b = scape["w"][j], scape["b"][i]
        assert values[i, j] == pytest.approx(np.mean((w * z + b - y) ** 2), rel=1e-5)
    assert values.min() >= least_squares * (1 - 1e-9)  # nothing on the grid is below the minimum
    assert values[20, 20] == pytest.approx(least_squares, rel=1e-5)  # the grid is centred on it
    for line in scape["contours"]:  # each contour line lies on its level (up to the grid's interpolation)
        points = np.array(line["points"])
        on_line = np.mean((np.multiply.outer(points[:, 0], z) + points[:, 1:2] - y) ** 2, axis=1)
        np.testing.assert_allclose(on_line, line["level"], rtol=0.03)
    levels = sorted({line["level"] for line in scape["contours"]})
    assert len(levels) >= 10 and levels[0] > least_squares


def test_the_path_starts_at_the_initial_weights_and_ends_at_the_minimum() -> None:
    session = line_session()
    scape = data_message(session)["landscape"]
    weight, bias = (p.data.reshape(-1)[0] for p in session.model.parameters())
    assert scape["start"] == pytest.approx([weight, bias])
    for _ in range(100):  # full batch: one step per epoch
        session.step()
    path = snapshot_message(session)["path"]
    assert len(path) == 101 and path[0] == pytest.approx(scape["start"], abs=1e-6)
    np.testing.assert_allclose(path[-1], scape["minimum"], atol=1e-4)
    distances = np.linalg.norm(np.array(path) - scape["minimum"], axis=1)
    assert np.all(np.diff(distances) <= 1e-6)  # lr 0.3 < 1/L: straight downhill, no overshoot
    session.reset()
    assert snapshot_message(session)["path"] == [pytest.approx(scape["start"], abs=1e-6)]


def test_logistic_regression_on_one_feature_has_its_exact_minimum_where_the_gradient_vanishes() -> None:
    session = Session(Config(task="classification", dataset="moons", noise=0.3, features=["x1"], layers=[]))
    scape = data_message(session)["landscape"]
    assert scape["loss"] == "bce_with_logits"
    z, y = session.Z_train[:, 0].astype(np.float64), session.data.y_train.astype(np.float64)
    w, b = scape["minimum"]
    p = 1 / (1 + np.exp(-(w * z + b)))
    np.testing.assert_allclose([np.mean((p - y) * z), np.mean(p - y)], [0, 0], atol=1e-9)
    assert scape["minimum_value"] == pytest.approx(np.mean(np.logaddexp(0, w * z + b) - y * (w * z + b)))


def test_separable_classes_have_no_finite_minimum_to_mark() -> None:
    session = Session(Config(task="classification", dataset="blobs", noise=0.0, features=["x1"], layers=[]))
    z, y = session.Z_train[:, 0], session.data.y_train
    assert z[y == 0].max() < z[y == 1].min() or z[y == 1].max() < z[y == 0].min()  # separable on x1
    scape = data_message(session)["landscape"]
    assert scape["minimum"] is None and len(scape["contours"]) > 0


@pytest.mark.parametrize(
    "changes",
    [{"layers": [{"neurons": 2}]}, {"features": ["x1", "x2"]}],
    ids=["hidden layer", "two features"],
)
def test_other_models_have_no_landscape(changes: dict[str, Any]) -> None:
    session = line_session(**changes)
    assert data_message(session)["landscape"] is None
    session.step()
    assert snapshot_message(session)["path"] is None


def test_the_server_sends_the_surface_and_the_path(client: Any) -> None:
    with client.websocket_connect(WS, headers=ORIGIN) as socket:
        data, snapshot = configure(socket, **PRESETS["gradient-descent"].config)
        socket.send_text(json.dumps({"type": "step"}))
        stepped = json.loads(socket.receive_text())
    assert data["landscape"]["minimum"] is not None
    assert snapshot["path"] == [pytest.approx(data["landscape"]["start"], abs=1e-6)]
    assert stepped["type"] == "snapshot" and len(stepped["path"]) == 2
