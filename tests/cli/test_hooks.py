"""The command's progress bar and per-epoch metric reach the training loop through fit's parameters."""

import numpy as np

import descenso.train
from descenso.cli import hooks, inputs, training
from descenso.cli.progress import EpochProgress
from descenso.cli.settings import TrainSettings


def test_progress_and_metric_are_passed_to_fit_without_patching_the_loop(monkeypatch):
    original = descenso.train.fit
    seen = []

    class Watching(EpochProgress):
        def on_epoch_end(self, epoch, logs, model):
            seen.append((descenso.train.fit is original, dict(logs)))
            super().on_epoch_end(epoch, logs, model)

    monkeypatch.setattr(training, "EpochProgress", Watching)
    settings = TrainSettings(dataset="circles", samples=200, epochs=15, hidden=(8,), seed=0).validate()
    data = inputs.load(settings)
    estimator = training._fit(training.build_estimator(settings, data.task), data, settings, show=False)
    accuracy = [value for history in estimator.histories_ for value in history.metrics["accuracy"]]
    assert len(seen) == estimator.n_iter_ == len(accuracy)  # every network of the ensemble is watched
    assert all(untouched for untouched, _ in seen)  # descenso.train.fit is never replaced
    assert [logs["accuracy"] for _, logs in seen] == accuracy
    assert all(0.0 <= logs["val_accuracy"] <= 1.0 for _, logs in seen)


def test_regression_shows_r2_per_epoch():
    (metric,) = hooks.epoch_metrics("regression")
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert metric(y, y.reshape(-1, 1) * 2 - 2.5) == 0.0  # 1 - sum(e^2)/sum((y - mean)^2) = 1 - 5/5
    assert hooks.epoch_metrics("binary") == ["accuracy"]


CIRCLES = {"dataset": "circles", "samples": 200, "epochs": 300, "hidden": (8,), "lr": 0.03, "seed": 0}


def _plain(text):
    import re

    return re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", text).replace("\r", "\n")


def test_an_ensemble_shows_one_bar_whose_last_line_is_the_run_the_stop_message_names(monkeypatch):
    import io

    import rich.console
    import rich.progress

    from descenso.cli import console

    screen = io.StringIO()
    terminal = rich.console.Console(file=screen, force_terminal=True, width=160, color_system=None)
    monkeypatch.setattr(console, "console", lambda stderr=False: terminal)
    bars = []
    start = rich.progress.Progress.start
    monkeypatch.setattr(rich.progress.Progress, "start", lambda self: (bars.append(self), start(self))[1])
    settings = TrainSettings(**CIRCLES).validate()
    data = inputs.load(settings)
    estimator = training._fit(training.build_estimator(settings, data.task), data, settings, show=True)
    assert len(estimator.histories_) == 3 and len(bars) == 1  # three networks, one bar
    last_epoch = len(estimator.histories_[-1].epoch)
    lines = [line for line in _plain(screen.getvalue()).splitlines() if line.startswith("network")]
    assert lines[-1].startswith(f"network 3/3  epoch {last_epoch:>3}/300")
    assert "the last, network 3/3: " in estimator.stop_reason_
    assert f"at epoch {last_epoch})" in estimator.stop_reason_


def test_without_a_terminal_each_run_ends_with_its_last_epoch(capsys):
    settings = TrainSettings(**CIRCLES).validate()
    data = inputs.load(settings)
    estimator = training._fit(training.build_estimator(settings, data.task), data, settings, show=True)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("network")]
    ends = [f"network {j}/3  epoch {len(h.epoch):>3}/300" for j, h in enumerate(estimator.histories_, 1)]
    finals = [line for line in lines if any(line.startswith(end) for end in ends)]
    assert len(finals) == 3 and lines[-1].startswith(ends[-1])
