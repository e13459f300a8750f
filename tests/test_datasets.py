"""Built-in datasets: shapes, dtypes, seeding, noise and the geometry each one promises."""

import json

import numpy as np
import pytest

from descenso import datasets

NAMES = [info.name for info in datasets.list()]


def test_list_names_every_dataset_with_its_task():
    tasks = {info.name: info.task for info in datasets.list()}
    assert tasks == {
        "spirals": "binary", "circles": "binary", "moons": "binary", "xor": "binary", "blobs": "binary",
        "plane": "regression", "sine": "regression", "friedman": "regression", "ring": "regression",
    }  # fmt: skip
    assert all(info.description and info.n is None for info in datasets.list())
    json.dumps([info.to_dict() for info in datasets.list()])


@pytest.mark.parametrize("name", NAMES)
def test_load_shapes_dtypes_and_labels(name):
    X, y, info = datasets.load(name, n=101, rng=3)
    assert X.shape == (101, len(info.feature_names)) and y.shape == (101,)
    assert X.dtype == np.float32 and y.dtype == np.float32
    assert info.n == 101 and info.name == name
    assert np.isfinite(X).all() and np.isfinite(y).all()
    if info.task == "binary":
        assert set(np.unique(y).tolist()) == {0.0, 1.0}
        assert 45 <= y.sum() <= 56


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data_other_seed_other_data(name):
    X1, y1, _ = datasets.load(name, n=50, rng=7)
    X2, y2, _ = datasets.load(name, n=50, rng=7)
    X3, _, _ = datasets.load(name, n=50, rng=8)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_a_generator_continues_its_stream():
    rng = np.random.default_rng(0)
    X1, _, _ = datasets.load("moons", n=20, rng=rng)
    X2, _, _ = datasets.load("moons", n=20, rng=rng)
    assert not np.array_equal(X1, X2)


def test_circles_radii_without_noise():
    X, y, _ = datasets.load("circles", n=400, noise=0.0)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 1], 0.5, atol=1e-6)
    np.testing.assert_allclose(radius[y == 0], 1.0, atol=1e-6)


def test_noise_sets_the_spread():
    X, y, info = datasets.load("circles", n=20000, noise=0.1, rng=1)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert info.noise == 0.1
    assert 0.08 < np.std(radius[y == 0] - 1.0) < 0.12
    _, y_ring, _ = datasets.load("ring", n=20000, noise=0.2, rng=1)
    _, y_clean, _ = datasets.load("ring", n=20000, noise=0.0, rng=1)
    # Same seed, so the points agree; only the target noise differs.
    assert 0.18 < np.std(y_ring - y_clean) < 0.22


def test_regression_targets_follow_their_formulas():
    X, y, _ = datasets.load("plane", n=100, noise=0.0)
    np.testing.assert_allclose(y, 2 * X[:, 0] - 3 * X[:, 1] + 0.5, atol=1e-5)
    X, y, _ = datasets.load("sine", n=100, noise=0.0)
    np.testing.assert_allclose(y, np.sin(X[:, 0]), atol=1e-6)
    X, y, _ = datasets.load("friedman", n=100, noise=0.0)
    expected = 10 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20 * (X[:, 2] - 0.5) ** 2 + 10 * X[:, 3] + 5 * X[:, 4]
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-4)
    X, y, _ = datasets.load("ring", n=100, noise=0.0)
    np.testing.assert_allclose(y, 2 * np.hypot(X[:, 0], X[:, 1]) - 1, atol=1e-6)


def test_xor_labels_are_the_xor_of_the_signs():
    X, y, _ = datasets.load("xor", n=500, noise=0.0)
    assert np.array_equal(y, ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(np.float32))  # not XNOR


def test_spirals_arms_are_point_reflections():
    X, y, _ = datasets.load("spirals", n=400, noise=0.0)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.max() <= 1.0 + 1e-6
    # Arm 1 is arm 0 rotated by 180 degrees, so both arms cover the same radii.
    assert abs(np.median(radius[y == 0]) - np.median(radius[y == 1])) < 0.1


def test_unknown_name_lists_the_names():
    with pytest.raises(
        ValueError, match=r"unknown dataset 'spiral' \(did you mean 'spirals'\?\).*spirals, circles, moons"
    ):
        datasets.load("spiral")


@pytest.mark.parametrize(("kwargs", "match"), [({"n": 1}, "n must be"), ({"noise": -0.1}, "noise must be")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        datasets.load("circles", **kwargs)


def test_bad_rng_is_a_type_error():
    with pytest.raises(TypeError, match=r"rng must be"):
        datasets.load("circles", rng="seed")
