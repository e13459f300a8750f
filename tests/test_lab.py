"""The representation lab: the notes' claims about representation, measured."""

import json

import numpy as np
import pytest

from descenso import datasets, features
from descenso.lab import compare_representations


@pytest.fixture(scope="module")
def circles():
    X, y, _ = datasets.load("circles", n=800, noise=0.05, rng=0)
    return X, y


@pytest.fixture(scope="module")
def ring():
    X, y, _ = datasets.load("ring", n=800, noise=0.05, rng=0)
    return X, y


def test_linear_on_circles_needs_polar_coordinates(circles):
    result = compare_representations(
        *circles, ["raw", "polar", "radial", "polynomial"], model="linear", rng=0
    )
    assert result.task == "binary" and result.metric == "accuracy"
    assert result.scores["raw"] < 0.65  # no line separates concentric circles: near chance
    assert result.scores["polar"] >= 0.99  # in polar coordinates one threshold on r does
    assert result.scores["radial"] >= 0.99
    assert result.scores["polynomial"] >= 0.99  # x1^2 + x2^2 is the squared radius
    assert result.best.name != "raw"


def test_linear_on_the_ring_needs_the_radius(ring):
    result = compare_representations(*ring, ["raw", "polar", "radial"], model="linear", rng=0)
    assert result.task == "regression" and result.metric == "r2"
    assert abs(result.scores["raw"]) < 0.05  # R² near 0: the target is symmetric in x1 and x2
    assert result.scores["polar"] >= 0.95
    assert result.scores["radial"] >= 0.95


def test_a_relu_network_learns_the_representation_itself(circles):
    result = compare_representations(*circles, ["raw"], model="mlp", rng=0)
    assert result.scores["raw"] >= 0.95


def test_same_seed_same_numbers(circles):
    first = compare_representations(*circles, ["raw", "polar"], rng=3, epochs=50)
    second = compare_representations(*circles, ["raw", "polar"], rng=3, epochs=50)
    assert first.scores == second.scores
    assert [r.final_loss for r in first.results] == [r.final_loss for r in second.results]


def test_table_and_dict(circles):
    result = compare_representations(*circles, ["raw", features.Polar(center="mean")], epochs=50)
    text = str(result)
    lines = text.splitlines()
    assert "linear model, binary task: 600 training rows, 200 test rows" == lines[0]
    assert lines[1].split() == [
        "representation",
        "features",
        "train",
        "accuracy",
        "test",
        "accuracy",
        "seconds",
    ]
    assert lines[3].startswith("raw") and lines[4].startswith("polar")
    assert f"{100 * result['polar'].test_score:.1f}%" in lines[4]
    summary = json.loads(json.dumps(result.to_dict()))
    assert [r["name"] for r in summary["results"]] == ["raw", "polar"]
    assert result["polar"].feature_names[0] == "r(x1,x2)" and result["polar"].n_features == 4
    with pytest.raises(KeyError, match="compared: raw, polar"):
        result["spline"]


def test_plot_draws_a_png(tmp_path, circles):
    path = tmp_path / "figures" / "lab.png"
    result = compare_representations(*circles, ["raw", "polar", "radial"], epochs=20, plot=path)
    assert result.plot == str(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_custom_model_and_explicit_task(ring):
    from descenso.nn import Linear

    X, y = ring
    result = compare_representations(X, y, ["radial"], model=lambda d: Linear(d, 1, rng=0), task="regression")
    assert result.scores["radial"] >= 0.95


def test_bad_arguments(circles):
    X, y = circles
    with pytest.raises(ValueError, match="model must be 'linear', 'mlp'"):
        compare_representations(X, y, ["raw"], model="forest")
    with pytest.raises(ValueError, match="unknown representation 'polr'"):
        compare_representations(X, y, ["polr"])
    with pytest.raises(ValueError, match="representations is empty"):
        compare_representations(X, y, [])
    with pytest.raises(ValueError, match="expected X of shape"):
        compare_representations(X, y[:10], ["raw"])
    with pytest.raises(ValueError, match="task must be"):
        compare_representations(X, y, ["raw"], task="multiclass")


def test_task_inference():
    X = np.random.default_rng(0).normal(size=(100, 2)).astype(np.float32)
    result = compare_representations(X, X[:, 0] * 2.0, ["raw"], epochs=100)
    assert result.task == "regression" and result.scores["raw"] > 0.99


def test_labels_for_the_table(circles):
    radius = features.Expression(["sqrt(x1**2 + x2**2)"], keep_input=False)
    result = compare_representations(*circles, [("radius formula", radius), "raw"], epochs=100)
    assert [r.name for r in result.results] == ["radius formula", "raw"]
    assert result.scores["radius formula"] >= 0.99


def test_example_06_runs_quickly_and_shows_the_claims(tmp_path):
    import os
    import re
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONWARNINGS": "error"}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(root / "examples" / "06_representation.py"), "--quick", "--plot", "lab.png"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert time.perf_counter() - started < 30
    out = result.stdout

    def number(pattern):
        match = re.search(pattern, out)
        assert match, f"{pattern!r} not in:\n{out}"
        return float(match.group(1))

    assert "representation   features  train accuracy  test accuracy" in out
    assert number(r"a line in \(x1, x2\) is right ([\d.]+)%") < 65
    assert number(r"in polar coordinates ([\d.]+)%") >= 99
    assert number(r"\nradius formula\s+1\s+[\d.]+%\s+([\d.]+)%") >= 99
    assert abs(number(r"on raw coordinates: R² (-?[\d.]+)")) < 0.05
    assert number(r"on the radius: R² ([\d.]+)") >= 0.95
    assert number(r"ReLU network on raw coordinates: test accuracy ([\d.]+)%") >= 95
    assert (tmp_path / "lab.png").read_bytes()[:4] == b"\x89PNG"
