"""descenso replay: a run retrains bit for bit, or the first differing epoch and changed fact are named."""

from __future__ import annotations

import json

import numpy as np
import pytest

from descenso.cli import ExitCode, run


@pytest.fixture
def csv_run(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2 + 0.1 * rng.normal(size=120)  # not linear: the networks are kept
    data = tmp_path / "data.csv"
    data.write_text(
        "a,b,target\n"
        + "\n".join(f"{float(a)!r},{float(b)!r},{float(t)!r}" for (a, b), t in zip(X, y, strict=True))
        + "\n"
    )
    args = ["train", str(data), "--target", "target", "--epochs", "8", "--hidden", "8", "--lr", "0.05"]
    args += ["--out", str(tmp_path), "--name", "r", "--quiet"]
    assert run(args) == 0
    return tmp_path / "r", data


def test_a_run_replays_bitwise_and_its_record_holds_the_facts(csv_run, capsys):
    folder, _ = csv_run
    record = json.loads((folder / "config.json").read_text())["record"]
    assert set(record["facts"]) == {
        "data",
        "split",
        "initial_weights",
        "descenso",
        "numpy",
        "python",
        "machine",
    }
    assert record["facts"]["numpy"] == np.__version__ and len(record["history"]["weights"]) == 8
    capsys.readouterr()
    assert run(["replay", str(folder)]) == 0
    out = capsys.readouterr().out
    assert (
        "bitwise identical" in out
        and "history of 8 epochs" in out
        and "every recorded fact is the same" in out
    )


def test_a_changed_data_file_is_named_with_the_first_differing_epoch(csv_run, capsys):
    folder, data = csv_run
    lines = data.read_text().splitlines()
    lines[5] = "0.5,0.5,9.0"
    data.write_text("\n".join(lines) + "\n")
    capsys.readouterr()
    assert run(["replay", str(folder), "--json"]) == ExitCode.DIFFERS
    result = json.loads(capsys.readouterr().out)
    assert not result["identical"]
    assert result["lines"][0].startswith("not identical: first difference at epoch 1:")
    assert "the data:" in result["lines"][1] and "the train/test split" in result["lines"][1]


def test_a_different_numpy_is_reported_and_a_changed_history_names_its_epoch(csv_run, capsys):
    folder, _ = csv_run
    config = json.loads((folder / "config.json").read_text())
    config["record"]["facts"]["numpy"] = "1.0.0"  # as if the run had been made with another NumPy
    config["record"]["history"]["train_loss"][2] += 1e-12  # and epoch 3 had come out one ulp-ish apart
    (folder / "config.json").write_text(json.dumps(config))
    capsys.readouterr()
    assert run(["replay", str(folder)]) == ExitCode.DIFFERS
    out = capsys.readouterr().out
    assert "first difference at epoch 3: train_loss differ" in out
    assert f"NumPy's version: 1.0.0 -> {np.__version__}" in out


def test_replay_refuses_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert run(["replay", str(tmp_path)]) == ExitCode.USAGE
    assert "has no config.json" in capsys.readouterr().err
    (tmp_path / "config.json").write_text(json.dumps({"command": "train", "settings": {}}))
    assert run(["replay", str(tmp_path)]) == ExitCode.USAGE
    assert "no record" in capsys.readouterr().err
