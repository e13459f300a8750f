"""numba's fused kernels (descenso[fast]) give the NumPy kernels' bytes, on awkward values too.

Each kernel against the NumPy calls it replaces, on values chosen to catch a changed order of
operations or a different rounding: signed zeros, subnormals, huge and tiny magnitudes, NaN.
The whole captured step with these kernels against the eager step is in ``test_compile.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba", reason="numba is not installed: the fused kernels are descenso[fast]'s")

import descenso as ds
from descenso import _fused, _kernels, nn, optim
from descenso.train import fit

DTYPES = [np.float32, np.float64]


def awkward(dtype, n=301, seed=0):
    """Values of every magnitude with signed zeros and subnormals among them (no NaN)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * 10.0 ** rng.integers(-6, 6, n)
    special = [0.0, -0.0, 1e-40, -1e-40, 3e38, -3e38]
    x[: min(n, 6)] = special[:n]
    return x.astype(dtype)


OPTIMIZERS = {
    "adam": lambda p: optim.Adam(p, lr=1e-2),
    "adam_amsgrad_decay": lambda p: optim.Adam(p, lr=3e-2, betas=(0.8, 0.99), amsgrad=True, weight_decay=0.1),
    "adamw": lambda p: optim.AdamW(p, lr=1e-2, weight_decay=0.3),
    "sgd": lambda p: optim.SGD(p, lr=0.1),
    "sgd_momentum_dampening": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.01),
    "sgd_nesterov": lambda p: optim.SGD(p, lr=0.1, momentum=0.5, nesterov=True),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_the_fused_update_equals_the_optimizer_step_bit_for_bit(name, dtype):
    def build():
        params = [
            ds.tensor(awkward(dtype, 301).reshape(7, 43), requires_grad=True),
            ds.tensor(awkward(dtype, 5)),
        ]
        params[1].requires_grad = True
        return params, OPTIMIZERS[name](params)

    (params, opt), (fused_params, fused_opt) = build(), build()
    update = _fused.optimizer_update(fused_opt)
    assert type(update) in (_fused.FusedAdam, _fused.FusedSGD)
    for step in range(6):
        for p, q, seed in zip(params, fused_params, (step, step + 10), strict=True):
            p.grad[...] = q.grad[...] = awkward(dtype, p.size, seed).reshape(p.shape)
        with np.errstate(over="ignore", invalid="ignore"):
            opt.step()
            update()
        assert fused_opt.steps == opt.steps == step + 1
        for p, q in zip(params, fused_params, strict=True):
            assert p.data.tobytes() == q.data.tobytes()
        for key, value in opt.state_dict()["state"].items():
            assert value.tobytes() == fused_opt.state_dict()["state"][key].tobytes(), key


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_the_checked_fused_update_steps_on_a_finite_gradient_and_touches_nothing_on_another(name):
    def build():
        params = [ds.tensor(awkward(np.float32, 301).reshape(7, 43), requires_grad=True)]
        return params, OPTIMIZERS[name](params)

    (params, opt), (checked_params, checked_opt) = build(), build()
    update, checked = _fused.optimizer_update(opt), _fused.optimizer_update(checked_opt)
    update_if_finite = _fused.update_if_finite(checked_opt, checked)
    for step in range(3):  # finite: the same bytes as the unchecked update
        params[0].grad[...] = checked_params[0].grad[...] = awkward(np.float32, 301, step).reshape(7, 43)
        with np.errstate(over="ignore", invalid="ignore"):
            update()
            assert update_if_finite() is True
        assert params[0].data.tobytes() == checked_params[0].data.tobytes()
    before = checked_opt.state_dict()
    weights = checked_params[0].data.copy()
    for bad in (np.nan, np.inf, -np.inf):
        checked_params[0].grad[3, 40] = bad
        assert update_if_finite() is False
        after = checked_opt.state_dict()
        assert after["steps"] == before["steps"] == 3
        assert all(after["state"][k].tobytes() == v.tobytes() for k, v in before["state"].items())
        assert checked_params[0].data.tobytes() == weights.tobytes()


def test_an_optimizer_without_a_fused_kernel_keeps_its_own_step():
    w = ds.tensor([1.0, 2.0], requires_grad=True)
    rmsprop = optim.RMSprop([w], lr=0.1)
    assert _fused.optimizer_update(rmsprop) == rmsprop.step

    class Clipped(optim.Adam):  # a subclass may change step(): its own step runs
        pass

    clipped = Clipped([ds.tensor([1.0], requires_grad=True)])
    assert _fused.optimizer_update(clipped) == clipped.step


@pytest.mark.parametrize("dtype", DTYPES)
def test_bias_relu_and_its_derivative_equal_numpy(dtype):
    out = awkward(dtype, 6 * 50).reshape(50, 6)
    out[0, :3] = [-0.0, np.nan, -np.nan]
    bias = awkward(dtype, 6, seed=1)
    bias[:3] = -0.0  # -0.0 + -0.0 is -0.0, and max(-0.0, 0) is +0.0 in NumPy
    fused = out.copy()
    with np.errstate(over="ignore"):
        expected = out + bias
        _fused.add_bias_relu(fused, bias)
    np.maximum(expected, 0, out=expected)
    assert fused.tobytes() == expected.tobytes()
    grad = awkward(dtype, 300, seed=2).reshape(50, 6)
    grad[1, :2] = [np.inf, -np.inf]  # inf * 0 is NaN, as NumPy's multiply by a False mask gives
    grad_z = np.empty_like(grad)
    with np.errstate(invalid="ignore"):
        _fused.relu_grad(grad, fused, grad_z)
        expected_grad = grad * (fused > 0)
    assert np.array_equal(grad_z, expected_grad, equal_nan=True)
    assert np.signbit(grad_z).tobytes() == np.signbit(expected_grad).tobytes()


@pytest.mark.parametrize("columns", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("loss", ["bce_with_logits", "mse"])
def test_the_fused_losses_equal_the_numpy_kernels(loss, dtype, weighted, columns):
    rows = 37
    shape = (rows, columns)
    z = (awkward(dtype, rows * columns) / dtype(1e30)).reshape(shape)  # logits from tiny to about +-300
    y = np.random.default_rng(4).random(shape).astype(dtype)[:, ::-1]  # a strided target too
    weight = np.random.default_rng(5).random((rows, 1)).astype(dtype) if weighted else None
    fn = getattr(ds.losses, loss)
    numpy_kernel = _kernels.FAST_LOSSES[fn](shape, np.dtype(dtype), np)
    fused_kernel = _fused.FAST_LOSSES[fn](shape, np.dtype(dtype), np)
    with np.errstate(over="ignore"):
        values = [k.forward(z, y, weight) for k in (numpy_kernel, fused_kernel)]
        grads = [k.backward() for k in (numpy_kernel, fused_kernel)]
    assert values[0].tobytes() == values[1].tobytes()
    assert grads[0].tobytes() == grads[1].tobytes()


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_gradient_checks_and_settling_equal_numpy(dtype):
    for n in (1, 7, 337, 21_000):  # below, at and above a vector's width
        grad = awkward(dtype, n, seed=n)
        assert _fused.gradient_is_finite(grad)  # exact: 3e38 is finite (a product would overflow)
        for bad in (np.nan, np.inf, -np.inf):
            for where in {0, n // 2, n - 1}:
                broken = grad.copy()
                broken[where] = bad
                assert not _fused.gradient_is_finite(broken), (n, bad, where)
        with_nan = np.concatenate([grad, [np.nan, -0.0]]).astype(dtype)
        expected, settled = with_nan.copy(), with_nan.copy()
        _kernels.settle_gradient(expected)  # NumPy's grad += 0
        _fused.settle_gradient(settled)
        assert settled.tobytes() == expected.tobytes()
        assert np.signbit(settled[-1]) == np.False_  # -0.0 became +0.0, as eager's 0 + g


def test_auto_picks_numba_and_the_names_pick_a_kernel_set():
    model = nn.MLP(2, hidden=(4,), rng=0)
    opt = optim.Adam(model.parameters())
    step = ds.compile_step(model, "bce_with_logits", opt)
    assert step.kernels is _fused and isinstance(step.update, _fused.FusedAdam)
    assert ds.compile_step(model, "mse", opt, kernels="numpy").kernels is _kernels
    with pytest.raises(ValueError, match="kernels must be one of 'auto', 'numpy', 'numba'; got 'fast'"):
        ds.compile_step(model, "mse", opt, kernels="fast")


def test_fit_trains_with_the_fused_kernels_to_the_eager_weights():
    X = np.random.default_rng(0).standard_normal((50, 2)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.float32)
    weights = []
    for compile_ in (True, "numba", False):
        model = nn.MLP(2, hidden=(8, 8), rng=3)
        fit(model, X, y, loss="bce_with_logits", epochs=3, batch_size=8, rng=1, compile=compile_)
        weights.append([p.data.tobytes() for p in model.parameters()])
    assert weights[0] == weights[1] == weights[2]
