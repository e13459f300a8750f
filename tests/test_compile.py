"""The captured step equals the eager step bit for bit, and says why when it cannot capture.

Equality is of bytes (``tobytes``), not of values within a tolerance: weights, optimizer
state and every number of the History, over many steps with the last batch short.
"""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np
import pytest

import descenso as ds
from descenso import nn, optim
from descenso.compile import CaptureError, CompileWarning
from descenso.train import fit

OPTIMIZERS = {
    "sgd": lambda p: optim.SGD(p, lr=0.05),
    "momentum_nesterov": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "adam": lambda p: optim.Adam(p, lr=1e-2),
    "adam_amsgrad": lambda p: optim.Adam(p, lr=1e-2, amsgrad=True, weight_decay=1e-3),
    "adamw": lambda p: optim.AdamW(p, lr=1e-2),
    "rmsprop": lambda p: optim.RMSprop(p, lr=1e-3, momentum=0.5, centered=True),
}


def data(dtype, n=203, d=3, binary=True):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d)).astype(dtype)
    signal = X[:, 0] - 0.5 * X[:, 1] ** 2
    y = (signal > 0).astype(dtype) if binary else signal.astype(dtype)
    return X, y


def run(compile_, dtype, optimizer="adam", loss="bce_with_logits", epochs=4, binary=True, **kwargs):
    model_kwargs = {k: kwargs.pop(k) for k in ("hidden", "activation", "dropout") if k in kwargs}
    model = nn.MLP(3, **{"hidden": (8, 6), **model_kwargs}, rng=1, dtype=dtype)
    opt = OPTIMIZERS[optimizer](model.parameters())
    X, y = data(dtype, binary=binary)
    history = fit(model, X, y, loss=loss, optimizer=opt, epochs=epochs, batch_size=16, rng=5,
                  compile=compile_, metrics=["mae"], **kwargs)  # fmt: skip
    state = [a.tobytes() for a in model.state_dict().values()]
    state += [a.tobytes() for a in opt.state_dict()["state"].values()]
    numbers = [history.get(name) for name in ("train_loss", "objective", "grad_norm", "mae")]
    return state, numbers


def assert_same(dtype, kernels="numpy", **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)  # the captured step must really be used
        compiled = run(kernels, dtype, **kwargs)
    eager = run(False, dtype, **kwargs)
    assert compiled[0] == eager[0]
    assert compiled[1] == eager[1]


NO_NUMBA = importlib.util.find_spec("numba") is None
# Both kernel sets of descenso.compile.kernel_set: NumPy's always, numba's where descenso[fast] is installed.
KERNELS = [
    "numpy",
    pytest.param("numba", marks=pytest.mark.skipif(NO_NUMBA, reason="numba not installed (descenso[fast])")),
]


@pytest.mark.parametrize("kernels", KERNELS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_every_optimizer_in_both_dtypes_gives_the_eager_bytes(dtype, optimizer, kernels):
    assert_same(dtype, kernels, optimizer=optimizer)


@pytest.mark.parametrize("kernels", KERNELS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_sample_weights_and_the_penalty_give_the_eager_bytes(dtype, kernels):
    weights = np.random.default_rng(3).random(203).astype(dtype)
    weights[:20] = 0  # a few rows that count nowhere
    assert_same(dtype, kernels, dropout=0.3, sample_weight=weights, l1=1e-3, l2=1e-2)
    assert_same(dtype, kernels, l2=1e-4)
    assert_same(dtype, kernels, l1=1e-3)


@pytest.mark.parametrize("kernels", KERNELS)
@pytest.mark.parametrize("loss", ["mse", "mae", "huber"])
def test_regression_losses_give_the_eager_bytes(loss, kernels):
    assert_same(np.float32, kernels, loss=loss, binary=False, activation="tanh")
    assert_same(np.float32, kernels, loss=loss, binary=False, optimizer="momentum_nesterov")
    assert_same(
        np.float64, kernels, loss=loss, binary=False, activation=["gelu", "leaky_relu"], optimizer="sgd"
    )


def test_hinge_and_other_activations_give_the_eager_bytes():
    assert_same(np.float32, loss="hinge", activation=["sigmoid", "softplus"])
    assert_same(np.float32, loss=lambda p, t: ds.losses.mse(p, t), binary=False, hidden=())


@pytest.mark.parametrize("kernels", KERNELS)
def test_the_captured_step_matches_an_eager_loop_step_by_step(kernels):
    def build():
        model = nn.Sequential(
            nn.Linear(2, 4, rng=0), nn.ReLU(), nn.Dropout(0.5, rng=7), nn.Linear(4, 1, rng=1)
        )
        return model, optim.Adam(model.parameters(), lr=0.01)

    X, y = data(np.float32, n=40, d=2)
    eager_model, eager_opt = build()
    model, opt = build()
    step = ds.compile_step(model, "bce_with_logits", opt, kernels=kernels)
    for i in range(60):
        rows = slice((i * 7) % 40, (i * 7) % 40 + 1 + i % 5)  # batch sizes 1 to 5
        loss = ds.losses.bce_with_logits(eager_model(X[rows]), y[rows])
        eager_opt.zero_grad()
        loss.backward()
        eager_opt.step()
        assert step(X[rows], y[rows]) == loss.item()
    for a, b in zip(model.parameters(), eager_model.parameters(), strict=True):
        assert a.data.tobytes() == b.data.tobytes()


def test_targets_and_weights_are_checked_as_the_eager_loss_checks_them():
    model = nn.MLP(2, hidden=(4,), rng=0)
    step = ds.compile_step(model, "bce_with_logits", optim.SGD(model.parameters(), lr=0.1))
    X = np.ones((3, 2), np.float32)
    with pytest.raises(ValueError, match="targets must be in"):
        step(X, np.array([0.0, 2.0, 1.0], np.float32))
    with pytest.raises(ValueError, match="sample_weight sums to 0"):
        step(X, np.ones(3, np.float32), sample_weight=np.zeros(3))
    with pytest.raises(ValueError, match="but y has shape"):
        step(X, np.ones(4, np.float32))


def test_what_cannot_be_captured_says_why_and_fit_trains_eagerly():
    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter([2.0])

        def forward(self, x):
            return x * self.scale

    model = nn.Sequential(nn.Linear(2, 1, rng=0), Scaled())
    with pytest.raises(CaptureError, match="Scaled with parameters"):
        ds.compile_step(model, "mse", optim.SGD(model.parameters(), lr=0.1))
    linear = nn.Linear(2, 1, rng=0)
    with pytest.raises(CaptureError, match="flat=False"):
        ds.compile_step(linear, "mse", optim.SGD(linear.parameters(), lr=0.1, flat=False))
    X, y = data(np.float32, d=2, binary=False)
    with pytest.warns(CompileWarning, match="training eagerly, because the model contains a Scaled"):
        history = fit(model, X, y, epochs=2, compile=True, rng=0)
    assert len(history.epoch) == 2 and np.isfinite(history.train_loss[-1])


def test_the_captured_step_replays_on_another_array_module_with_the_same_bytes():
    from strict_array import use_strict_device  # the CPU test double of a GPU module

    use_strict_device()
    X, y = data(np.float32, d=3)
    settings = dict(loss="bce_with_logits", epochs=2, batch_size=16, rng=0, l1=1e-3, l2=1e-3)
    host = nn.MLP(3, hidden=(8, 4), dropout=0.2, rng=0)
    fit(host, X, y, **settings)
    device = nn.MLP(3, hidden=(8, 4), dropout=0.2, rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        fit(device, X, y, device="strict", compile=True, **settings)
    assert device.device == "strict:0"
    for a, b in zip(device.parameters(), host.parameters(), strict=True):
        assert np.asarray(ds.backend.to_numpy(a.data)).tobytes() == b.data.tobytes()


def test_without_numba_auto_replays_with_numpy_and_numba_says_what_to_install(monkeypatch):
    import sys

    from descenso import _kernels
    from descenso.compile import kernel_set

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)  # as if numba were absent
    monkeypatch.setitem(sys.modules, "descenso._fused", None)  # importing it raises ImportError
    assert kernel_set("auto", np) is _kernels
    with pytest.raises(
        ImportError, match=r"needs numba .*pip install 'descenso\[fast\]', or kernels='numpy'"
    ):
        kernel_set("numba", np)


def test_numba_kernels_refuse_arrays_of_another_module():
    from strict_array import xp

    from descenso import _kernels
    from descenso.compile import kernel_set

    assert kernel_set("auto", xp) is _kernels
    with pytest.raises(CaptureError, match="kernels='numba' compiles for NumPy arrays"):
        kernel_set("numba", xp)


def _mse_step(kernels, make_optimizer):
    """A 2-4-1 MLP, its optimizer and fit's training step (eager, or captured with ``kernels``) on MSE."""
    from descenso.compile import training_step

    model = nn.MLP(2, hidden=(4,), rng=0)
    opt = make_optimizer(model.parameters())
    loss_fn = ds.losses.get("mse")

    def objective(X, y, w):
        output = model(X)
        data_loss = loss_fn(output, y)
        return output, data_loss, data_loss

    return model, opt, training_step(kernels, model, loss_fn, opt, objective, 0.0, 0.0)


@pytest.mark.parametrize("kernels", [False, *KERNELS])
def test_apply_refuses_a_non_finite_gradient_naming_it_and_steps_on_a_huge_finite_one(kernels):
    from descenso.finite_gradients import NonFiniteGradientError

    model, _, step = _mse_step(kernels, lambda p: optim.SGD(p, lr=0.1))
    assert type(step).__name__ == ("EagerStep" if kernels is False else "CompiledStep")
    X, y = np.ones((3, 2), np.float32), np.zeros(3, np.float32)
    step.forward(X, y)
    step.backward()
    weight = model.layers[2].weight
    before = weight.data.copy()
    weight.grad[0, 1] = np.nan
    with pytest.raises(
        NonFiniteGradientError, match=r"the gradient of 'layers.2.weight' became NaN at epoch 4"
    ):
        step.apply(4, 0.5)
    assert weight.data.tobytes() == before.tobytes()  # not applied
    weight.grad[0, 1] = 1e30  # finite, though g . g overflows: the exact check lets it through
    with np.errstate(over="ignore"):
        step.apply(4, 0.5)
    assert weight.data[0, 1] == np.float32(before[0, 1] - np.float32(0.1) * np.float32(1e30))


@pytest.mark.parametrize("kernels", [False, *KERNELS])
@pytest.mark.parametrize(
    "make", [lambda p: optim.Adam(p, lr=0.1), lambda p: optim.SGD(p, lr=0.1, momentum=0.9)]
)
def test_a_refused_step_leaves_the_weights_the_moments_and_the_step_count_as_they_were(kernels, make):
    from descenso.finite_gradients import NonFiniteGradientError

    model, opt, step = _mse_step(kernels, make)
    X, y = np.ones((3, 2), np.float32), np.zeros(3, np.float32)
    for _ in range(2):  # a step with state first: momentum and moments that a refused step must keep
        step.forward(X, y)
        step.backward()
        step.apply(1, 0.5)
    step.forward(X, y)
    step.backward()
    model.layers[0].bias.grad[1] = -np.inf
    before = opt.state_dict()
    weights = [p.data.copy() for p in model.parameters()]
    with pytest.raises(NonFiniteGradientError, match=r"the gradient of 'layers.0.bias' became -inf"):
        step.apply(2, 0.5)
    after = opt.state_dict()
    assert after["steps"] == before["steps"] == 2
    for key, value in before["state"].items():
        assert after["state"][key].tobytes() == value.tobytes(), key
    assert all(p.data.tobytes() == w.tobytes() for p, w in zip(model.parameters(), weights, strict=True))
