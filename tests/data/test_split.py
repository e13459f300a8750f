"""Seeded splits: sizes, disjointness, stratification, reproducibility and errors."""

import numpy as np
import pytest

from descenso import data


def test_three_way_split_partitions_the_rows():
    X = np.arange(200.0).reshape(100, 2)
    y = np.arange(100.0)
    parts = data.train_val_test_split(X, y, val=0.2, test=0.1, rng=0)
    assert (len(parts.X_train), len(parts.X_val), len(parts.X_test)) == (70, 20, 10)
    rows = np.concatenate([parts.y_train, parts.y_val, parts.y_test])
    assert sorted(rows.tolist()) == list(range(100))  # disjoint and complete
    np.testing.assert_array_equal(parts.X_val[:, 0], parts.y_val * 2)  # X and y stay aligned


def test_binary_targets_are_stratified_by_default():
    y = np.array([1.0] * 20 + [0.0] * 80)
    X = np.zeros((100, 1))
    parts = data.train_val_test_split(X, y, val=0.25, test=0.25, rng=3)
    assert parts.y_val.mean() == pytest.approx(0.2) and parts.y_test.mean() == pytest.approx(0.2)
    assert parts.y_train.mean() == pytest.approx(0.2)
    unstratified = [
        data.train_test_split(X, y, test=0.25, stratify=False, rng=s).y_test.mean() for s in range(20)
    ]
    assert np.std(unstratified) > 0.02  # without stratification the ratio wanders


def test_stratified_small_split_still_has_the_requested_size():
    y = np.array([0.0, 1.0] * 5)
    _, X_test, _, _ = data.train_test_split(np.zeros((10, 1)), y, test=1, rng=0)
    assert len(X_test) == 1


def test_seed_reproduces_and_generator_continues():
    X, y = np.arange(50.0), np.arange(50.0)
    a = data.train_test_split(X, y, rng=5)
    b = data.train_test_split(X, y, rng=5)
    assert np.array_equal(a.X_test, b.X_test)
    rng = np.random.default_rng(0)
    c = data.train_test_split(X, y, rng=rng)
    d = data.train_test_split(X, y, rng=rng)
    assert not np.array_equal(c.X_test, d.X_test)


def test_counts_and_errors():
    X, y = np.zeros((10, 1)), np.arange(10.0)
    assert len(data.train_test_split(X, y, test=3).X_test) == 3
    with pytest.raises(ValueError, match=r"X has 10 rows but y has 9"):
        data.train_test_split(X, y[:9])
    with pytest.raises(ValueError, match=r"take all 10 rows"):
        data.train_val_test_split(X, y, val=0.5, test=0.5)
    with pytest.raises(ValueError, match=r"gives an empty test set"):
        data.train_test_split(X, y, test=0.01)
    with pytest.raises(ValueError, match=r"strictly between 0 and 1"):
        data.train_test_split(X, y, test=1.5)
    with pytest.raises(TypeError, match=r"fraction in \(0, 1\) or a number of rows"):
        data.train_test_split(X, y, test="20%")
