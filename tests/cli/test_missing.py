"""``descenso train --missing mean``: the fill values are learned from the training rows and kept."""

from __future__ import annotations

import csv

import numpy as np

from descenso.cli import inputs
from descenso.cli.settings import TrainSettings
from descenso.estimators import load

from .helpers import descenso


def _column(path, name):
    with open(path, newline="") as handle:
        return [row[name] for row in csv.DictReader(handle)]


def test_missing_mean_fills_new_data_with_the_training_means(tmp_path, houses):
    args = ["--target", "sold", "--missing", "mean", "--no-early-stopping", "--epochs", "40"]
    trained = descenso("train", str(houses), *args, "--name", "h", "--quiet", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    model = load(tmp_path / "runs" / "h" / "model.descenso")
    assert model.missing == "mean"
    # The same seeded split as the command: the fill is the mean over the training rows only.
    settings = TrainSettings(data=str(houses), target="sold", missing="mean").validate()
    data = inputs.load(settings)
    assert data.X_train["area"].isna().sum() > 0  # the gaps reach the model, which fills them itself
    area = model.schema_.feature_names.index("area")
    assert np.isclose(model.fill_values_[area], data.X_train["area"].mean(), rtol=1e-6)
    everything = np.nanmean([float(v) if v else np.nan for v in _column(houses, "area")])
    assert not np.isclose(model.fill_values_[area], everything, rtol=1e-6)  # test rows are not averaged

    # predict takes the file with its gaps; a gap predicts as the fill value itself would.
    predicted = descenso("predict", "runs/h/model.descenso", str(houses), "-o", "p.csv", cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    lines = houses.read_text().splitlines()
    gap = next(i for i, line in enumerate(lines) if line.startswith(","))  # the 'area' cell is empty
    filled = tmp_path / "filled.csv"
    filled.write_text("\n".join([lines[0], repr(float(model.fill_values_[area])) + lines[gap]]) + "\n")
    again = descenso("predict", "runs/h/model.descenso", str(filled), "-o", "f.csv", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    probabilities = _column(tmp_path / "p.csv", "probability_yes")
    assert probabilities[gap - 1] == _column(tmp_path / "f.csv", "probability_yes")[0]


def test_a_constant_column_is_reported_once(tmp_path, houses):
    lines = houses.read_text().splitlines()
    constant = tmp_path / "constant.csv"
    constant.write_text("\n".join([lines[0] + ",k"] + [line + ",1" for line in lines[1:]]) + "\n")
    args = ["--target", "sold", "--missing", "drop", "--epochs", "3", "--name", "c"]
    result = descenso("train", str(constant), *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("is constant") == 1, result.stderr
    assert "warning: column 'k' in 'constant.csv' is constant (every value is 1.0)" in result.stderr
