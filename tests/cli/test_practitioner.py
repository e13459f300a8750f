"""What a practitioner does in a first hour with a table like palmerpenguins, through the command."""

from __future__ import annotations

import json

import descenso as ds

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
