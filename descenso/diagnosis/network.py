"""Checks of a network on its data: dead ReLU units, gradient norms per layer, the learning rate."""

from __future__ import annotations

import copy
from typing import Any, Callable, Sequence

import numpy as np

from descenso.diagnosis.findings import Finding

DEAD_SHARE = 0.25  # a layer with at least this share of units that never fire has lost much of its width
VANISHING = 1e-3  # first layer's gradient norm over the last layer's, below which the first barely learns
EXPLODING = 1e3  # the same ratio above which (or a gradient norm above which) steps blow up
BARELY = 0.01  # a relative fall of the loss smaller than this over the first epochs is "barely moving"


def dead_units(model: Any, X: np.ndarray) -> list[Finding]:
    """ReLU layers in which a large share of units output 0 on every row of ``X``."""
    from descenso.nn.activity import hidden_activations

    shares = {
        name: float(np.mean((values <= 0).all(axis=0)))
        for name, kind, values in hidden_activations(model, X)
        if kind == "relu"
    }
    bad = {name: share for name, share in shares.items() if share >= DEAD_SHARE}
    if not bad:
        return []
    worst = max(bad, key=bad.__getitem__)
    listing = ", ".join(f"{name}: {share:.0%}" for name, share in shares.items())
    message = (
        f"dead ReLU units: {bad[worst]:.0%} of the units of {worst} output 0 on every one of "
        f"{len(X)} rows, so no gradient reaches their weights ({listing})"
    )
    fix = (
        "lower the learning rate (large steps push units into the dead zone), keep He initialisation, "
        "or use activation='leaky_relu', whose units always pass some gradient"
    )
    return [Finding("dead_units", message, fix, {"shares": shares})]


def layer_gradient_norms(model: Any) -> dict[str, float]:
    """The norm of the gradient of each weight matrix (parameters with 2 or more dimensions), by name."""
    return {
        name: float(np.linalg.norm(p.grad))
        for name, p in model.named_parameters()
        if p.ndim >= 2 and p.grad is not None
    }


def gradient_norms(model: Any, X: np.ndarray, y: np.ndarray, loss_fn: Callable[..., Any]) -> dict[str, float]:
    """Per-layer gradient norms of the loss on ``(X, y)``, computed on a copy (the model is untouched)."""
    twin = copy.deepcopy(model)
    twin.zero_grad()
    twin.eval()
    loss_fn(twin(X), y).backward()
    return layer_gradient_norms(twin)


def gradient_findings(norms: dict[str, float]) -> list[Finding]:
    """Vanishing or exploding gradients, judged from the per-layer norms (input layer first)."""
    if not norms:
        return []
    names, values = list(norms), np.array(list(norms.values()))
    listing = ", ".join(f"{name} {value:.2g}" for name, value in norms.items())
    ratio = float(values[0] / max(values[-1], 1e-300)) if len(values) > 1 else 1.0
    numbers = {"norms": norms, "first_over_last": ratio}
    if len(values) > 1 and values[-1] > 0 and ratio < VANISHING:
        return [
            Finding(
                "vanishing_gradients",
                f"vanishing gradients: the first layer's gradient is {ratio:.2g} times the last "
                f"layer's, so the layers near the input barely learn (norms: {listing})",
                "use ReLU (activation='relu') with He initialisation, fewer layers, or standardised "
                "inputs; sigmoid and tanh layers shrink the gradient at every layer",
                numbers,
            )
        ]
    if ratio > EXPLODING or values.max() > EXPLODING:
        return [
            Finding(
                "exploding_gradients",
                f"exploding gradients: the largest layer gradient norm is {values.max():.3g} "
                f"({names[int(values.argmax())]}; norms: {listing})",
                "standardise the inputs, use a smaller learning rate or initial weights, or clip "
                "the gradient norm (descenso.optim.clip_grad_norm)",
                numbers,
            )
        ]
    return []


def loss_trend(losses: Sequence[float]) -> str:
    """``"diverging"``, ``"rising"``, ``"oscillating"``, ``"barely moving"`` or ``"falling"``."""
    values = np.asarray(losses, dtype=float)
    if not np.isfinite(values).all():
        return "diverging"
    if len(values) < 3:
        return "falling"
    if values[-1] > values[0]:
        return "rising"
    ups = np.mean(np.diff(values) > 0)
    fall = (values[0] - values[-1]) / max(abs(values[0]), 1e-12)
    if ups >= 0.3 and fall < 0.1:
        return "oscillating"
    return "barely moving" if fall < BARELY else "falling"
