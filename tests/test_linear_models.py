"""Linear models: the exact solvers agree with scikit-learn, and gradient descent reaches them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.linear_model import Ridge

from descenso.linear_models import (
    LinearRegression,
    LogisticRegression,
    least_squares,
    logistic_newton,
    logistic_objective,
    mse_objective,
)
from descenso.stopping import ConvergenceWarning


def regression_data(n=200, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.7 + 0.3 * rng.normal(size=n)
    return X, y


def classification_data(n=300, d=3, seed=0):
    """Overlapping classes (labels drawn from the logistic model), so the optimum is finite."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    p = 1 / (1 + np.exp(-(X @ np.array([1.5, -1.0, 0.5][:d]) - 0.3)))
    return X, (rng.uniform(size=n) < p).astype(np.float64)


# ---------------------------------------------------------------------------- exact references


def test_least_squares_matches_scikit_learn():
    X, y = regression_data()
    w, b = least_squares(X, y)
    reference = SkLinearRegression().fit(X, y)
    np.testing.assert_allclose(w, reference.coef_, rtol=1e-10)
    assert b == pytest.approx(reference.intercept_, rel=1e-10)


def test_ridge_uses_the_same_l2_as_fit():
    # fit's objective mean((Xw+b-y)^2) + l2/2 |w|^2 is scikit-learn's Ridge with alpha = n l2 / 2.
    X, y = regression_data()
    l2 = 0.1
    w, b = least_squares(X, y, l2=l2)
    reference = Ridge(alpha=len(X) * l2 / 2).fit(X, y)
    np.testing.assert_allclose(w, reference.coef_, rtol=1e-10)
    assert b == pytest.approx(reference.intercept_, rel=1e-10)
    gradient_w = 2 * X.T @ (X @ w + b - y) / len(X) + l2 * w  # zero at the minimum
    assert np.abs(gradient_w).max() < 1e-12


def test_least_squares_reaches_the_minimum_even_with_a_duplicated_column():
    X, y = regression_data()
    X2 = np.c_[X, X[:, 0]]  # rank deficient: infinitely many minimisers, one minimum value
    w, b = least_squares(X2, y)
    w_ref, b_ref = least_squares(X, y)
    assert mse_objective(w, b, X2, y) == pytest.approx(mse_objective(w_ref, b_ref, X, y), rel=1e-12)


def test_integer_sample_weights_equal_repeated_rows_in_both_solvers():
    """A weight of k is the row k times: the weighted mean loss is the repeated table's mean loss."""
    X, y = regression_data(n=60)
    counts = np.random.default_rng(1).integers(1, 4, len(X))
    repeated = np.repeat(np.arange(len(X)), counts)
    w, b = least_squares(X, y, l2=0.05, sample_weight=counts)
    w_ref, b_ref = least_squares(X[repeated], y[repeated], l2=0.05)
    np.testing.assert_allclose(w, w_ref, rtol=1e-10)
    assert b == pytest.approx(b_ref, rel=1e-10)
    Xc, yc = classification_data(n=80)
    counts = np.random.default_rng(2).integers(1, 4, len(Xc))
    repeated = np.repeat(np.arange(len(Xc)), counts)
    w, b, _ = logistic_newton(Xc, yc, l2=0.01, sample_weight=counts * 0.5)  # the scale of weights is free
    w_ref, b_ref, _ = logistic_newton(Xc[repeated], yc[repeated], l2=0.01)
    np.testing.assert_allclose(w, w_ref, atol=1e-9)
    assert b == pytest.approx(b_ref, abs=1e-9)


def test_weighted_solvers_match_scikit_learn_with_sample_weight():
    X, y = regression_data()
    weights = np.random.default_rng(3).uniform(0.1, 2.0, len(X))
    relative = weights * len(X) / weights.sum()  # ours: the weighted mean; scikit-learn: the weighted sum
    l2 = 0.1
    w, b = least_squares(X, y, l2=l2, sample_weight=weights)
    reference = Ridge(alpha=len(X) * l2 / 2).fit(X, y, sample_weight=relative)
    np.testing.assert_allclose(w, reference.coef_, rtol=1e-9)
    assert b == pytest.approx(reference.intercept_, rel=1e-9)
    Xc, yc = classification_data()
    weights = np.random.default_rng(4).uniform(0.1, 2.0, len(Xc))
    relative = weights * len(Xc) / weights.sum()
    w, b, _ = logistic_newton(Xc, yc, l2=0.01, sample_weight=weights)
    reference = SkLogisticRegression(C=1 / (len(Xc) * 0.01), tol=1e-12, max_iter=10_000)
    reference.fit(Xc, yc, sample_weight=relative)
    np.testing.assert_allclose(w, reference.coef_.ravel(), atol=1e-7)
    assert b == pytest.approx(reference.intercept_[0], abs=1e-7)


@pytest.mark.parametrize("bad", [[1.0, -1.0, 1.0], [1.0, np.nan, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0]])
def test_solvers_refuse_bad_sample_weights(bad):
    X, y = regression_data(n=3)
    with pytest.raises(ValueError, match="sample_weight"):
        least_squares(X, y, sample_weight=bad)
    with pytest.raises(ValueError, match="sample_weight"):
        logistic_newton(X, (y > y.mean()).astype(float), sample_weight=bad)


def test_newton_matches_scikit_learn_logistic_regression():
    X, y = classification_data()
    l2 = 0.01
    w, b, steps = logistic_newton(X, y, l2=l2)
    # scikit-learn minimises C sum(loss) + |w|^2 / 2, i.e. ours times C n with C = 1 / (n l2).
    reference = SkLogisticRegression(C=1 / (len(X) * l2), tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(w, reference.coef_.ravel(), atol=1e-7)
    assert b == pytest.approx(reference.intercept_[0], abs=1e-7)
    assert steps < 15  # Newton converges quadratically


def test_newton_reaches_a_zero_gradient_without_penalty():
    X, y = classification_data()
    w, b, _ = logistic_newton(X, y)
    p = 1 / (1 + np.exp(-(X @ w + b)))
    assert np.abs(X.T @ (p - y)).max() / len(X) < 1e-10 and abs(np.mean(p - y)) < 1e-10
    assert logistic_objective(w, b, X, y) < logistic_objective(w * 1.001, b, X, y)


def test_newton_warns_on_separable_data_and_converges_with_a_penalty():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    with pytest.warns(ConvergenceWarning, match="may be linearly separable.*pass l2 > 0"):
        logistic_newton(X, y, max_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w, _, _ = logistic_newton(X, y, l2=0.1)
    assert 0 < w[0] < 10


def test_objectives_are_stable_for_huge_logits():
    X = np.array([[1000.0], [-1000.0]])
    assert logistic_objective([1.0], 0.0, X, [1, 0]) == pytest.approx(0.0, abs=1e-300)
    assert logistic_objective([1.0], 0.0, X, [0, 1]) == pytest.approx(1000.0)


# ---------------------------------------------------------------------------- gradient descent reaches them


def test_gradient_descent_reaches_least_squares_and_tracks_the_gap():
    X, y = regression_data()
    exact = LinearRegression().fit(X, y)
    gd = LinearRegression(solver="gd", tol=1e-10).fit(X, y)
    np.testing.assert_allclose(gd.coef_, exact.coef_, atol=1e-10)
    assert gd.intercept_ == pytest.approx(exact.intercept_, abs=1e-10)
    history = gd.history_
    assert history.stopped_by == "gradient_norm"
    gap = np.array(history.optimum_gap)
    assert gap[0] > 1e-2 and abs(gap[-1]) < 1e-15
    assert (np.diff(gap[gap > 1e-14]) < 0).all()  # lr = 1/L: every step decreases the objective


def test_gradient_descent_reaches_ridge():
    X, y = regression_data()
    exact = LinearRegression(l2=0.5).fit(X, y)
    gd = LinearRegression(solver="gd", l2=0.5).fit(X, y)
    np.testing.assert_allclose(gd.coef_, exact.coef_, atol=1e-8)
    assert gd.objective_ == pytest.approx(exact.objective_, rel=1e-14)


def test_gradient_descent_reaches_the_newton_solution():
    X, y = classification_data()
    exact = LogisticRegression(l2=0.01).fit(X, y)
    gd = LogisticRegression(solver="gd", l2=0.01).fit(X, y)
    np.testing.assert_allclose(gd.coef_, exact.coef_, atol=1e-7)
    assert gd.intercept_ == pytest.approx(exact.intercept_, abs=1e-7)
    assert 0 <= gd.history_.optimum_gap[-1] < 1e-14
    assert gd.history_.stopped_by == "gradient_norm"
    np.testing.assert_array_equal(gd.predict(X), exact.predict(X))


def test_float32_gradient_descent_gets_close_to_the_optimum():
    X, y = regression_data()
    exact = LinearRegression().fit(X, y)
    gd = LinearRegression(solver="gd", dtype="float32", epochs=500).fit(X, y)
    assert gd.coef_.dtype == np.float32
    np.testing.assert_allclose(gd.coef_, exact.coef_, atol=1e-5)
    assert gd.history_.optimum_gap[-1] < 1e-5


def test_predictions():
    X, y = classification_data()
    model = LogisticRegression().fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 2) and ((0 < proba) & (proba < 1)).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X), (proba[:, 1] > 0.5).astype(int))
    assert np.mean(model.predict(X) == y) > 0.7
    regression = LinearRegression().fit(*regression_data())
    np.testing.assert_allclose(regression.predict(np.zeros((1, 4))), [regression.intercept_])


def test_bad_input_is_refused():
    X, y = regression_data()
    with pytest.raises(ValueError, match="solver must be 'lstsq' or 'gd'"):
        LinearRegression(solver="newton").fit(X, y)
    with pytest.raises(ValueError, match="y must hold 0/1 labels"):
        LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 200 rows and y has 199 values"):
        least_squares(X, y[:-1])
    with pytest.raises(ValueError, match="must be finite"):
        least_squares(np.full_like(X, np.nan), y)
