"""Temperature scaling: one scalar ``T`` that makes a classifier's probabilities honest.

A network trained to a low training loss tends to be overconfident: its logits are too large, so
borderline rows get probabilities near 0 or 1. Temperature scaling (Guo et al., 2017) divides every
logit by one number ``T > 0`` chosen to minimise the log-loss on held-out rows. Dividing by a positive
number keeps each logit's sign, so the predicted classes, the accuracy and the ROC AUC do not change;
only how sure the probabilities are does.

The estimators fit ``T`` on the validation rows (each network's own, which it never trained on) and
divide the output layer's weights and bias by it, so ``predict_proba``, the saved model and the ONNX
export all give the calibrated probabilities with no extra step.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

__all__ = ["TEMPERATURE_RANGE", "golden_section", "log_loss_at", "fit_temperature", "divide_output"]

#: The temperatures searched: from no change to softening the logits 20x (never sharpening: see below).
TEMPERATURE_RANGE = (1.0, 20.0)

_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0  # 0.618...: each step keeps this share of the bracket


def golden_section(f: Callable[[float], float], lo: float, hi: float, tol: float = 1e-6) -> float:
    """The minimiser of a unimodal ``f`` on ``[lo, hi]``, by golden-section search.

    Each step compares ``f`` at two inner points and drops the part of the bracket that cannot hold
    the minimum; the golden ratio lets one of the two points be reused, so every step costs one
    evaluation and shrinks the bracket by 0.618.

    Examples
    --------
    >>> round(golden_section(lambda t: (t - 2.0) ** 2, 0.0, 5.0), 5)
    2.0
    """
    a, b = float(lo), float(hi)
    c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc <= fd:  # the minimum is in [a, d]
            b, d, fd = d, c, fc
            c = b - _GOLDEN * (b - a)
            fc = f(c)
        else:  # the minimum is in [c, b]
            a, c, fc = c, d, fd
            d = a + _GOLDEN * (b - a)
            fd = f(d)
    return (a + b) / 2.0


def log_loss_at(temperature: float, logits: np.ndarray, labels: np.ndarray, weights: Any = None) -> float:
    """The (weighted) mean log-loss of ``sigmoid(logits / temperature)`` against 0/1 ``labels``.

    Computed from the logits, ``softplus(z) - t z``, so it stays finite for any logit.

    Examples
    --------
    >>> import numpy as np
    >>> round(log_loss_at(1.0, np.array([0.0, 0.0]), np.array([0.0, 1.0])), 6)  # log 2
    0.693147
    """
    z = np.asarray(logits, dtype=np.float64) / temperature
    t = np.asarray(labels, dtype=np.float64)
    per_row = np.logaddexp(0.0, z) - t * z
    return float(np.average(per_row, weights=weights))


def fit_temperature(logits: Any, labels: Any, weights: Any = None) -> float:
    """The temperature in :data:`TEMPERATURE_RANGE` that minimises the log-loss of ``logits / T``.

    The log-loss is convex in ``1/T``, so it has one minimum along ``log T`` too, which
    :func:`golden_section` finds. ``T = 1`` (no change) is kept unless the optimum is better.

    Parameters
    ----------
    logits : array-like of shape (n,)
        Held-out logits: rows the network did not train on.
    labels : array-like of shape (n,)
        Their 0/1 labels.
    weights : array-like of shape (n,), optional
        Per-row weights of the log-loss.

    Returns
    -------
    float
        ``T``; above 1 softens overconfident probabilities.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> truth = rng.normal(size=2000)                    # the true logit
    >>> labels = (rng.random(2000) < 1 / (1 + np.exp(-truth))).astype(float)
    >>> round(fit_temperature(5 * truth, labels), 1)     # five times too sure: T near 5
    4.9
    """
    z = np.asarray(logits, dtype=np.float64).ravel()
    t = np.asarray(labels, dtype=np.float64).ravel()
    lo, hi = (math.log(bound) for bound in TEMPERATURE_RANGE)
    best = math.exp(golden_section(lambda s: log_loss_at(math.exp(s), z, t, weights), lo, hi))
    return best if log_loss_at(best, z, t, weights) < log_loss_at(1.0, z, t, weights) else 1.0


def divide_output(model: Any, temperature: float) -> None:
    """Divide the last layer's weights and bias by ``temperature``: the model then outputs ``f(x) / T``."""
    from descenso.nn import Linear

    last = [layer for layer in model.layers if isinstance(layer, Linear)][-1]
    last.weight.data /= np.asarray(temperature, dtype=last.weight.data.dtype)
    if last.bias is not None:
        last.bias.data /= np.asarray(temperature, dtype=last.bias.data.dtype)
