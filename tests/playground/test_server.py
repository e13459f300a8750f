"""The server through FastAPI's TestClient: refusals, limits, sessions, determinism, divergence, export."""

from __future__ import annotations

import base64
import gc
import json
import shlex
import weakref

import numpy as np
import pytest
from pg_helpers import ORIGIN, WS, configure, make_client, receive
from starlette.websockets import WebSocketDisconnect

from descenso.playground.export import open_model
from descenso.serialize import read_model_file

SMALL = {"dataset": "circles", "points": 120, "features": ["r", "theta"], "batch_size": 16,
         "layers": [{"neurons": 3, "activation": "tanh"}], "init_seed": 7, "data_seed": 3}  # fmt: skip


def csv_bytes(rows: int = 200, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 2))
    label = np.where(X[:, 0] - X[:, 1] > 0, "spam", "ham")
    pairs = enumerate(zip(X, label, strict=True))
    rows_text = [f"{a * 50 + 170:.2f},{b:.3f},{c},n{i % 3}" for i, ((a, b), c) in pairs]
    lines = ["height,weight,kind,note", *rows_text]
    return "\n".join(lines).encode()


def weights(snapshot: dict) -> list:
    return [layer["w"] for layer in snapshot["weights"]]


# ---------------------------------------------------------------------- HTTP


def test_the_page_is_served_with_a_strict_content_security_policy(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "descenso" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")


def test_a_foreign_host_header_is_refused(client) -> None:
    answer = client.get("/", headers={"host": "attacker.example:8765"})
    assert answer.status_code == 403
    assert "Host 'attacker.example:8765' is not this playground's address" in answer.json()["error"]


def test_uploads_need_the_pages_own_origin(client) -> None:
    assert client.post("/api/csv", content=csv_bytes()).status_code == 403
    foreign = client.post("/api/csv", content=csv_bytes(), headers={"origin": "http://evil.example"})
    assert foreign.status_code == 403 and "Origin 'http://evil.example'" in foreign.json()["error"]
    ok = client.post("/api/csv", content=csv_bytes(), headers={**ORIGIN, "x-filename": "people.csv"})
    assert ok.status_code == 200
    summary = ok.json()
    assert summary["rows"] == 200 and summary["name"] == "people.csv"
    assert [(c["name"], c["numeric"], c["distinct"]) for c in summary["columns"]] == [
        ("height", True, 3), ("weight", True, 3), ("kind", False, 2), ("note", False, 3)]  # fmt: skip


def test_upload_size_and_rows_are_bounded_with_a_clear_message() -> None:
    with make_client(max_upload_bytes=1000) as client:
        big = client.post("/api/csv", content=csv_bytes(200), headers=ORIGIN)
        assert big.status_code == 413
        assert "larger than the playground accepts (0.001 MB); upload a sample" in big.json()["error"]
    with make_client() as client:
        many = client.post("/api/csv", content=csv_bytes(5001), headers={**ORIGIN, "x-filename": "big.csv"})
        assert many.status_code == 422
        assert "big.csv has 5001 rows; the playground trains on up to 5000" in many.json()["error"]
        header = client.post("/api/csv", content=b"a,b,y\n", headers={**ORIGIN, "x-filename": "h.csv"})
        assert header.status_code == 422
        assert header.json()["error"].startswith("h.csv has a header but no data rows; upload a file")
        junk = client.post("/api/csv", content=b"a,b\n1,2,3\n", headers=ORIGIN)
        assert junk.status_code == 422 and "is not a CSV file pyarrow can read" in junk.json()["error"]
        semicolons = b"a;b;y\n1,5;2;1\n2,5;1;0\n"  # a spreadsheet's export with decimal commas
        semi = client.post("/api/csv", content=semicolons, headers={**ORIGIN, "x-filename": "s.csv"})
        assert semi.status_code == 422
        assert (
            "'s.csv' looks separated by semicolons" in semi.json()["error"]
            and "decimal=','" in semi.json()["error"]
        )
        bad_model = client.post("/api/model", content=b"not a model", headers=ORIGIN)
        assert bad_model.status_code == 422 and "model.descenso" in bad_model.json()["error"]


# ---------------------------------------------------------------------- WebSocket


def test_a_websocket_from_a_foreign_origin_is_refused(client) -> None:
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect(WS, headers={"origin": "http://evil.example"}) as socket:
            socket.receive_text()
    assert refused.value.code == 1008


def test_reset_returns_to_the_same_weights_and_the_same_steps(client) -> None:
    with client.websocket_connect(WS, headers=ORIGIN) as socket:
        _, first = configure(socket, **SMALL)
        runs = []
        for _ in range(2):
            for _ in range(12):
                socket.send_text('{"type": "step"}')
                last = receive(socket, "snapshot")
            runs.append((weights(last), last["train_loss"], last["steps"]))
            socket.send_text('{"type": "reset"}')
            again = receive(socket, "snapshot")
            assert weights(again) == weights(first) and again["epoch"] == 0 and again["steps"] == 0
        assert runs[0] == runs[1] and runs[0][2] == 12
        assert runs[0][0] != weights(first)  # the steps did move the weights
        socket.send_text('{"type": "reinit"}')
        data = receive(socket, "data")
        fresh = receive(socket, "snapshot")
        assert data["config"]["init_seed"] != SMALL["init_seed"] and weights(fresh) != weights(first)


def test_an_epoch_is_one_pass_over_the_training_points(client) -> None:
    with client.websocket_connect(WS, headers=ORIGIN) as socket:
        data, _ = configure(socket, **SMALL)
        train = data["points"]["test"].count(0)
        assert train == 60  # 120 points, half for the test set
        for _ in range(4):  # ceil(60 / 16) steps make one epoch
            socket.send_text('{"type": "step"}')
            snapshot = receive(socket, "snapshot")
        assert snapshot["epoch"] == 1 and snapshot["history"]["epoch"] == [1]
        assert len(snapshot["inspector"]) == 4  # weight and bias of two Linear layers
        row = snapshot["inspector"][0]
        assert row["name"] == "layers.0.weight" and row["shape"] == [3, 2] and row["update_norm"] > 0


def test_the_learning_rate_changes_while_playing_without_a_reset(client) -> None:
    with client.websocket_connect(WS, headers=ORIGIN) as socket:
        configure(socket, **SMALL)
        socket.send_text('{"type": "play"}')
        before = receive(socket, "snapshot")
        socket.send_text('{"type": "set", "settings": {"lr": 0.005}}')
        for _ in range(50):
            after = receive(socket, "snapshot")
            if after["lr"] == 0.005:
                break
        assert after["lr"] == 0.005 and after["epoch"] >= before["epoch"] > 0
        socket.send_text('{"type": "pause"}')
        paused = receive(socket, "snapshot")
        assert paused["state"] == "paused" and paused["steps"] >= after["steps"]


def test_training_reaches_the_stop_rule_and_says_why(client) -> None:
    with client.websocket_connect(WS, headers=ORIGIN) as socket:
        configure(socket, **SMALL, stop={"max_epochs": 5})
        socket.send_text('{"type": "play"}')
        status = receive(socket, "status")
        assert status["kind"] == "stop" and status["state"] == "stopped"
        assert status["reason"].startswith("reached the maximum of 5 epochs")


def test_divergence_pauses_and_explains_instead_of_sending_nan(client) -> None:
    with client.websocket_connect(WS, headers=ORIGIN) as socket:
        configure(socket, task="regression", dataset="plane", optimizer="sgd", lr=1000.0, points=100,
                  features=["x1", "x2", "x1^2"], layers=[{"neurons": 4, "activation": "relu"}])  # fmt: skip
        socket.send_text('{"type": "play"}')
        status = receive(socket, "status")
        assert status["kind"] == "divergence" and status["state"] == "diverged"
        assert status["reason"].endswith("(lr=1000.0); kept the weights from before that step")
        assert "try" not in status["reason"]  # the page adds the one suggestion
        socket.send_text('{"type": "pause"}')
        snapshot = receive(socket, "snapshot")
        assert all(np.isfinite(layer["w"]).all() for layer in snapshot["weights"])
        assert snapshot["state"] == "diverged"  # the loss itself may overflow: it is sent as null, not NaN


def test_bad_messages_get_an_error_and_the_session_goes_on(client) -> None:
    with client.websocket_connect(WS, headers=ORIGIN) as socket:
        socket.send_text('{"type": "step"}')
        assert "send a 'config' message first" in receive(socket, "error")["message"]
        socket.send_text(json.dumps({"type": "config", "config": {"layers": [{"neurons": 99}]}}))
        assert "neurons: Input should be less than or equal to 16" in receive(socket, "error")["message"]
        configure(socket, **SMALL)


def test_sessions_are_bounded_and_a_closed_tab_is_freed() -> None:
    with make_client(max_sessions=1) as client:
        app = client.app
        with client.websocket_connect(WS, headers=ORIGIN) as socket:
            configure(socket, **SMALL)
            socket.send_text('{"type": "play"}')
            receive(socket, "snapshot")
            (live,) = app.state.sessions.values()
            session = weakref.ref(live.session)
            with client.websocket_connect(WS, headers=ORIGIN) as second:
                refused = json.loads(second.receive_text())
                assert "1 playground tabs are already training" in refused["message"]
        assert app.state.sessions == {}
        gc.collect()
        assert session() is None  # its data, model and optimizer are gone


def test_several_tabs_train_independently(client) -> None:
    with (
        client.websocket_connect(WS, headers=ORIGIN) as one,
        client.websocket_connect(WS, headers=ORIGIN) as two,
    ):
        configure(one, **SMALL)
        _, start = configure(two, **{**SMALL, "init_seed": 8})
        for _ in range(5):
            one.send_text('{"type": "step"}')
            receive(one, "snapshot")
        two.send_text('{"type": "reset"}')
        assert weights(receive(two, "snapshot")) == weights(start)
        assert len(client.app.state.sessions) == 2


# ---------------------------------------------------------------------- files


def test_export_then_load_gives_the_same_predictions(client) -> None:
    with client.websocket_connect(WS, headers=ORIGIN) as socket:
        configure(socket, **SMALL)
        for _ in range(10):
            socket.send_text('{"type": "step"}')
            receive(socket, "snapshot")
        (live,) = client.app.state.sessions.values()
        session = live.session
        socket.send_text('{"type": "export"}')
        exported = receive(socket, "export")
        body = base64.b64decode(exported["data"])
        assert (
            exported["filename"].endswith(".descenso")
            and "descenso train --dataset circles" in exported["command"]
        )
        assert "ds.load(" in exported["snippet"]

        saved = open_model(body, "run.descenso")
        grid = np.array([[0.1, 0.2], [-0.8, 0.5], [1.1, -1.0]], dtype=np.float32)
        expected = session.outputs(session.features.transform(grid))
        got = saved.model(saved.transform.transform(grid)).data.reshape(-1)
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
        assert saved.task == "classification" and saved.config["init_seed"] == SMALL["init_seed"]

        upload = client.post("/api/model", content=body, headers={**ORIGIN, "x-filename": "run.descenso"})
        assert upload.status_code == 200 and upload.json()["summary"].startswith("2 → 3 → 1")
        socket.send_text(json.dumps({"type": "load_model", "token": upload.json()["token"]}))
        data = receive(socket, "data")
        assert data["source"] == "run.descenso" and data["config"]["features"] == ["r", "theta"]
        assert receive(socket, "snapshot")["train_loss"] == pytest.approx(session.losses()[0], rel=1e-5)


def test_the_exported_file_is_a_valid_model_file(client, tmp_path) -> None:
    with client.websocket_connect(WS, headers=ORIGIN) as socket:
        configure(socket, **SMALL)
        socket.send_text('{"type": "export"}')
        path = tmp_path / "model.descenso"
        path.write_bytes(base64.b64decode(receive(socket, "export")["data"]))
    arrays, metadata = read_model_file(path)
    assert sorted(arrays) == ["model.layers.0.bias", "model.layers.0.weight", "model.layers.2.bias",
                              "model.layers.2.weight", "representation.1.center"]  # fmt: skip
    assert metadata["estimator"] == "BinaryClassifier" and metadata["n_features_in"] == 2
    assert metadata["architecture"]["hidden"] == [3] and metadata["classes"]["values"] == [0.0, 1.0]
    assert [step["type"] for step in metadata["representation"]["steps"]] == [
        "expression",
        "polar",
        "expression",
    ]


def test_an_uploaded_csv_is_trained_on(client) -> None:
    upload = client.post(
        "/api/csv", content=csv_bytes(), headers={**ORIGIN, "x-filename": "people.csv"}
    ).json()
    with client.websocket_connect(WS, headers=ORIGIN) as socket:
        columns = {"token": upload["token"], "x1": "height", "x2": "weight", "target": "kind"}
        data, _ = configure(socket, dataset="csv", csv=columns, points=20, batch_size=32)
        assert data["column_names"] == ["height", "weight"] and len(data["points"]["x1"]) == 200
        assert 150 < max(data["points"]["x1"]) < 400  # the plane is drawn in the file's own units
        socket.send_text('{"type": "play"}')
        for _ in range(100):
            snapshot = receive(socket, "snapshot")
            if snapshot["epoch"] >= 40:
                break
        assert snapshot["test_metric"] > 0.9
        socket.send_text(
            json.dumps(
                {
                    "type": "config",
                    "config": {
                        "dataset": "csv",
                        "csv": {"token": upload["token"], "x1": "height", "x2": "note", "target": "kind"},
                    },
                }
            )
        )
        assert "column 'note' holds string values" in receive(socket, "error")["message"]


def test_the_exported_command_is_one_the_cli_accepts(client, tmp_path) -> None:
    from click.testing import CliRunner

    from descenso.cli.main import cli

    with client.websocket_connect(WS, headers=ORIGIN) as socket:
        configure(socket, **{**SMALL, "optimizer": "momentum", "l1": 0.01, "stop": {"patience": 5}})
        socket.send_text('{"type": "export"}')
        command, note = receive(socket, "export")["command"].split("\n")
    assert note.startswith("# closest command; the playground's inputs were r, theta;")
    assert "SGD with momentum 0.9; L1 penalty 0.01" in note
    args = shlex.split(command)
    assert args[:2] == ["descenso", "train"] and "--features" in args and "polar" in args
    result = CliRunner().invoke(cli, [*args[1:], "--out", str(tmp_path), "-q"])
    assert result.exit_code == 0, result.output
    assert "test accuracy" in result.output
