"""The learning-rate probe: train copies for a few epochs at the rate given and at ten times less or more."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from descenso.diagnosis.findings import Finding
from descenso.diagnosis.network import loss_trend


def probe(
    model: Any,
    X: np.ndarray,
    y: np.ndarray,
    loss: Any,
    optimizer: str,
    lr: float,
    epochs: int,
    batch_size: int | None,
) -> list[float]:
    """The training loss of a copy of ``model`` over ``epochs`` epochs (``inf`` once it diverges)."""
    from descenso.stopping import DivergenceError
    from descenso.train import fit

    try:
        history = fit(
            copy.deepcopy(model),
            X,
            y,
            loss=loss,
            optimizer=optimizer,
            lr=lr,
            epochs=epochs,
            batch_size=batch_size,
            rng=0,
        )
    except DivergenceError as error:
        done = error.history.train_loss if error.history is not None else []
        return [*done, float("inf")]
    return history.train_loss


def learning_rate(
    model: Any,
    X: np.ndarray,
    y: np.ndarray,
    loss: Any,
    optimizer: str,
    lr: float,
    epochs: int = 10,
    batch_size: int | None = 32,
) -> list[Finding]:
    """Try ``lr`` on a copy for a few epochs; when the loss rises, oscillates or barely moves, try ten
    times less or more and report both, so the suggestion is measured and not guessed."""
    mine = probe(model, X, y, loss, optimizer, lr, epochs, batch_size)
    trend = loss_trend(mine)
    numbers: dict[str, Any] = {"lr": lr, "losses": mine}
    if trend in ("diverging", "rising", "oscillating"):
        other = lr / 10
        theirs = probe(model, X, y, loss, optimizer, other, epochs, batch_size)
        if loss_trend(theirs) in ("falling", "barely moving") and theirs[-1] < mine[-1]:
            seen = (
                f"diverges (the loss is infinite in epoch {len(mine)})"
                if trend == "diverging"
                else f"is {trend} over the first {len(mine)} epochs ({mine[0]:.4g} -> {mine[-1]:.4g})"
            )
            message = (
                f"the learning rate is too large: with lr={lr:g} the training loss {seen}; with "
                f"lr={other:g} it falls to {theirs[-1]:.4g} in {len(theirs)} epochs"
            )
            numbers.update(suggested_lr=other, suggested_losses=theirs)
            return [Finding("lr_too_large", message, f"use lr={other:g}", numbers)]
    elif trend == "barely moving":
        other = lr * 10
        theirs = probe(model, X, y, loss, optimizer, other, epochs, batch_size)
        gain_mine, gain_theirs = mine[0] - mine[-1], theirs[0] - theirs[-1]
        if loss_trend(theirs) in ("falling", "barely moving") and gain_theirs > 5 * max(gain_mine, 0.0):
            message = (
                f"the learning rate is too small: with lr={lr:g} the training loss barely moves in "
                f"{len(mine)} epochs ({mine[0]:.5g} -> {mine[-1]:.5g}); with lr={other:g} it falls "
                f"{gain_theirs / max(gain_mine, 1e-300):.3g} times as far, to {theirs[-1]:.5g}"
            )
            numbers.update(suggested_lr=other, suggested_losses=theirs)
            return [Finding("lr_too_small", message, f"use lr={other:g}", numbers)]
    return []
