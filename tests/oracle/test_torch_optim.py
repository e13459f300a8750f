"""PyTorch as the oracle for optimizers and schedules, in float64.

The same MLP (descenso's initial weights copied into torch), the same batches, 50
steps: the loss trajectories of descenso's optimizers and ``torch.optim`` agree to
1e-5 relative, and so do the final weights; schedules give torch's lr sequence.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812 - the usual name

from descenso import losses, optim
from descenso.backend import to_numpy
from descenso.nn import MLP, Linear, Parameter

pytestmark = pytest.mark.usefixtures("array_namespace")  # NumPy and the strict namespace

torch.set_num_threads(1)

STEPS, BATCH = 50, 16

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.02)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict(lr=0.005)),
    ("RMSprop", dict(lr=0.005, alpha=0.9, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.002, momentum=0.9, centered=True)),
]


def problem(task: str):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.float64) if task == "binary" else np.sin(X[:, 0]) + X[:, 2]
    order = [rng.permutation(64)[:BATCH] for _ in range(STEPS)]
    return X, y, order


def torch_twin(model: MLP) -> torch.nn.Sequential:
    layers: list[torch.nn.Module] = []
    for layer in model.layers:
        if isinstance(layer, Linear):
            twin = torch.nn.Linear(layer.in_features, layer.out_features, dtype=torch.float64)
            with torch.no_grad():
                twin.weight.copy_(torch.from_numpy(to_numpy(layer.weight.data)))
                twin.bias.copy_(torch.from_numpy(to_numpy(layer.bias.data)))
            layers.append(twin)
        else:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


# Every configuration on both tasks with the flat path; the reference path on the binary task.
CASES = [(n, k, task, True) for n, k in CONFIGS for task in ("binary", "regression")]
CASES += [(n, k, "binary", False) for n, k in CONFIGS]


@pytest.mark.parametrize(("name", "kwargs", "task", "flat"), CASES)
def test_trajectory_matches_torch_optim(name, kwargs, task, flat):
    X, y, order = problem(task)
    model = MLP(3, hidden=(16, 16), rng=0, dtype="float64")
    twin = torch_twin(model)
    opt = optim.get(name, model.parameters(), flat=flat, **kwargs)
    t_opt = getattr(torch.optim, name)(twin.parameters(), **kwargs)
    loss_fn = losses.bce_with_logits if task == "binary" else losses.mse
    t_loss_fn = F.binary_cross_entropy_with_logits if task == "binary" else F.mse_loss
    ours, theirs = [], []
    for rows in order:
        opt.zero_grad()
        loss = loss_fn(model(X[rows]), y[rows])
        loss.backward()
        opt.step()
        ours.append(loss.item())
        t_opt.zero_grad()
        t_loss = t_loss_fn(twin(torch.from_numpy(X[rows]))[:, 0], torch.from_numpy(y[rows]))
        t_loss.backward()
        t_opt.step()
        theirs.append(t_loss.item())
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    assert ours[-1] < ours[0]  # it trained
    for p, tp in zip(model.parameters(), twin.parameters(), strict=True):
        np.testing.assert_allclose(to_numpy(p.data), tp.detach().numpy(), rtol=1e-5, atol=1e-8)


def lr_sequences(ours_factory, torch_factory, epochs, metrics=None):
    w = Parameter(np.zeros(1))
    tw = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt, t_opt = optim.SGD([w], lr=0.5, momentum=0.9), torch.optim.SGD([tw], lr=0.5, momentum=0.9)
    sched, t_sched = ours_factory(opt), torch_factory(t_opt)
    ours, theirs = [], []
    for epoch in range(epochs):
        t_opt.step()  # torch wants an optimizer step before each scheduler step
        if metrics is None:
            sched.step()
            t_sched.step()
        else:
            sched.step(metrics[epoch])
            t_sched.step(metrics[epoch])
        ours.append(opt.lr)
        theirs.append(t_opt.param_groups[0]["lr"])
    return ours, theirs


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (
            lambda o: optim.StepLR(o, step_size=3, gamma=0.5),
            lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5),
        ),
        (
            lambda o: optim.ExponentialLR(o, gamma=0.9),
            lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9),
        ),
        (
            lambda o: optim.CosineAnnealingLR(o, T_max=10, eta_min=0.01),
            lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.01),
        ),
    ],
)
def test_schedules_match_torch(ours, theirs):
    a, b = lr_sequences(ours, theirs, epochs=25)
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


PLATEAU_METRICS = [
    5.0,
    4.0,
    4.0,
    3.9999,
    4.1,
    4.0,
    3.0,
    3.0,
    3.0,
    3.0,
    3.0,
    2.0,
    2.5,
    2.5,
    2.5,
    2.5,
    2.5,
    2.5,
    2.5,
    2.5,
    2.5,
    2.5,
    2.5,
    2.5,
    2.5,
    2.5,
    2.5,
    2.5,
    2.5,
    2.5,
]


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(patience=1, factor=0.5),
        dict(patience=0, factor=0.5, cooldown=2, min_lr=0.05),
        dict(mode="max", patience=1, threshold=0.01, threshold_mode="abs"),
        dict(patience=2, threshold=0.1, threshold_mode="rel"),
    ],
)
def test_reduce_on_plateau_matches_torch(kwargs):
    metrics = [-m for m in PLATEAU_METRICS] if kwargs.get("mode") == "max" else PLATEAU_METRICS
    a, b = lr_sequences(
        lambda o: optim.ReduceLROnPlateau(o, **kwargs),
        lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, **kwargs),
        epochs=len(metrics),
        metrics=metrics,
    )
    np.testing.assert_allclose(a, b, rtol=1e-12)
    assert a[-1] < 0.5  # the rate was reduced at least once


def test_clip_grad_norm_matches_torch():
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(4, 3)) * 5, rng.normal(size=4)]
    params = [Parameter(np.zeros_like(g)) for g in grads]
    t_params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, tp, g in zip(params, t_params, grads, strict=True):
        p.grad, tp.grad = g.copy(), torch.from_numpy(g.copy())
    total = optim.clip_grad_norm(params, max_norm=2.0)
    t_total = torch.nn.utils.clip_grad_norm_(t_params, max_norm=2.0)
    assert total == pytest.approx(float(t_total), rel=1e-12)
    for p, tp in zip(params, t_params, strict=True):
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-12)
