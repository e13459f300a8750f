"""Divergence while finite: a loss that explodes stops training, for every task, with the best weights."""

from __future__ import annotations

import numpy as np
import pytest

from descenso import BinaryClassifier, Regressor
from descenso.divergence import Divergence
from descenso.nn import MLP, Linear
from descenso.optim import SGD, Adam
from descenso.stopping import DivergenceError, EarlyStopping
from descenso.train import fit


def blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.float32)
    return X, y


def test_a_classifier_whose_bce_stays_finite_is_stopped_and_restored():
    # BCE from logits is about |logit| for a wrong sign: it never overflows, it just grows.
    X, y = blobs()
    model = MLP(4, hidden=(8,), out_features=1, rng=0)
    initial = model.state_dict()
    with pytest.raises(DivergenceError) as info:
        fit(model, X, y, loss="bce_with_logits", lr=1e6, epochs=50, rng=0)
    error = info.value
    assert str(error).startswith("the loss grew from 0.")
    assert "more than 10000 times its first value, at epoch 1 (lr=1000000.0)" in str(error)
    assert error.restored == "restored the initial weights (no epoch had finished before it diverged)"
    assert str(error).count("try") == 1 and error.suggested_lr == 1e5
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, initial[name])


def test_the_best_epoch_is_restored_and_early_stopping_keeps_its_own_best():
    X, y = blobs()

    class Sabotage:  # the learning rate becomes absurd from epoch 4 on
        def on_epoch_end(self, epoch, logs, model):
            optimizer.lr = 0.05 * (1e7 if epoch >= 3 else 1.0)

    model = MLP(4, hidden=(8,), out_features=1, rng=0)
    optimizer = Adam(model.parameters(), lr=0.05)
    with pytest.raises(DivergenceError) as info:
        fit(
            model, X, y, loss="bce_with_logits", optimizer=optimizer, epochs=50, rng=0, callbacks=[Sabotage()]
        )
    history = info.value.history
    best = int(np.argmin(history.objective[:-1])) + 1
    assert (
        info.value.restored
        == f"restored the weights from the end of epoch {best}, the epoch with the lowest objective "
        f"({min(history.objective):.6g})"
    )
    # With EarlyStopping on validation, its best epoch is what comes back (one note, not two).
    model = MLP(4, hidden=(8,), out_features=1, rng=0)
    optimizer = Adam(model.parameters(), lr=0.05)
    with pytest.raises(DivergenceError) as info:
        fit(model, X, y, loss="bce_with_logits", optimizer=optimizer, epochs=50, rng=0, validation=0.2,
            stop=[EarlyStopping(patience=20)], callbacks=[Sabotage()])  # fmt: skip
    assert info.value.restored is not None and info.value.restored.count("restored") == 1
    assert "(val_loss " in info.value.restored


def test_a_healthy_run_is_not_stopped_and_the_factor_is_configurable():
    X = np.linspace(-1, 1, 40).reshape(-1, 1)
    y = 3 * X[:, 0] + 1
    history = fit(Linear(1, 1, rng=0), X, y, optimizer="sgd", lr=0.5, epochs=50, batch_size=None)
    assert history.stopped_by == "max_epochs"
    # The same run with a loss that grows 1.5 times above its start is divergence under factor=1.5.
    with pytest.raises(DivergenceError, match=r"more than 1\.5 times its first value"):
        fit(Linear(1, 1, rng=0), X, y, optimizer="sgd", lr=1.2, epochs=50, batch_size=None,
            stop=[Divergence(factor=1.5)])  # fmt: skip
    with pytest.raises(ValueError, match=r"Divergence\(factor\) must be a finite number above 1"):
        Divergence(factor=0.5)


@pytest.mark.parametrize("estimator", [BinaryClassifier, Regressor])
def test_the_estimators_raise_for_every_task(estimator):
    X, y = blobs()
    target = y if estimator is BinaryClassifier else X[:, 0] * 3
    with pytest.raises(DivergenceError, match=r"try a smaller learning rate, e\.g\. lr=100000\.0"):
        estimator(lr=1e6, max_epochs=30, random_state=0).fit(X, target)


def test_the_playground_stops_a_finite_explosion_and_keeps_finite_weights():
    from descenso.playground.protocol import Config
    from descenso.playground.session import Session

    session = Session(Config(task="classification", dataset="moons", optimizer="adam", lr=1e4, points=200))
    assert session.run_for(10.0) == "diverged"
    assert session.reason is not None and session.reason.startswith("the loss grew from")
    assert "restored the" in session.reason and "try" not in session.reason
    assert all(np.isfinite(p.data).all() for p in session.model.parameters())


def test_observe_step_keeps_the_first_loss_and_refuses_a_non_finite_one_at_any_step():
    model = Linear(2, 1, rng=0)
    guard = Divergence()
    initial = model.weight.data.copy()
    guard.observe_step(0.75, epoch=1, lr=0.1, model=model)
    model.weight.data[...] = 5.0
    guard.observe_step(0.5, epoch=1, lr=0.1, model=model)  # later steps change nothing
    assert guard.first == 0.75
    assert guard.best_state["weight"].tobytes() == initial.tobytes()
    for bad in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(DivergenceError, match=r"the loss became .* at epoch 3 \(lr=0.1\)"):
            guard.observe_step(bad, epoch=3, lr=0.1, model=model)
    assert guard.first == 0.75
    fresh = Divergence()
    with pytest.raises(DivergenceError):
        fresh.observe_step(float("nan"), epoch=1, lr=0.1, model=model)  # the first step too
    assert fresh.first is None


def test_observe_step_given_the_optimizer_names_its_learning_rate_when_the_loss_is_not_finite():
    model = Linear(2, 1, rng=0)
    optimizer = SGD(model.parameters(), lr=0.25)
    guard = Divergence()
    guard.observe_step(0.75, epoch=1, lr=optimizer, model=model)
    assert guard.first == 0.75
    optimizer.lr = 3.0  # read when the message is written, not when the guard was handed it
    with pytest.raises(DivergenceError, match=r"at epoch 2 \(lr=3.0\)"):
        guard.observe_step(float("inf"), epoch=2, lr=optimizer, model=model)
