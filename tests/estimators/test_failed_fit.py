"""A refused or diverged fit leaves the estimator as it was; random_state=None runs are reproducible."""

import numpy as np
import pytest

from descenso.estimators import BinaryClassifier, Regressor
from descenso.estimators._validation import check_is_fitted
from descenso.stopping import DivergenceError

RNG = np.random.default_rng(0)
X = RNG.normal(size=(120, 3))
Y = X @ np.array([1.0, 2.0, 3.0])
LABELS = (X[:, 0] > 0).astype(int)


SMALL = {"hidden": (6,), "max_epochs": 15, "n_iter_no_change": None, "ensemble": 1, "random_state": 0}


def _regressor(**kw):
    return Regressor(**SMALL, **kw).fit(X, Y)


def _with_nan():
    bad = X.copy()
    bad[3, 1] = np.nan
    return bad


@pytest.mark.parametrize(
    "X_bad, y_bad",
    [
        (_with_nan(), Y),  # a NaN in X
        (X, np.full(len(Y), np.nan)),  # a bad y
        (X, Y[:50]),  # mismatched lengths
        (X[:, :2], np.array(["a"] * len(X))),  # another width and a text target
    ],
)
def test_refused_refit_keeps_the_model(X_bad, y_bad):
    model = _regressor()
    before = model.predict(X).tobytes()
    with pytest.raises((ValueError, TypeError)):
        model.fit(X_bad, y_bad)
    assert model.n_features_in_ == 3
    assert model.predict(X).tobytes() == before


def test_bad_hyperparameter_keeps_the_model():
    model = _regressor()
    before = model.predict(X).tobytes()
    with pytest.raises(ValueError, match="hidden"):
        model.set_params(hidden=(-1,)).fit(X, Y)
    assert model.predict(X).tobytes() == before


def test_bad_labels_keep_the_classifier():
    model = BinaryClassifier(**SMALL).fit(X, LABELS)
    before, classes = model.predict_proba(X).tobytes(), model.classes_.copy()
    with pytest.raises(ValueError):
        model.fit(X, np.arange(len(X)) % 3)  # three classes
    np.testing.assert_array_equal(model.classes_, classes)
    assert model.predict_proba(X).tobytes() == before


def test_diverged_fit_on_a_fresh_estimator_leaves_it_unfitted():
    model = Regressor(hidden=(8,), lr=10, ensemble=1, random_state=0)
    with pytest.raises(DivergenceError):
        model.fit(X, Y)
    with pytest.raises(Exception, match="not fitted"):
        check_is_fitted(model)


def test_diverged_refit_keeps_the_old_model():
    model = _regressor()
    before = model.predict(X).tobytes()
    with pytest.raises(DivergenceError):
        model.set_params(lr=10).fit(X, Y)
    assert model.predict(X).tobytes() == before


class _FailAfterTwoEpochs:
    def on_epoch_end(self, epoch, logs, model):
        if epoch >= 2:
            raise RuntimeError("stopped from outside")


def test_failed_warm_start_gets_its_old_weights_back():
    model = _regressor(warm_start=True)  # continues training the same network, in place
    before = model.predict(X).tobytes()
    with pytest.raises(RuntimeError, match="from outside"):
        model.fit(X, Y, callbacks=[_FailAfterTwoEpochs()])
    assert model.predict(X).tobytes() == before
    model.fit(X, Y)  # and it can still continue
    assert model.predict(X).tobytes() != before


def test_random_state_none_records_the_seed_that_reproduces_the_run():
    first = Regressor(hidden=(6,), max_epochs=10, n_iter_no_change=None).fit(X, Y)
    seed = first.random_state_
    assert isinstance(seed, int) and all(h.seed == seed for h in first.histories_)
    again = Regressor(hidden=(6,), max_epochs=10, n_iter_no_change=None, random_state=seed).fit(X, Y)
    assert again.random_state_ == seed
    for a, b in zip(first.model_.state_dict().values(), again.model_.state_dict().values(), strict=True):
        assert a.tobytes() == b.tobytes()
