"""Every number of a training run names its scale: losses on the standardised target, metrics in units."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from .helpers import descenso, write_csv


@pytest.fixture
def prices(tmp_path):
    """price = 300 + 40 * (2a - b) + noise: a target whose std (~90) is far from 1."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 2))
    y = 300 + 40 * (2 * X[:, 0] - X[:, 1]) + 5 * rng.normal(size=300)
    rows = [[f"{a:.4f}", f"{b:.4f}", f"{t:.3f}"] for (a, b), t in zip(X, y, strict=True)]
    return write_csv(tmp_path / "prices.csv", ["a", "b", "price"], rows), float(np.std(y))


@pytest.mark.parametrize("loss, power", [("mse", 2), ("mae", 1)])
def test_regression_losses_say_they_are_standardised_and_come_in_units_too(tmp_path, prices, loss, power):
    path, spread = prices
    args = ["--target", "price", "--loss", loss, "--epochs", "30", "--ensemble", "1", "--name", loss]
    result = descenso("train", str(path), *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    epochs = [
        line
        for line in result.stderr.splitlines()
        if re.match(r"((linear|network)( \d+/\d+)?  )?epoch ", line)
    ]
    assert epochs and all(
        re.search(r"train_loss \S+  val_loss \S+ \(standardised price\)  val_r2 ", line) for line in epochs
    ), epochs
    summary = json.loads((tmp_path / "runs" / loss / "metrics.json").read_text())
    entry = summary["loss"]
    assert entry["name"] == loss and entry["scale"].startswith("standardised target")
    assert entry["target_std"] == pytest.approx(spread, rel=0.1)  # the training rows' std
    assert entry["final_val_loss_in_target_units"] == pytest.approx(
        summary["final_val_loss"] * entry["target_std"] ** power, rel=1e-6
    )
    in_units = entry["final_val_loss_in_target_units"]
    test = summary["test"]["mse" if loss == "mse" else "mae"]
    assert in_units > 20 * summary["final_val_loss"]  # the unlabelled numbers were this far apart
    assert test / 3 < in_units < test * 3  # on the same scale as the test metric now
    assert (
        f"losses above: {loss} on the standardised price (divided by its std, {entry['target_std']:.4g}); "
        f"the last val_loss is {in_units:.4g} in price's units"
    ) in result.stdout
    assert re.search(r"test r2: \S+   \(mse .*, in price's units\)", result.stdout), result.stdout
    evaluated = descenso("evaluate", f"runs/{loss}/model.descenso", str(path), cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    table = [line.split() for line in evaluated.stdout.splitlines()]
    assert table[0] == ["metric", "value", "unit"]
    units = {row[0]: row[2] for row in table[1:]}
    assert units == {"mse": "price^2", "rmse": "price", "mae": "price", "r2": "-"}


def test_huber_is_labelled_but_not_converted(tmp_path, prices):
    path, _ = prices
    args = ["--target", "price", "--loss", "huber", "--epochs", "5", "--ensemble", "1", "--name", "h"]
    result = descenso("train", str(path), *args, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stdout)["loss"]
    assert entry["final_val_loss_in_target_units"] is None and entry["name"] == "huber"


def test_a_classifier_names_its_loss_log_loss(tmp_path, ring):
    args = ["--target", "label", "--epochs", "10", "--ensemble", "1", "--name", "b"]
    result = descenso("train", str(ring), *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"val_loss \S+ \(log-loss\)  val_accuracy", result.stderr), result.stderr
    assert "losses above" not in result.stdout and "units" not in result.stdout
    entry = json.loads((tmp_path / "runs" / "b" / "metrics.json").read_text())["loss"]
    assert entry == {"name": "bce", "scale": "the labels' own (log-loss, as the test log_loss)"}
