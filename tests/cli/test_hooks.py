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
