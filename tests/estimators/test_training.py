"""What the estimators hand to descenso.train.fit: weighted validation, callbacks and metrics."""

import numpy as np
import pytest

from descenso import losses
from descenso.estimators import BinaryClassifier, Regressor, _training
from descenso.grad_mode import no_grad
from descenso.tensor import Tensor


@pytest.fixture(scope="module")
def binary():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 2))
    y = (X[:, 0] + 0.7 * X[:, 1] + rng.normal(0, 0.8, size=300) > 0.4).astype(int)
    return X, y


def _validation_rows(model, y, weights):
    """The rows fit held out: the first draw of the estimator's seeded generator."""
    rng = _training.seed_generator(model.random_state)
    _, val = _training.split_validation(len(y), model.validation_fraction, rng, y, weights)
    return val


def test_early_stopping_watches_and_records_the_weighted_validation_loss(binary):
    X, y = binary
    weights = np.where(y == 1, 5.0, 0.5)
    model = BinaryClassifier(
        hidden=(8,), lr=0.05, max_epochs=60, n_iter_no_change=5, random_state=0, ensemble=1
    )
    model.fit(X, y, sample_weight=weights)
    val = _validation_rows(model, y, weights)
    Z = model.representation_.transform(X[val].astype(np.float32))
    with no_grad():
        output = model.model_(Tensor(Z)) * (model.temperature_ or 1.0)  # the network's, before calibration
        weighted = losses.bce_with_logits(output, y[val].astype(np.float32), sample_weight=weights[val])
        plain = losses.bce_with_logits(output, y[val].astype(np.float32))
    best = min(model.history_.val_loss)
    # The restored weights are the best epoch's, judged and recorded by the weighted loss.
    assert weighted.item() == pytest.approx(best, rel=1e-5)
    assert abs(plain.item() - best) > 1e-3  # the unweighted loss is a different number
    assert model.history_.val_loss.index(best) + 1 == model.history_.best_epoch


def test_validation_rows_have_positive_weight():
    rng = np.random.default_rng(0)
    weights = np.ones(50)
    weights[:40] = 0.0
    train, val = _training.split_validation(50, 0.2, rng, None, weights)
    assert (weights[val] > 0).all() and len(val) == 2
    assert sorted([*train, *val]) == list(range(50))
    with pytest.raises(ValueError, match="leaves 0 sample"):
        _training.split_validation(50, 0.99, rng, None, weights)


class Recorder:
    """A descenso.train.fit callback keeping every epoch's logs."""

    def __init__(self):
        self.logs = []

    def on_epoch_end(self, epoch, logs, model):
        self.logs.append(dict(logs, epoch=epoch))


def test_fit_passes_callbacks_and_metrics_to_the_training_loop(binary):
    X, y = binary
    recorder = Recorder()
    model = BinaryClassifier(
        hidden=(8,), lr=0.05, max_epochs=40, random_state=0, ensemble=1, linear_candidate=False
    )
    model.fit(X, y, callbacks=[recorder], metrics=["accuracy"])
    assert [row["epoch"] for row in recorder.logs] == list(range(1, model.n_iter_ + 1))
    # The metric is the network's accuracy on the training rows, averaged over the epoch's batches.
    assert model.history_.metrics["accuracy"] == [row["accuracy"] for row in recorder.logs]
    assert 0.7 < recorder.logs[-1]["val_accuracy"] <= 1.0
    final = recorder.logs[model.history_.best_epoch - 1]["val_accuracy"]
    val = _validation_rows(model, y, None)
    assert np.mean(model.predict(X[val]) == y[val]) == pytest.approx(final)  # threshold 0.5 = logit 0


def test_callbacks_and_metrics_are_fit_arguments_not_parameters(binary):
    X, _y = binary
    model = Regressor(hidden=(4,), max_epochs=3, early_stopping=False, random_state=0, ensemble=1)
    assert "callbacks" not in model.get_params() and "metrics" not in model.get_params()
    recorder = Recorder()
    with pytest.warns(Warning, match="max_epochs=3"):
        model.fit(X, X[:, 0], callbacks=recorder, metrics="mae")  # one of each needs no list
    assert len(recorder.logs) == 3 and len(model.history_.metrics["mae"]) == 3
    with pytest.raises(TypeError, match="has none of the hooks"):
        model.fit(X, X[:, 0], callbacks=[object()])
