"""The command's training defaults are the estimators', and --no-early-stopping trains every epoch."""

import inspect
import json

import click
import pytest
from click.testing import CliRunner

from descenso.cli import cli
from descenso.cli.settings import TrainSettings
from descenso.cli.training import build_estimator
from descenso.estimators import BinaryClassifier, Regressor

#: Settings whose flag differs from the estimator's default on purpose (stated in --help).
DIFFERENT = {"seed": ("random_state", 0, None)}


@pytest.mark.parametrize("task, cls", [("binary", BinaryClassifier), ("regression", Regressor)])
def test_every_default_equals_the_estimators(task, cls):
    built = build_estimator(TrainSettings().validate(), task).get_params()
    signature = {name: p.default for name, p in inspect.signature(cls).parameters.items()}
    for name, value in built.items():
        if name == "random_state":
            assert (value, signature[name]) == DIFFERENT["seed"][1:]
        elif name == "loss":
            assert value == signature[name]  # the task's first loss
        elif name == "n_iter_no_change":
            assert value == signature[name] == TrainSettings().patience
        else:
            assert value == signature[name] or (value, signature[name]) == (None, None), name


def test_help_states_the_one_difference():
    text = CliRunner().invoke(cli, ["train", "--help"], terminal_width=200).output
    assert "except --seed" in text and "random_state=None" in text.replace("\n", " ")
    assert "--no-early-stopping trains all --epochs" in " ".join(text.split())


def test_no_early_stopping_trains_every_epoch(tmp_path):
    args = ["train", "--dataset", "moons", "--samples", "200", "--epochs", "60", "--no-early-stopping",
            "--tol", "0.5", "--ensemble", "1", "--out", str(tmp_path), "--json"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["epochs"] == 60 and summary["stopped_by"] == "max_epochs"  # a tol of 0.5 stops nothing


def test_schedule_and_ensemble_reach_the_estimator():
    settings = TrainSettings(schedule="cosine", ensemble="2").validate()
    estimator = build_estimator(settings, "binary")
    assert (estimator.schedule, estimator.ensemble) == ("cosine", 2)
    assert build_estimator(TrainSettings().validate(), "regression").schedule is None
    with pytest.raises(Exception, match="from 1 to 100"):
        TrainSettings(ensemble="many").validate()


def test_every_option_of_every_command_says_what_it_does():
    undocumented = [
        f"descenso {name} {param.opts[0]}"
        for name, command in cli.commands.items()
        for param in command.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert undocumented == []
