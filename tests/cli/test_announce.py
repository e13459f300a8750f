"""train says what it does to the columns: the one-hot encoding of text columns, polar's 4 features."""

from __future__ import annotations

import json

from descenso.estimators import load

from .helpers import descenso


def test_the_one_hot_encoding_of_a_text_column_is_announced(tmp_path, penguins):
    args = ["--target", "sex", "--epochs", "2", "--ensemble", "1", "--name", "p"]
    result = descenso("train", str(penguins), *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    line = ("one-hot encoding 1 text column into 3 inputs (one 0/1 input per category): "
            "species (3 categories: Adelie, Chinstrap, Gentoo)")  # fmt: skip
    assert result.stderr.count(line) == 1, result.stderr
    assert result.stderr.index(line) < result.stderr.index("epoch 1/2")  # said before training
    model = load(tmp_path / "runs" / "p" / "model.descenso")  # and it is what the model learned
    [species] = [c for c in model.schema_.columns if c["kind"] == "categorical"]
    assert species["name"] == "species" and species["categories"] == ["Adelie", "Chinstrap", "Gentoo"]
    summary = json.loads((tmp_path / "runs" / "p" / "metrics.json").read_text())
    assert summary["network_inputs"][-3:] == ["species=Adelie", "species=Chinstrap", "species=Gentoo"]


def test_numbers_only_get_no_one_hot_line(tmp_path, ring):
    result = descenso(
        "train", str(ring), "--target", "label", "--epochs", "2", "--ensemble", "1", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "one-hot" not in result.stderr and "--features" not in result.stderr


def test_polar_names_the_four_features_it_makes(tmp_path, penguins):
    steps = "polar(bill_length_mm,bill_depth_mm)"
    args = ["--target", "sex", "--features", steps, "--epochs", "2", "--ensemble", "1", "--name", "polar"]
    result = descenso("train", str(penguins), *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pair = "(bill_length_mm,bill_depth_mm)"
    made = [f"r{pair}", f"angle{pair}", f"sin_angle{pair}", f"cos_angle{pair}"]
    rest = ["flipper_length_mm", "body_mass_g", "species=Adelie", "species=Chinstrap", "species=Gentoo"]
    assert (f"--features {steps}: the network's 9 inputs are {', '.join(made + rest)} (then standardised)"
            in result.stderr)  # fmt: skip
    summary = json.loads((tmp_path / "runs" / "polar" / "metrics.json").read_text())
    assert summary["network_inputs"] == made + rest
    model = load(tmp_path / "runs" / "polar" / "model.descenso")
    assert model.model_.in_features == 9  # the network takes exactly the inputs named


def test_the_help_says_what_polar_makes(tmp_path):
    result = descenso("train", "--help", cwd=tmp_path)
    assert "r, angle, sin_angle, cos_angle" in " ".join(result.stdout.split())
