"""datasets, explain, predict to stdout, evaluate, playground, --version and ``python -m descenso``."""

from __future__ import annotations

import json

import numpy as np

from descenso import __version__
from descenso.cli import ExitCode, run

from .helpers import descenso


def test_version_and_help_through_python_m(tmp_path):
    result = descenso("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"descenso {__version__}"
    result = descenso(cwd=tmp_path)  # no subcommand: click's help, listing every command
    for command in ("train", "predict", "evaluate", "explain", "datasets", "playground"):
        assert command in result.stdout
    assert "Exit codes" in result.stdout


def test_datasets_lists_the_builtin_sets(capsys):
    from descenso import datasets

    assert run(["datasets", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [d["name"] for d in listed] == [d.name for d in datasets.list()]
    assert {"name": "spirals", "task": "binary", "features": 2} == {
        k: listed[0][k] for k in ("name", "task", "features")
    }
    assert run(["datasets"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["name", "task", "features", "description"] and "friedman" in out


def test_explain_traces_one_step_value_by_value(capsys):
    assert run(["explain", "--dataset", "plane", "--hidden", "2", "--rows", "3", "--lr", "0.5"]) == 0
    out = capsys.readouterr().out
    for part in ("1. forward", "2. loss: mse", "3. backward", "4. update", "layers.0.weight", "lr=0.5"):
        assert part in out, part
    assert "shape (3, 2)" in out  # the batch: 3 rows of 2 features


def test_predict_evaluate_and_explain_a_trained_model(tmp_path, ring, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(["train", str(ring), "--target", "label", "--epochs", "60", "--name", "r", "--quiet"]) == 0
    assert "test accuracy" in capsys.readouterr().out

    assert run(["predict", "runs/r/model.descenso", str(ring)]) == 0  # CSV on stdout
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "x1,x2,label,prediction,probability_out" and len(lines) == 301
    rows = [line.split(",") for line in lines[1:]]
    accuracy = np.mean([row[2] == row[3] for row in rows])
    assert accuracy > 0.9

    assert run(["evaluate", "runs/r/model.descenso", str(ring), "--json"]) == 0
    evaluation = json.loads(capsys.readouterr().out)
    assert evaluation["task"] == "binary" and evaluation["test"]["accuracy"] == accuracy

    before = (tmp_path / "runs/r/model.descenso").read_bytes()
    assert run(["explain", "runs/r/model.descenso", "--rows", "2"]) == 0  # its data found via config.json
    out = capsys.readouterr().out
    assert "dry run" in out and "bce_with_logits" in out and "shape (2, 2)" in out
    assert (tmp_path / "runs/r/model.descenso").read_bytes() == before


def test_playground_calls_the_server(monkeypatch):
    import descenso.playground.server as server

    calls = []
    monkeypatch.setattr(
        server, "serve", lambda host, port, open_browser: calls.append((host, port, open_browser))
    )
    assert run(["playground", "--port", "8123", "--open"]) == ExitCode.OK
    assert run(["playground"]) == ExitCode.OK
    assert calls == [("127.0.0.1", 8123, True), ("127.0.0.1", 8000, False)]


def test_playground_port_in_use_is_a_usage_error(monkeypatch, capsys):
    import descenso.playground.server as server

    def busy(host, port, open_browser):
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(server, "serve", busy)
    assert run(["playground"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "Address already in use" in err and "--port 0" in err


def test_explain_saves_the_landscape_with_the_path(tmp_path, capsys):
    from PIL import Image

    png = tmp_path / "landscape.png"
    args = ["explain", "--dataset", "xor", "--rows", "8", "--lr", "0.5", "--landscape", str(png)]
    assert run(args) == 0
    assert f"wrote {png}" in capsys.readouterr().out
    with Image.open(png) as image:
        assert image.format == "PNG" and image.size == (640, 560)
