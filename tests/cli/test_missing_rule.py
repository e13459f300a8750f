"""The model's missing-value rule (train --missing) is what predict, evaluate and explain apply."""

from __future__ import annotations

import csv
import json

import pytest

from .conftest import penguin_rows
from .helpers import assert_user_error, descenso, write_csv

GAPS = {3: 1, 10: 1, 50: 1, 20: 4}  # row index -> column left blank (bill_depth_mm, species)
NO_SEX = 30  # a row without a label


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """One folder for this file's tests: the data files and the runs trained on them."""
    return tmp_path_factory.mktemp("missing")


@pytest.fixture(scope="module")
def gappy(folder):
    """penguins.csv with blanks: data rows 4, 11, 21, 51 lack a feature, data row 31 its label."""
    tmp_path = folder
    header, rows = penguin_rows()
    for row, column in GAPS.items():
        rows[row][column] = ""
    rows[NO_SEX][5] = ""
    complete = [row for i, row in enumerate(rows) if i not in GAPS and i != NO_SEX]
    write_csv(tmp_path / "complete.csv", header, complete)
    return write_csv(tmp_path / "penguins.csv", header, rows)


@pytest.fixture(scope="module")
def dropping(folder, gappy):
    """A model trained with --missing drop on penguins.csv."""
    return _train(folder, gappy, "drop", "d")


def _train(tmp_path, data, rule, name):
    args = ["--target", "sex", "--missing", rule, "--epochs", "15", "--ensemble", "1", "--name", name]
    result = descenso("train", str(data), *args, "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return f"runs/{name}/model.descenso"


def _rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_model_trained_with_drop_evaluates_predicts_and_explains_its_own_file(folder, gappy, dropping):
    tmp_path, model = folder, dropping

    evaluated = descenso("evaluate", model, str(gappy), "--json", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert ("left out 5 of 333 rows with missing values (--missing drop): data rows 4, 11, 21, 31, 51 "
            "(file lines 5, 12, 22, 32, 52)") in evaluated.stderr  # fmt: skip
    result = json.loads(evaluated.stdout)
    assert (result["rows"], result["rows_left_out"], result["missing"]) == (328, 5, "drop")
    # The metrics are those of the complete rows alone.
    complete = descenso("evaluate", model, "complete.csv", "--json", cwd=tmp_path)
    assert complete.returncode == 0, complete.stderr
    assert json.loads(complete.stdout)["test"] == result["test"]

    predicted = descenso("predict", model, str(gappy), "-o", "p.csv", cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    assert "no prediction for 4 rows with missing values (--missing drop): data rows 4, 11, 21, 51" in (
        predicted.stderr
    )
    assert "wrote 329 predictions to p.csv" in predicted.stderr
    rows = _rows(tmp_path / "p.csv")
    assert len(rows) == 333
    blank = [i for i, row in enumerate(rows) if row["prediction"] == ""]
    assert blank == sorted(GAPS) and all(rows[i]["probability_male"] == "" for i in blank)
    descenso("predict", model, "complete.csv", "-o", "c.csv", cwd=tmp_path)
    labelled = [row for i, row in enumerate(rows) if i not in GAPS and i != NO_SEX]
    assert [row["probability_male"] for row in labelled] == [
        row["probability_male"] for row in _rows(tmp_path / "c.csv")
    ]

    explained = descenso("explain", model, cwd=tmp_path)  # the training file, from config.json
    assert explained.returncode == 0, explained.stderr
    assert "left out 5 of 333 rows with missing values (--missing drop)" in explained.stderr
    assert "on 4 rows of its data" in " ".join(explained.stdout.split())  # wrapped to the terminal


def test_missing_overrides_the_models_rule_for_one_command(folder, gappy, dropping):
    tmp_path, model = folder, dropping
    refused = descenso("evaluate", model, str(gappy), "--missing", "error", cwd=tmp_path)
    assert_user_error(refused, 3, "bill_depth_mm (3 rows), species (1 row), sex (1 row)",
                      "data rows 4, 11, 21, 31, 51", "--missing drop")  # fmt: skip
    for command in (["evaluate", model, str(gappy)], ["explain", model, "--data", str(gappy)]):
        no_means = descenso(*command, "--missing", "mean", cwd=tmp_path)
        assert_user_error(no_means, 2, "trained with --missing drop", "retrain with --missing mean")


def test_a_model_trained_with_mean_fills_the_features_but_never_a_label(folder, gappy):
    tmp_path = folder
    model = _train(tmp_path, gappy, "mean", "m")
    evaluated = descenso("evaluate", model, str(gappy), "--json", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert "left out 1 of 333 rows with missing values (--missing mean, a target is never filled): " \
        "data row 31 (file line 32)" in evaluated.stderr  # fmt: skip
    assert json.loads(evaluated.stdout)["rows"] == 332
    only_complete = descenso("evaluate", model, str(gappy), "--missing", "drop", "--json", cwd=tmp_path)
    assert json.loads(only_complete.stdout)["rows"] == 328


def test_a_model_trained_on_complete_data_refuses_gaps_and_says_how_to_go_on(folder, gappy):
    tmp_path = folder
    model = _train(tmp_path, tmp_path / "complete.csv", "error", "e")
    for command in ("evaluate", "predict"):
        refused = descenso(command, model, str(gappy), cwd=tmp_path)
        assert_user_error(refused, 3, "penguins.csv has missing values in bill_depth_mm (3 rows)",
                          "--missing error refuses them", "fix: pass --missing drop")  # fmt: skip
    dropped = descenso("evaluate", model, str(gappy), "--missing", "drop", "--json", cwd=tmp_path)
    assert dropped.returncode == 0, dropped.stderr
    assert json.loads(dropped.stdout)["rows"] == 328
