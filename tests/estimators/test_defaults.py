"""The default estimators: a prior-initialised output, a few-seed ensemble stored as one MLP, schedules."""

import numpy as np
import pytest

from descenso.estimators import BinaryClassifier, Regressor
from descenso.estimators._ensemble import merge, n_members
from descenso.nn import MLP


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    return X, X[:, 0] - X[:, 1] ** 2 + 0.1 * rng.normal(size=300)


def test_the_untrained_classifier_predicts_the_base_rate():
    X = np.random.default_rng(1).normal(size=(200, 3))
    y = np.r_[np.ones(50), np.zeros(150)]  # noise labels, 25 % positive
    clf = BinaryClassifier(max_epochs=1, early_stopping=False, n_iter_no_change=None, ensemble=1, lr=1e-6)
    clf.fit(X, y)
    assert clf.model_.layers[-1].bias.data[0] == pytest.approx(np.log(0.25 / 0.75), abs=0.05)
    assert np.abs(clf.predict_proba(X)[:, 1] - 0.25).max() < 0.2


def test_the_ensemble_is_one_mlp_that_averages_its_members(data):
    X, y = data
    model = Regressor(hidden=(8, 4), random_state=0).fit(X, y)  # 300 rows: "auto" trains 3
    assert model.chosen_ == "network" and model.model_.hidden == [24, 12]
    assert len(model.histories_) == 6  # linear 1/3, network 1/3, ...
    inner = model.model_.layers[2].weight.data  # (12, 24): no unit sees another member's units
    assert not inner[:4, 8:].any() and not inner[4:8, :8].any() and inner[:4, :8].any()
    assert model.score(X, y) > 0.9
    single = Regressor(hidden=(8, 4), random_state=0, ensemble=1).fit(X, y)
    assert single.model_.hidden == [8, 4] and len(single.histories_) == 2  # the linear candidate, the network


def test_merge_is_exact_for_linear_and_deep_members():
    X = np.random.default_rng(0).normal(size=(7, 3)).astype(np.float32)
    for hidden in ((), (5,), (5, 4, 3)):
        nets = [MLP(3, hidden=hidden, rng=seed) for seed in range(4)]
        merged = merge(nets)
        assert merged.hidden == [4 * h for h in hidden]
        np.testing.assert_allclose(merged(X).data, np.mean([n(X).data for n in nets], axis=0), atol=1e-5)


def test_auto_is_three_networks_below_ten_thousand_rows():
    assert [n_members("auto", n) for n in (10, 9_999, 10_000)] == [3, 3, 1]
    with pytest.raises(ValueError, match="'ensemble' parameter must be 'auto'"):
        Regressor(ensemble=0).fit(np.ones((20, 1)), np.arange(20.0))


def test_schedule_by_name_and_no_patience(data):
    X, y = data
    model = Regressor(hidden=(8,), max_epochs=20, early_stopping=False, n_iter_no_change=None, tol=10.0,
                      schedule="cosine", ensemble=1, random_state=0).fit(X, y)  # fmt: skip
    assert model.n_iter_ == 20  # no tolerance rule: every epoch runs, and no ConvergenceWarning
    assert model.history_.lr[0] == pytest.approx(3e-3) and model.history_.lr[-1] < 1e-4
    with pytest.raises(ValueError, match="'schedule' parameter must be None, one of 'cosine'"):
        Regressor(schedule="linear").fit(X, y)
