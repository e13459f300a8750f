"""Standardize and MinMax: values against scikit-learn, constant columns, dtype, fit on train only."""

import numpy as np
import pytest
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from descenso import features


@pytest.fixture
def X():
    return np.random.default_rng(0).normal(3.0, 2.0, (50, 3)).astype(np.float32)


def test_standardize_matches_scikit_learn(X):
    ours = features.Standardize().fit(X[:40])
    theirs = StandardScaler().fit(X[:40].astype(np.float64))
    np.testing.assert_allclose(ours.transform(X[40:]), theirs.transform(X[40:]), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours.mean_, theirs.mean_, rtol=1e-6)


def test_standardize_gives_zero_mean_unit_std_on_training_data(X):
    Z = features.Standardize().fit_transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, atol=1e-5)
    assert Z.dtype == np.float32


def test_standardize_constant_column_becomes_zeros_not_nan():
    X = np.array([[1.0, 7.0], [3.0, 7.0]], dtype=np.float32)
    scaler = features.Standardize().fit(X)
    assert scaler.scale_[1] == 1.0
    np.testing.assert_array_equal(scaler.transform(X)[:, 1], [0.0, 0.0])


def test_standardize_uses_training_statistics_only(X):
    scaler = features.Standardize().fit(X[:10])
    shifted = scaler.transform(X[10:] + 100.0)
    assert shifted.mean() > 10  # new data is not re-centred


def test_standardize_keeps_float64_and_inverts(X):
    X64 = X.astype(np.float64)
    scaler = features.Standardize().fit(X64)
    Z = scaler.transform(X64)
    assert Z.dtype == np.float64
    np.testing.assert_allclose(scaler.inverse_transform(Z), X64, rtol=1e-12)


def test_minmax_matches_scikit_learn(X):
    ours = features.MinMax(feature_range=(-1, 2)).fit(X[:30])
    theirs = MinMaxScaler(feature_range=(-1, 2)).fit(X[:30].astype(np.float64))
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-5, atol=1e-5)


def test_minmax_constant_column_maps_to_low():
    X = np.array([[2.0], [2.0]], dtype=np.float32)
    np.testing.assert_array_equal(features.MinMax().fit_transform(X), [[0.0], [0.0]])


def test_minmax_refuses_an_empty_range():
    with pytest.raises(ValueError, match=r"low < high"):
        features.MinMax(feature_range=(1, 1))


def test_transform_before_fit_says_so(X):
    with pytest.raises(features.NotFittedError, match=r"not fitted yet; call fit"):
        features.Standardize().transform(X)


def test_wrong_number_of_columns_and_nan_are_refused(X):
    scaler = features.Standardize().fit(X)
    with pytest.raises(ValueError, match=r"X has 2 columns but this transform was fitted on 3"):
        scaler.transform(X[:, :2])
    bad = X.copy()
    bad[4, 1] = np.nan
    with pytest.raises(ValueError, match=r"1 NaN/inf values \(first in column 1"):
        scaler.transform(bad)
    with pytest.raises(ValueError, match=r"expected a 2-D array"):
        scaler.transform(X[:, 0])
    with pytest.raises(TypeError, match=r"numeric array"):
        features.Standardize().fit(np.array([["a"], ["b"]]))


def test_integer_input_becomes_float32():
    Z = features.Standardize().fit_transform(np.array([[1], [3]]))
    assert Z.dtype == np.float32
    np.testing.assert_array_equal(Z, [[-1.0], [1.0]])
