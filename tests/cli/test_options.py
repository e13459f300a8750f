"""Flag parsing, settings and their round trip through config.json, run folders (fast, in-process)."""

from __future__ import annotations

import json
import math

import click
import pytest

from descenso.cli import options, run, runs
from descenso.cli.errors import CLIError, ExitCode
from descenso.cli.settings import TrainSettings, from_config, read_config


@pytest.mark.parametrize(
    ("text", "expected"),
    [("64,64", (64, 64)), (" 8, 4 ,2", (8, 4, 2)), ("16", (16,)), ("none", ()), ("", ()), ("0", ())],
)
def test_parse_hidden(text, expected):
    assert options.parse_hidden(text) == expected


@pytest.mark.parametrize("text", ["64,x", "64,,64", "-3", "1.5", "64;64", "0,4"])
def test_parse_hidden_refuses(text):
    with pytest.raises(click.BadParameter, match="positive integers"):
        options.parse_hidden(text)


def test_parse_batch_size_and_names():
    assert [options.parse_batch_size(t) for t in ("1", "256", "auto", "FULL")] == [1, 256, "auto", None]
    for bad in ("0", "-2", "half", "1e3"):
        with pytest.raises(click.BadParameter, match="positive integer, 'auto' or 'full'"):
            options.parse_batch_size(bad)
    assert options.parse_names("polar, Standardize,") == ["polar", "standardize"]
    assert options.parse_names(["log"]) == ["log"] and options.parse_names(None) == []


def test_settings_round_trip_through_config_json(tmp_path):
    settings = TrainSettings(
        dataset="circles",
        hidden=(8, 4),
        features=["polar"],
        batch_size=None,
        seed=7,
        early_stopping=False,
        lr=0.05,
    ).validate()
    path = tmp_path / "config.json"
    runs.write_json(path, {"settings": settings.to_config()})
    text = json.loads(path.read_text())["settings"]
    assert text["hidden"] == [8, 4] and text["batch_size"] is None and text["features"] == ["polar"]
    assert from_config(read_config(path)) == settings


def test_settings_validation_messages(tmp_path):
    with pytest.raises(click.BadParameter, match="not both"):
        TrainSettings(data="a.csv", target="y", dataset="spirals").validate()
    (tmp_path / "a.csv").write_text("x,y\n1,2\n")
    with pytest.raises(click.BadParameter, match="--target"):
        TrainSettings(data=str(tmp_path / "a.csv")).validate()
    with pytest.raises(CLIError, match=r"data file not found: .*b\.csv") as missing:
        TrainSettings(data=str(tmp_path / "b.csv")).validate()  # the missing file is said first
    assert missing.value.code == ExitCode.DATA
    with pytest.raises(click.BadParameter, match="under 10%"):
        TrainSettings(test_fraction=0.5, val_fraction=0.45).validate()
    with pytest.raises(click.BadParameter, match="unknown optimizer 'adamm'"):
        TrainSettings(optimizer="adamm").validate()
    # A config.json can hold any JSON value: each is refused by name, not with a Python TypeError.
    for bad, match in [
        ({"lr": "fast"}, "learning rate must be a number; got 'fast'"),
        ({"test_fraction": None}, "test fraction must be a number; got None"),
        ({"alpha": "0.1"}, "alpha must be a number"),
        ({"noise": -0.5}, "noise must be a finite number >= 0; got -0.5"),
        ({"tol": float("nan")}, "tol must be a finite number >= 0"),
        ({"seed": 1.5}, "seed must be an integer >= 0; got 1.5"),
        ({"early_stopping": "yes"}, "early_stopping must be true or false; got 'yes'"),
        ({"features": 5}, "expected comma-separated names such as polar,standardize; got 5"),
        ({"hidden": 5}, "expected comma-separated positive integers such as 64,64; got 5"),
        ({"data": 5, "target": "y"}, "data must be text; got 5"),
        ({"out": None}, "out must be text; got None"),
    ]:
        with pytest.raises(click.BadParameter, match=match):
            TrainSettings(**bad).validate()


def test_data_path_in_config_is_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = TrainSettings(data="d.csv", target="y").validate().to_config()
    assert config["data"] == str(tmp_path / "d.csv")


@pytest.fixture
def captured(monkeypatch):
    """Run ``train`` up to the settings only: the training itself is replaced by a recorder."""
    seen: list[TrainSettings] = []

    def fake_run(settings, name, quiet, as_json, checkpoint=None):
        seen.append(settings)
        return 0

    monkeypatch.setattr("descenso.cli.training.run_training", fake_run)
    return seen


def test_flags_become_settings(captured):
    argv = [
        "train",
        "--dataset",
        "moons",
        "--hidden",
        "8,8",
        "--features",
        "polar,standardize",
        "--lr",
        "0.5",
        "--batch-size",
        "full",
        "--no-early-stopping",
        "--seed",
        "9",
        "--optimizer",
        "gd",
    ]
    assert run(argv) == 0
    s = captured[0]
    assert (s.dataset, s.hidden, s.features, s.lr, s.batch_size) == (
        "moons",
        (8, 8),
        ["polar", "standardize"],
        0.5,
        None,
    )
    assert (s.early_stopping, s.seed, s.optimizer, s.data) == (False, 9, "gd", None)


def test_no_data_means_the_builtin_default(captured):
    assert run(["train"]) == 0
    assert captured[0].data is None and captured[0].dataset is None and captured[0].source_name() == "spirals"


def test_config_then_flags_override_only_what_was_typed(tmp_path, captured):
    path = tmp_path / "config.json"
    base = TrainSettings(dataset="xor", hidden=(5,), lr=0.2, seed=4, epochs=12).validate()
    runs.write_json(path, {"settings": base.to_config()})
    assert run(["train", "--config", str(path), "--epochs", "3"]) == 0
    s = captured[0]
    assert (s.dataset, s.hidden, s.lr, s.seed, s.epochs) == ("xor", (5,), 0.2, 4, 3)
    # a data file typed on the command line replaces the config's dataset
    assert run(["train", "--config", str(path), "data.csv", "--target", "y"]) == 0
    assert captured[1].data == "data.csv" and captured[1].dataset is None


def test_read_config_refuses_what_is_not_a_config(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CLIError) as error:
        read_config(bad)
    assert error.value.code == ExitCode.USAGE and "bad.json" in error.value.message
    bad.write_text('{"epochs": 3}')
    with pytest.raises(CLIError, match="no 'settings' object"):
        read_config(bad)


def test_run_folders_are_new_and_latest_points_to_the_newest(tmp_path):
    first = runs.new_run_dir(tmp_path / "runs", None, "my data.csv")
    assert first.name.startswith("my-data.csv-") and first.is_dir()
    named = [runs.new_run_dir(tmp_path / "runs", "exp", "x") for _ in range(3)]
    assert [p.name for p in named] == ["exp", "exp-2", "exp-3"]
    runs.point_latest(named[1])
    assert (tmp_path / "runs" / "latest").resolve() == named[1].resolve()
    runs.point_latest(named[2])
    assert (tmp_path / "runs" / "latest").resolve() == named[2].resolve()


def test_atomic_writes_leave_no_temporary_files(tmp_path):
    runs.write_json(tmp_path / "m.json", {"loss": float("nan"), "values": [1.5, math.inf]})
    runs.write_csv(tmp_path / "h.csv", {"epoch": [1, 2], "val_loss": [None, 0.25]})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv", "m.json"]
    assert json.loads((tmp_path / "m.json").read_text()) == {"loss": None, "values": [1.5, None]}
    assert (tmp_path / "h.csv").read_text() == "epoch,val_loss\n1,\n2,0.25\n"
    with pytest.raises(ValueError, match="equal lengths"):
        runs.write_csv(tmp_path / "bad.csv", {"a": [1], "b": [1, 2]})
    assert not (tmp_path / "bad.csv").exists()
