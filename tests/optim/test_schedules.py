"""Learning-rate schedules and gradient clipping, by hand."""

import math

import numpy as np
import pytest

from descenso import optim
from descenso.nn import Parameter


def make_opt(lr=1.0):
    return optim.SGD([Parameter(np.ones(2))], lr=lr, momentum=0.9)


def rates(scheduler, epochs):
    out = []
    for _ in range(epochs):
        scheduler.step()
        out.append(scheduler.optimizer.lr)
    return out


def test_step_lr():
    assert rates(optim.StepLR(make_opt(0.8), step_size=3, gamma=0.5), 7) == pytest.approx(
        [0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2]
    )


def test_exponential_lr():
    assert rates(optim.ExponentialLR(make_opt(1.0), gamma=0.9), 3) == pytest.approx([0.9, 0.81, 0.729])


def test_cosine_lr_reaches_eta_min_at_t_max():
    got = rates(optim.CosineAnnealingLR(make_opt(1.0), T_max=4, eta_min=0.2), 4)
    expected = [0.2 + 0.8 * (1 + math.cos(math.pi * e / 4)) / 2 for e in range(1, 5)]
    assert got == pytest.approx(expected) and got[-1] == pytest.approx(0.2)


def test_schedules_change_only_the_learning_rate():
    w = Parameter(np.array([1.0, 2.0]))
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad[...] = 1.0
    opt.step()
    state, values = opt.state_dict(), w.data.copy()
    sched = optim.StepLR(opt, step_size=1, gamma=0.5)
    sched.step()
    assert opt.lr == 0.05
    np.testing.assert_array_equal(w.data, values)
    np.testing.assert_array_equal(opt.state["momentum_buffer"][0], state["state"]["momentum_buffer.0"])
    assert opt.steps == 1


def test_reduce_on_plateau_patience_cooldown_and_min_lr():
    opt = make_opt(1.0)
    plateau = optim.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=0.2)
    seen = []
    for metric in [5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]:
        plateau.step(metric)
        seen.append(opt.lr)
    # improvements at epochs 1-2; 3 bad epochs -> halve at epoch 5; cooldown 1; then every 4 epochs
    assert seen == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25]
    for _ in range(8):
        plateau.step(4)
    assert opt.lr == 0.2  # floored at min_lr


def test_reduce_on_plateau_max_mode_and_thresholds():
    opt = make_opt(1.0)
    plateau = optim.ReduceLROnPlateau(opt, mode="max", patience=0, threshold=0.1, threshold_mode="abs")
    plateau.step(0.5)
    plateau.step(0.55)  # not better by 0.1 -> reduce
    assert opt.lr == pytest.approx(0.1)
    state = plateau.state_dict()
    other = optim.ReduceLROnPlateau(make_opt(), mode="max")
    other.load_state_dict(state)
    assert other.best == 0.5 and other.last_epoch == 2


@pytest.mark.parametrize(
    "factory",
    [
        lambda o: optim.StepLR(o, step_size=0),
        lambda o: optim.CosineAnnealingLR(o, T_max=0),
        lambda o: optim.ExponentialLR(o, gamma=-1),
        lambda o: optim.ReduceLROnPlateau(o, factor=1.5),
        lambda o: optim.ReduceLROnPlateau(o, mode="lowest"),
        lambda o: optim.ReduceLROnPlateau(o, patience=-1),
    ],
)
def test_schedule_arguments_are_validated(factory):
    with pytest.raises(ValueError):
        factory(make_opt())
    with pytest.raises(TypeError, match="Optimizer"):
        optim.StepLR("adam", step_size=1)


def test_scheduler_state_round_trip():
    sched = optim.ExponentialLR(make_opt(1.0), gamma=0.5)
    rates(sched, 3)
    twin = optim.ExponentialLR(make_opt(1.0), gamma=0.5)
    twin.load_state_dict(sched.state_dict())
    assert rates(twin, 1) == rates(sched, 1) == [0.0625]


def test_clip_grad_norm_scales_all_gradients_together():
    a, b = Parameter(np.zeros(2)), Parameter(np.zeros(1))
    a.grad, b.grad = np.array([3.0, 0.0]), np.array([4.0])
    total = optim.clip_grad_norm([a, b], max_norm=2.5)
    assert total == 5.0
    np.testing.assert_allclose(np.concatenate([a.grad, b.grad]), [1.5, 0.0, 2.0], rtol=1e-6)
    assert optim.clip_grad_norm([a, b], max_norm=10.0) == pytest.approx(2.5, rel=1e-6)
    np.testing.assert_allclose(b.grad, [2.0], rtol=1e-6)  # under the limit: untouched


def test_clip_grad_norm_on_packed_parameters_and_errors():
    w = Parameter(np.ones(4, dtype=np.float32))
    opt = optim.SGD([w], lr=1.0)
    w.grad[...] = 1.0
    assert optim.clip_grad_norm([w], 1.0) == 2.0
    assert np.shares_memory(w.grad, opt.packed.grad) and w.grad.dtype == np.float32
    np.testing.assert_allclose(opt.packed.grad, 0.5, rtol=1e-5)
    with pytest.raises(ValueError, match="max_norm"):
        optim.clip_grad_norm([w], 0)
