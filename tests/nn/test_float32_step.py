"""Float32 in, float32 throughout: no op output and no gradient of a training step is float64.

Every op goes through ``Tensor.from_op``; wrapping it records the dtype of every value
and of every gradient its backward returns, for a whole step and for ``fit``.
"""

import numpy as np
import pytest

from descenso import losses, optim
from descenso.nn import MLP
from descenso.tensor import Tensor
from descenso.train import fit

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace


@pytest.fixture
def dtypes_seen(monkeypatch):
    seen: dict[str, set] = {"values": set(), "gradients": set(), "ops": set()}
    original = Tensor.from_op

    def recording_from_op(data, parents, backward, name):
        seen["values"].add(np.asarray(data).dtype)
        seen["ops"].add(name)

        def recording_backward(grad):
            grads = backward(grad)
            seen["gradients"].update(g.dtype for g in grads if g is not None)
            return grads

        return original(data, parents, recording_backward, name)

    monkeypatch.setattr(Tensor, "from_op", staticmethod(recording_from_op))
    return seen


def spirals(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2)).astype(np.float32)
    y = (X[:, :1] * X[:, 1:] > 0).astype(np.float32)
    return X, y


@pytest.mark.parametrize(
    ("loss", "make_optimizer"),
    [
        ("bce_with_logits", lambda p: optim.Adam(p, lr=1e-2)),
        ("mse", lambda p: optim.SGD(p, lr=1e-2, momentum=0.9)),
    ],
)
def test_a_w1_style_step_stays_float32(dtypes_seen, loss, make_optimizer):
    X, y = spirals()
    model = MLP(2, hidden=(16, 16), out_features=1, rng=0)
    opt = make_optimizer(model.parameters())
    for _ in range(3):
        value = losses.get(loss)(model(X[:32]), y[:32])
        opt.zero_grad()
        value.backward()
        opt.step()
    assert dtypes_seen["ops"] >= {"linear_relu", "linear", loss}
    assert dtypes_seen["values"] == {np.dtype(np.float32)}
    assert dtypes_seen["gradients"] == {np.dtype(np.float32)}
    arrays = [p.data for p in model.parameters()] + [p.grad for p in model.parameters()]
    arrays += [b for buffers in opt.state.values() for b in buffers]
    assert {a.dtype for a in arrays} == {np.dtype(np.float32)}


def test_fit_with_penalties_and_validation_stays_float32(dtypes_seen):
    X, y = spirals(96)
    model = MLP(2, hidden=(8,), out_features=1, rng=0)
    fit(
        model, X, y, loss="bce_with_logits", epochs=2, batch_size=32, rng=0, l1=1e-4, l2=1e-3, validation=0.25
    )
    assert dtypes_seen["values"] == {np.dtype(np.float32)}
    assert dtypes_seen["gradients"] == {np.dtype(np.float32)}
    assert {p.data.dtype for p in model.parameters()} == {np.dtype(np.float32)}


def test_the_recorder_does_see_float64_when_it_happens(dtypes_seen):
    # The check above could not pass by accident: a float64 model is recorded as float64.
    model = MLP(2, hidden=(4,), out_features=1, rng=0, dtype="float64")
    losses.mse(model(np.ones((3, 2))), np.zeros(3)).backward()
    assert dtypes_seen["values"] == {np.dtype(np.float64)}
    assert dtypes_seen["gradients"] == {np.dtype(np.float64)}
