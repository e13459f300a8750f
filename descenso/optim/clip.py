"""Gradient clipping by global norm."""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from descenso.backend import array_module


def clip_grad_norm(params: Iterable[Any], max_norm: float) -> float:
    """Scale all gradients together so their joint L2 norm is at most ``max_norm``.

    Parameters
    ----------
    params : iterable of Parameter
        Parameters whose ``.grad`` to clip (those without a gradient are skipped).
    max_norm : float > 0

    Returns
    -------
    float
        The total norm before clipping (useful to log).

    Raises
    ------
    ValueError
        If ``max_norm`` is not positive.

    Notes
    -----
    ``n = sqrt(sum_p ||g_p||^2)``; if ``n > max_norm`` every gradient is multiplied
    in place by ``max_norm / (n + 1e-6)`` (PyTorch's ``clip_grad_norm_``), which
    keeps the direction and bounds the step.

    Examples
    --------
    >>> import descenso as ds
    >>> w = ds.tensor([0.0, 0.0], requires_grad=True)
    >>> (w * ds.tensor([3.0, 4.0])).sum().backward()
    >>> clip_grad_norm([w], max_norm=1.0)
    5.0
    >>> w.grad.round(4)
    array([0.6, 0.8], dtype=float32)
    """
    if isinstance(max_norm, bool) or not isinstance(max_norm, (int, float, np.number)) or not max_norm > 0:
        raise ValueError(f"clip_grad_norm: max_norm must be a positive number; got {max_norm!r}")
    grads = [p.grad for p in params if p.grad is not None]
    # One read from the device: the squares are summed where the gradients live.
    total = math.sqrt(float(sum(array_module(g).vdot(g, g).astype(np.float64) for g in grads)))
    coefficient = float(max_norm) / (total + 1e-6)
    if coefficient < 1:
        for g in grads:
            g *= coefficient
    return total
