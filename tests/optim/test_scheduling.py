"""Schedules by name in fit(): the rates each epoch trains with, and the refusals."""

import math

import numpy as np
import pytest

from descenso import optim
from descenso.nn import Linear
from descenso.optim.scheduling import make_schedule
from descenso.train import fit


@pytest.fixture
def data():
    X = np.linspace(-1, 1, 40, dtype=np.float32).reshape(-1, 1)
    return X, 2 * X[:, 0] + 0.5


def test_cosine_by_name_anneals_over_the_epochs(data):
    history = fit(Linear(1, 1, rng=0), *data, optimizer="sgd", lr=0.1, epochs=8, schedule="cosine")
    expected = [0.1 * (1 + math.cos(math.pi * e / 8)) / 2 for e in range(8)]
    assert history.lr == pytest.approx(expected)  # epoch e trained with the rate after e steps


def test_step_by_name_divides_by_ten_after_each_third(data):
    history = fit(Linear(1, 1, rng=0), *data, optimizer="sgd", lr=0.1, epochs=9, schedule="step")
    assert history.lr == pytest.approx([0.1] * 3 + [0.01] * 3 + [0.001] * 3)


def test_plateau_by_name_halves_the_rate_when_the_validation_loss_stalls(data):
    X, y = data
    noise = np.random.default_rng(0).normal(size=len(y)).astype(np.float32)
    history = fit(Linear(1, 1, rng=0), X, noise, optimizer="sgd", lr=0.05, epochs=30, validation=0.25,
                  schedule="plateau", rng=0)  # fmt: skip
    assert history.lr[0] == 0.05 and min(history.lr) <= 0.025  # pure noise: nothing to improve for long
    assert set(np.round(np.log2(0.05 / np.array(history.lr)), 6)) <= set(range(31))  # only halvings


def test_a_schedule_object_and_a_factory_are_used_as_given(data):
    model = Linear(1, 1, rng=0)
    opt = optim.SGD(model.parameters(), lr=1.0)
    history = fit(model, *data, optimizer=opt, epochs=4, schedule=optim.StepLR(opt, step_size=2, gamma=0.5))
    assert history.lr == pytest.approx([1.0, 1.0, 0.5, 0.5])
    history = fit(Linear(1, 1, rng=0), *data, optimizer="sgd", lr=0.2, epochs=3,
                  schedule=lambda o: optim.ExponentialLR(o, gamma=0.5))  # fmt: skip
    assert history.lr == pytest.approx([0.2, 0.1, 0.05])


def test_none_keeps_the_rate_constant(data):
    history = fit(Linear(1, 1, rng=0), *data, optimizer="sgd", lr=0.1, epochs=3, schedule="none")
    assert history.lr == [0.1, 0.1, 0.1]


def test_bad_schedules_are_refused_before_training(data):
    with pytest.raises(ValueError, match="unknown schedule 'cosin'; choose one of cosine, step, plateau"):
        fit(Linear(1, 1, rng=0), *data, schedule="cosin")
    other = optim.SGD(Linear(1, 1, rng=1).parameters(), lr=0.1)
    with pytest.raises(ValueError, match="bound to another optimizer"):
        fit(Linear(1, 1, rng=0), *data, schedule=optim.StepLR(other, step_size=1))
    with pytest.raises(TypeError, match="schedule must be None, one of cosine"):
        make_schedule(3, other, epochs=5)


def test_the_captured_step_follows_the_schedule_bit_for_bit(data):
    from descenso.nn import MLP

    weights = []
    for captured in (False, True):
        model = MLP(1, hidden=(8,), rng=0)
        history = fit(model, *data, lr=0.01, epochs=6, schedule="step", compile=captured, rng=0)
        weights.append(model.layers[0].weight.data.copy())
        assert history.lr == pytest.approx([0.01] * 2 + [0.001] * 2 + [0.0001] * 2)
    np.testing.assert_array_equal(*weights)
