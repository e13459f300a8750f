"""Polynomial features against scikit-learn's PolynomialFeatures, names and sizes."""

from math import comb

import numpy as np
import pytest
from sklearn.preprocessing import PolynomialFeatures

from descenso import features


@pytest.mark.parametrize("degree", [1, 2, 3])
@pytest.mark.parametrize("interaction_only", [False, True])
@pytest.mark.parametrize("include_bias", [False, True])
def test_matches_scikit_learn(degree, interaction_only, include_bias):
    X = np.random.default_rng(degree).normal(size=(7, 3)).astype(np.float32)
    ours = features.Polynomial(degree, interaction_only, include_bias).fit_transform(X)
    theirs = PolynomialFeatures(degree, interaction_only=interaction_only, include_bias=include_bias)
    np.testing.assert_allclose(ours, theirs.fit_transform(X.astype(np.float64)), rtol=1e-5, atol=1e-6)
    assert ours.dtype == np.float32


def test_number_of_monomials():
    X = np.ones((1, 4), dtype=np.float32)
    assert features.Polynomial(3).fit_transform(X).shape[1] == comb(4 + 3, 3) - 1


def test_names():
    poly = features.Polynomial(3, interaction_only=True).fit(np.ones((1, 3)))
    assert poly.get_feature_names_out(["a", "b", "c"]) == ["a", "b", "c", "a*b", "a*c", "b*c", "a*b*c"]
    with_bias = features.Polynomial(2, include_bias=True).fit(np.ones((1, 1)))
    assert with_bias.get_feature_names_out() == ["1", "x1", "x1^2"]


@pytest.mark.parametrize("degree", [0, 1.5, True])
def test_bad_degree(degree):
    with pytest.raises(ValueError, match=r"degree must be an int >= 1"):
        features.Polynomial(degree)
