"""What a practitioner does in a first hour with a table like palmerpenguins, through the command."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import descenso as ds
from descenso.data import DataError, DataWarning

from .helpers import assert_user_error, descenso


def test_polar_on_a_table_must_be_told_its_columns(tmp_path, penguins):
    # It used to apply itself to the first two encoded columns: two one-hot columns of species.
    result = descenso("train", str(penguins), "--target", "sex", "--features", "polar", cwd=tmp_path)
    assert_user_error(result, 3, "Polar needs to be told which two columns are (x, y)",
                      "bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g and 3 one-hot columns "
                      "of the text column species", "polar(bill_length_mm,bill_depth_mm)")  # fmt: skip
    result = descenso("train", str(penguins), "--target", "sex", "--epochs", "3", "--features",
                      "polar(bill_length_mm,bill_depth_mm),standardize", "--json", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    config = json.loads((tmp_path / run["run_dir"] / "config.json").read_text())
    assert config["settings"]["features"] == ["polar(bill_length_mm,bill_depth_mm)", "standardize"]
    model = ds.load(tmp_path / run["model"])
    names = model.representation_.get_feature_names_out(list(model.schema_.feature_names))
    assert names[:2] == ["r(bill_length_mm,bill_depth_mm)", "angle(bill_length_mm,bill_depth_mm)"]


def test_a_category_never_seen_in_training_is_named_at_predict_time(tmp_path, penguins):
    # "Emperor" was accepted silently and changed the prediction; now it is warned about by default,
    # and refused or ignored on request, by the command and by the estimator alike.
    trained = descenso(
        "train", str(penguins), "--target", "sex", "--epochs", "3", "--name", "p", cwd=tmp_path
    )
    assert trained.returncode == 0, trained.stderr
    lines = penguins.read_text().splitlines()
    species = lines[0].split(",").index("species")
    rows = [line.split(",") for line in lines[1:4]]
    for row in rows[:2]:
        row[species] = "Emperor"
    new = tmp_path / "new.csv"
    new.write_text("\n".join([lines[0], *(",".join(row) for row in rows)]) + "\n")

    warned = descenso("predict", "runs/p/model.descenso", str(new), cwd=tmp_path)
    assert warned.returncode == 0, warned.stderr
    assert "column 'species' has 'Emperor' in 2 rows (categories not seen in training" in warned.stderr
    assert "--unknown error" in warned.stderr  # the fix in the command's own words
    assert len(warned.stdout.splitlines()) == 4
    quiet = descenso("predict", "runs/p/model.descenso", str(new), "--unknown", "ignore", cwd=tmp_path)
    assert quiet.returncode == 0 and "Emperor" not in quiet.stderr
    assert quiet.stdout == warned.stdout
    refused = descenso("predict", "runs/p/model.descenso", str(new), "--unknown", "error", cwd=tmp_path)
    assert_user_error(refused, 3, "column 'species' has 'Emperor' in 2 rows", "map them to a known category")

    model = ds.load(tmp_path / "runs/p/model.descenso")
    frame = pd.read_csv(new).drop(columns=["sex"])
    with pytest.warns(DataWarning, match=r"column 'species' has 'Emperor' in 2 rows"):
        model.predict(frame)
    model.set_params(handle_unknown="error")
    with pytest.raises(DataError, match=r"'Emperor' in 2 rows"):
        model.predict(frame)
