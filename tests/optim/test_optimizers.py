"""Optimizers: two steps worked by hand, flat vs reference paths, state, validation, dtypes."""

import math

import numpy as np
import pytest

import descenso as ds
from descenso import losses, optim
from descenso.nn import MLP, Parameter

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace


def run_steps(opt_factory, w0, grad_fn, steps=2):
    """Steps on one float64 parameter with gradient grad_fn(w); returns the values after each step."""
    w = Parameter(np.array(w0, dtype=np.float64))
    opt = opt_factory([w])
    values = []
    for _ in range(steps):
        opt.zero_grad()
        w.grad[...] = grad_fn(w.data)
        opt.step()
        values.append(w.data.copy())
    return values


def quadratic(w):
    return 2 * w  # gradient of sum(w^2)


def test_sgd_two_steps_by_hand():
    a, b = run_steps(lambda p: optim.SGD(p, lr=0.1), [1.0, -2.0], quadratic)
    np.testing.assert_allclose(a, [0.8, -1.6])
    np.testing.assert_allclose(b, [0.64, -1.28])


def test_sgd_momentum_two_steps_by_hand():
    # b1 = g1 = [2, -4]; w1 = w0 - 0.1 b1.  b2 = 0.9 b1 + g2 = [3.4, -6.8]; w2 = w1 - 0.1 b2.
    a, b = run_steps(lambda p: optim.SGD(p, lr=0.1, momentum=0.9), [1.0, -2.0], quadratic)
    np.testing.assert_allclose(a, [0.8, -1.6])
    np.testing.assert_allclose(b, [0.46, -0.92])


def test_sgd_nesterov_two_steps_by_hand():
    # d1 = g1 + 0.9 b1 = [3.8, -7.6]; w1 = [0.62, -1.24]; g2 = [1.24, -2.48]; b2 = [3.04, -6.08];
    # d2 = g2 + 0.9 b2 = [3.976, -7.952]; w2 = w1 - 0.1 d2.
    a, b = run_steps(lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True), [1.0, -2.0], quadratic)
    np.testing.assert_allclose(a, [0.62, -1.24])
    np.testing.assert_allclose(b, [0.2224, -0.4448])


def test_sgd_weight_decay_and_dampening_by_hand():
    # loss = w, grad 1: g = 1 + 0.5 w.  w1 = 1 - 0.1 * 1.5 = 0.85; w2 = 0.85 - 0.1 * 1.425.
    a, b = run_steps(lambda p: optim.SGD(p, lr=0.1, weight_decay=0.5), [1.0], lambda w: np.ones_like(w))
    assert (a[0], b[0]) == pytest.approx((0.85, 0.7075))
    # dampening 0.5: b1 = g (PyTorch: no dampening on the first step), b2 = 0.9 * 1 + 0.5 * 1 = 1.4.
    a, b = run_steps(
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.5), [1.0], lambda w: np.ones_like(w)
    )
    assert (a[0], b[0]) == pytest.approx((0.9, 0.76))


def test_adam_two_steps_by_hand():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    a, b = run_steps(lambda p: optim.Adam(p, lr=lr), [1.0], quadratic)
    # step 1: g = 2, m = 0.2, v = 0.004; m_hat = 2, v_hat = 4 -> w = 1 - 0.1 * 2 / (2 + eps)
    assert a[0] == pytest.approx(1 - 0.1 * 2 / (2 + eps), rel=1e-12)
    g2 = 2 * a[0]
    m2 = b1 * 0.2 + (1 - b1) * g2
    v2 = b2 * 0.004 + (1 - b2) * g2 * g2
    expected = a[0] - lr * (m2 / (1 - b1**2)) / (math.sqrt(v2 / (1 - b2**2)) + eps)
    assert b[0] == pytest.approx(expected, rel=1e-12)
    assert b[0] == pytest.approx(0.80041, abs=1e-5)


def test_adamw_decays_before_the_adam_step():
    a, b = run_steps(lambda p: optim.AdamW(p, lr=0.1, weight_decay=0.5), [1.0], lambda w: np.zeros_like(w))
    assert (a[0], b[0]) == pytest.approx((0.95, 0.9025))  # zero gradient: only (1 - lr wd) per step
    adam_wd = run_steps(lambda p: optim.Adam(p, lr=0.1, weight_decay=0.5), [1.0], lambda w: np.zeros_like(w))
    assert adam_wd[0][0] == pytest.approx(0.9, rel=1e-6)  # coupled: the decay is normalised by Adam


def test_adam_amsgrad_keeps_the_largest_second_moment():
    grads = iter([10.0, 0.1, 0.1])
    w = Parameter(np.array([0.0]))
    opt = optim.Adam([w], lr=0.1, amsgrad=True)
    for _ in range(3):
        w.grad[...] = next(grads)
        opt.step()
    np.testing.assert_array_equal(
        opt.state["max_exp_avg_sq"][0], np.maximum(opt.state["max_exp_avg_sq"][0], opt.state["exp_avg_sq"][0])
    )
    assert opt.state["max_exp_avg_sq"][0][0] == pytest.approx(0.001 * 100, rel=1e-12)


def test_rmsprop_two_steps_by_hand():
    a, b = run_steps(lambda p: optim.RMSprop(p, lr=0.01, alpha=0.75), [1.0], quadratic)
    # v1 = 0.25 * 4 = 1 -> w1 = 1 - 0.01 * 2 / (1 + eps); v2 = 0.75 + 0.25 * g2^2
    assert a[0] == pytest.approx(0.98, rel=1e-9)
    g2 = 2 * a[0]
    assert b[0] == pytest.approx(a[0] - 0.01 * g2 / (math.sqrt(0.75 + 0.25 * g2 * g2) + 1e-8), rel=1e-12)


def test_rmsprop_centered_momentum_by_hand():
    a, _ = run_steps(
        lambda p: optim.RMSprop(p, lr=0.01, alpha=0.5, momentum=0.9, centered=True), [1.0], quadratic
    )
    # v = 0.5 * 4 = 2, mu = 0.5 * 2 = 1, r = sqrt(2 - 1) = 1, b = g / r = 2 -> w = 1 - 0.02
    assert a[0] == pytest.approx(0.98, rel=1e-7)


CONFIGS = [
    (optim.SGD, dict(lr=0.05)),
    (optim.SGD, dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=1e-2)),
    (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
    (optim.Adam, dict(lr=0.01, weight_decay=1e-2)),
    (optim.Adam, dict(lr=0.01, amsgrad=True)),
    (optim.AdamW, dict(lr=0.01)),
    (optim.RMSprop, dict(lr=0.01)),
    (optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True, weight_decay=1e-2)),
]


def data(n=48, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)).astype(dtype)
    return X, (X[:, 0] * X[:, 1] > 0).astype(dtype)


def train(model, opt, steps=20, dtype=np.float32):
    X, y = data(dtype=dtype)
    history = []
    for i in range(steps):
        rows = slice((i * 16) % 48, (i * 16) % 48 + 16)
        opt.zero_grad()
        loss = losses.bce_with_logits(model(X[rows]), y[rows])
        loss.backward()
        opt.step()
        history.append(loss.item())
    return history


@pytest.mark.parametrize(("cls", "kwargs"), CONFIGS)
def test_flat_and_reference_paths_give_identical_numbers(cls, kwargs):
    fast, slow = MLP(3, hidden=(8, 8), rng=0), MLP(3, hidden=(8, 8), rng=0)
    opt_fast, opt_slow = cls(fast.parameters(), **kwargs), cls(slow.parameters(), flat=False, **kwargs)
    assert opt_fast.packed is not None and opt_slow.packed is None
    assert train(fast, opt_fast) == train(slow, opt_slow)
    for (name, a), (_, b) in zip(fast.named_parameters(), slow.named_parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)


def test_packing_makes_views_into_one_buffer():
    model = MLP(3, hidden=(4,), rng=0)
    before = model.state_dict()
    opt = optim.Adam(model.parameters())
    flat = opt.packed
    assert flat.data.size == model.num_parameters() and flat.data.dtype == np.float32
    for p in model.parameters():
        assert np.shares_memory(p.data, flat.data) and np.shares_memory(p.grad, flat.grad)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])
    losses.mse(model(np.ones((2, 3))), [1.0, 2.0]).backward()
    assert np.any(flat.grad != 0)  # backward accumulated straight into the flat buffer
    opt.zero_grad()
    assert not np.any(flat.grad) and all(np.shares_memory(p.grad, flat.grad) for p in model.parameters())


@pytest.mark.numpy_only("assigns NumPy arrays to .grad")
def test_mixed_dtypes_use_the_reference_path():
    a, b = Parameter(np.ones(2, dtype=np.float32)), Parameter(np.ones(3, dtype=np.float64))
    opt = optim.SGD([a, b], lr=0.5, momentum=0.9)
    assert opt.packed is None
    a.grad, b.grad = np.ones(2, np.float32), np.ones(3)
    opt.step()
    assert a.data.tolist() == [0.5, 0.5] and a.dtype == np.float32 and b.dtype == np.float64


def test_replacing_data_is_detected_and_load_state_dict_keeps_packing():
    model = MLP(3, hidden=(4,), rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    model.load_state_dict(MLP(3, hidden=(4,), rng=1).state_dict())
    opt.step()  # in-place load: still packed
    model.layers[0].weight.data = model.layers[0].weight.data.copy()
    with pytest.raises(RuntimeError, match=r"parameter 0 \(shape \(4, 3\)\).*load_state_dict"):
        opt.step()
    assert opt.steps == 1  # the refused step did not count


@pytest.mark.numpy_only("assigns NumPy arrays to .grad")
def test_a_replaced_or_missing_grad_is_reattached():
    w = Parameter(np.array([1.0, 2.0]))
    opt = optim.SGD([w], lr=0.5)
    w.zero_grad()  # Tensor.zero_grad sets None
    opt.step()
    assert w.data.tolist() == [1.0, 2.0]
    w.grad = np.array([1.0, 1.0])
    opt.step()
    assert w.data.tolist() == [0.5, 1.5] and np.shares_memory(w.grad, opt.packed.grad)
    w.grad = np.array([5.0, 5.0])
    opt.zero_grad()
    assert w.grad.tolist() == [0.0, 0.0] and np.shares_memory(w.grad, opt.packed.grad)


@pytest.mark.parametrize(("cls", "kwargs"), CONFIGS)
def test_float32_stays_float32(cls, kwargs):
    model = MLP(3, hidden=(4,), rng=0)
    opt = cls(model.parameters(), **kwargs)
    train(model, opt, steps=2)
    assert all(p.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())
    assert all(buf.dtype == np.float32 for bufs in opt.state.values() for buf in bufs)


@pytest.mark.parametrize(("cls", "kwargs"), CONFIGS)
@pytest.mark.parametrize("flat", [True, False])
def test_state_dict_round_trip_continues_like_one_long_run(cls, kwargs, flat):
    long_model = MLP(3, hidden=(5,), rng=0, dtype="float64")
    long_opt = cls(long_model.parameters(), flat=flat, **kwargs)
    expected = train(long_model, long_opt, steps=12, dtype=np.float64)

    first = MLP(3, hidden=(5,), rng=0, dtype="float64")
    first_opt = cls(first.parameters(), flat=flat, **kwargs)
    part1 = train(first, first_opt, steps=6, dtype=np.float64)
    saved_model, saved_opt = first.state_dict(), first_opt.state_dict()
    resumed = MLP(3, hidden=(5,), rng=99, dtype="float64")
    resumed_opt = cls(resumed.parameters(), flat=not flat, **kwargs)  # the other path: state is portable
    resumed.load_state_dict(saved_model)
    resumed_opt.load_state_dict(saved_opt)
    # batches 6..11 of the long run
    X, y = data(dtype=np.float64)
    part2 = []
    for i in range(6, 12):
        rows = slice((i * 16) % 48, (i * 16) % 48 + 16)
        resumed_opt.zero_grad()
        loss = losses.bce_with_logits(resumed(X[rows]), y[rows])
        loss.backward()
        resumed_opt.step()
        part2.append(loss.item())
    np.testing.assert_allclose(part1 + part2, expected, rtol=1e-13)
    for (_, a), (_, b) in zip(resumed.named_parameters(), long_model.named_parameters(), strict=True):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-12)


def test_load_state_dict_rejects_other_optimizers_and_shapes():
    w = Parameter(np.ones(3))
    adam = optim.Adam([w])
    with pytest.raises(ValueError, match="for 'SGD', not Adam"):
        adam.load_state_dict(optim.SGD([Parameter(np.ones(3))]).state_dict())
    other = optim.Adam([Parameter(np.ones(4))]).state_dict()
    with pytest.raises(ValueError, match=r"'exp_avg.0' has shape \(4,\), expected \(3,\)"):
        adam.load_state_dict(other)
    state = adam.state_dict()
    state["hyperparameters"]["betas"] = [0.9, 1.5]
    with pytest.raises(ValueError, match="betas"):
        adam.load_state_dict(state)


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda p: optim.SGD(p, lr=-0.1), r"lr must be a number in \[0.0, inf\]; got -0.1. Fix"),
        (lambda p: optim.SGD(p, lr=float("nan")), "lr must be"),
        (lambda p: optim.SGD(p, lr="0.1"), "lr must be"),
        (lambda p: optim.SGD(p, momentum=-0.9), "momentum"),
        (lambda p: optim.SGD(p, nesterov=True), "nesterov=True needs momentum > 0"),
        (lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True), "dampening=0"),
        (lambda p: optim.SGD(p, weight_decay=-1), "weight_decay"),
        (lambda p: optim.Adam(p, betas=(0.9, 1.0)), r"betas\[1\] must be a number in \[0.0, 1.0\)"),
        (lambda p: optim.Adam(p, betas=(-0.1, 0.99)), r"betas\[0\]"),
        (lambda p: optim.Adam(p, betas=0.9), "pair"),
        (lambda p: optim.AdamW(p, eps=-1e-8), "eps"),
        (lambda p: optim.RMSprop(p, alpha=1.0), "alpha"),
        (lambda p: optim.RMSprop(p, momentum=-1), "momentum"),
    ],
)
def test_hyperparameters_are_validated_at_construction(factory, message):
    with pytest.raises(ValueError, match=message):
        factory([Parameter(np.ones(2))])


def test_params_are_validated():
    with pytest.raises(TypeError, match="wrap it in a list"):
        optim.SGD(Parameter(np.ones(2)))
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(TypeError, match=r"params\[0\]"):
        optim.Adam([np.ones(2)])
    x = ds.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="leaf"):
        optim.Adam([x * 2])


def test_lr_is_writable_and_used_by_the_next_step():
    w = Parameter(np.array([1.0]))
    opt = optim.SGD([w], lr=0.1)
    opt.lr = 0.5
    w.grad[...] = 1.0
    opt.step()
    assert w.data[0] == 0.5
    with pytest.raises(ValueError, match="lr"):
        opt.lr = -1


def test_get_builds_by_name():
    p = [Parameter(np.ones(2))]
    assert isinstance(optim.get("GD", p, lr=0.1), optim.SGD) and optim.GD is optim.SGD
    assert optim.get("adamw", p).weight_decay == 0.01
    assert optim.get(optim.RMSprop, p, lr=0.1).lr == 0.1
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        optim.get("lbfgs", p)
    assert "momentum=0.9" in repr(optim.SGD(p, momentum=0.9))
