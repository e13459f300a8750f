"""PyTorch as the oracle for layers and losses, in float64: values and every gradient agree.

torch is a test dependency only; descenso never imports it.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812 - the usual name

import descenso as ds
from descenso import losses
from descenso.backend import to_numpy
from descenso.nn import MLP, Linear

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace

torch.set_num_threads(1)

TORCH_ACTIVATIONS = {
    "relu": torch.nn.ReLU,
    "leaky_relu": torch.nn.LeakyReLU,  # both use negative_slope=0.01
    "tanh": torch.nn.Tanh,
    "sigmoid": torch.nn.Sigmoid,
    "identity": torch.nn.Identity,
    "softplus": torch.nn.Softplus,
    "gelu": lambda: torch.nn.GELU(approximate="tanh"),  # descenso's GELU is the tanh approximation
}


def torch_twin(model: MLP, activations: list[str]) -> torch.nn.Sequential:
    """The same network in torch, with descenso's initial weights copied in."""
    layers: list[torch.nn.Module] = []
    linears = [m for m in model.layers if isinstance(m, Linear)]
    for i, layer in enumerate(linears):
        twin = torch.nn.Linear(layer.in_features, layer.out_features, dtype=torch.float64)
        with torch.no_grad():
            twin.weight.copy_(torch.from_numpy(to_numpy(layer.weight.data)))
            twin.bias.copy_(torch.from_numpy(to_numpy(layer.bias.data)))
        layers.append(twin)
        if i < len(activations):
            layers.append(TORCH_ACTIVATIONS[activations[i]]())
    return torch.nn.Sequential(*layers)


def assert_close(actual: np.ndarray, expected: np.ndarray, what: str = "") -> None:
    actual = to_numpy(actual)  # from any device
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-12, err_msg=what)


@pytest.mark.parametrize("name", list(TORCH_ACTIVATIONS))
def test_mlp_output_and_parameter_gradients_match_torch(name):
    activations = [name, name]
    model = MLP(3, hidden=(7, 5), activation=activations, rng=0, dtype="float64")
    twin = torch_twin(model, activations)
    x = np.random.default_rng(1).normal(size=(11, 3)) * 2
    y = (np.random.default_rng(2).random(11) > 0.5).astype(np.float64)

    out = model(x)
    losses.bce_with_logits(out, y).backward()
    t_out = twin(torch.from_numpy(x))
    F.binary_cross_entropy_with_logits(t_out[:, 0], torch.from_numpy(y)).backward()

    assert_close(out.data, t_out.detach().numpy(), "logits")
    torch_params = list(twin.parameters())
    for (pname, p), tp in zip(model.named_parameters(), torch_params, strict=True):
        assert_close(p.grad, tp.grad.numpy(), pname)


def test_linear_input_gradient_matches_torch():
    layer = Linear(4, 3, rng=0, dtype="float64")
    x_np = np.random.default_rng(0).normal(size=(2, 5, 4))
    x = ds.tensor(x_np, requires_grad=True)
    layer(x).tanh().sum().backward()
    tx = torch.tensor(x_np, requires_grad=True)
    F.linear(
        tx, torch.from_numpy(to_numpy(layer.weight.data)), torch.from_numpy(to_numpy(layer.bias.data))
    ).tanh().sum().backward()
    assert_close(x.grad, tx.grad.numpy())


def pair(values):
    data = np.asarray(values, dtype=np.float64)
    return ds.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)


def check(ours, theirs, leaves):
    assert_close(ours.data, theirs.detach().numpy(), "value")
    ours.backward(np.ones(ours.shape))
    theirs.backward(torch.ones(theirs.shape, dtype=torch.float64))
    for a, b in leaves:
        assert_close(a.grad, b.grad.numpy(), "gradient")


RNG = np.random.default_rng(5)
PRED = RNG.normal(size=(9, 1)) * 3
PROB = RNG.uniform(0.02, 0.98, size=(9, 1))
LABEL = (RNG.random((9, 1)) > 0.4).astype(np.float64)
REAL = RNG.normal(size=(9, 1)) * 3


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    ("ours", "theirs", "inputs", "target"),
    [
        (losses.mse, F.mse_loss, PRED, REAL),
        (losses.mae, F.l1_loss, PRED, REAL),
        (
            lambda p, y, **k: losses.huber(p, y, delta=1.5, **k),
            lambda p, y, **k: F.huber_loss(p, y, delta=1.5, **k),
            PRED,
            REAL,
        ),
        (losses.bce_with_logits, F.binary_cross_entropy_with_logits, PRED, LABEL),
        (losses.bce, F.binary_cross_entropy, PROB, LABEL),
    ],
)
def test_losses_match_torch_with_target_gradients(ours, theirs, inputs, target, reduction):
    (p, tp), (y, ty) = pair(inputs), pair(target)
    leaves = [(p, tp), (y, ty)]
    if theirs is F.binary_cross_entropy:
        ty.requires_grad_(False)  # torch does not differentiate BCE with respect to the target
        y.requires_grad, leaves = False, leaves[:1]
    check(ours(p, y, reduction=reduction), theirs(tp, ty, reduction=reduction), leaves)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_pos_weight_matches_torch(reduction):
    (z, tz), (y, ty) = pair(PRED * 100), pair(RNG.uniform(0, 1, size=(9, 1)))
    ours = losses.bce_with_logits(z, y, reduction=reduction, pos_weight=2.5)
    theirs = F.binary_cross_entropy_with_logits(
        tz, ty, reduction=reduction, pos_weight=torch.tensor(2.5, dtype=torch.float64)
    )
    check(ours, theirs, [(z, tz), (y, ty)])


@pytest.mark.parametrize(
    ("ours", "theirs", "inputs", "target"),
    [
        (losses.mse, F.mse_loss, PRED, REAL),
        (losses.huber, F.huber_loss, PRED, REAL),
        (losses.bce_with_logits, F.binary_cross_entropy_with_logits, PRED, LABEL),
        (losses.bce, F.binary_cross_entropy, PROB, LABEL),
    ],
)
def test_sample_weight_is_torch_weighted_sum_over_weight_sum(ours, theirs, inputs, target):
    w = RNG.uniform(0.1, 3.0, size=9)
    (p, tp) = pair(inputs)
    each = theirs(tp, torch.from_numpy(target), reduction="none")[:, 0]
    tw = torch.from_numpy(w)
    check(ours(p, target, sample_weight=w), (each * tw).sum() / tw.sum(), [(p, tp)])


def test_hinge_matches_torch_composition():
    (z, tz) = pair(PRED)
    sign = torch.from_numpy(2 * LABEL - 1)
    check(losses.hinge(z, LABEL), torch.clamp(1 - sign * tz, min=0).mean(), [(z, tz)])


def test_extreme_logits_match_torch():
    (z, tz) = pair([[1000.0], [-1000.0], [1000.0], [-1000.0]])
    y = np.array([[1.0], [0.0], [0.0], [1.0]])
    ours = losses.bce_with_logits(z, y, reduction="none", pos_weight=3.0)
    theirs = F.binary_cross_entropy_with_logits(
        tz, torch.from_numpy(y), reduction="none", pos_weight=torch.tensor(3.0, dtype=torch.float64)
    )
    check(ours, theirs, [(z, tz)])
