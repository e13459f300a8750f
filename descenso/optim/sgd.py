"""Gradient descent with optional momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from descenso.backend import array_module
from descenso.optim.base import Optimizer, check_number


class SGD(Optimizer):
    """(Stochastic) gradient descent, with PyTorch's momentum convention.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float >= 0, default 1e-3
    momentum : float >= 0, default 0
    dampening : float in [0, 1], default 0
    nesterov : bool, default False
        Needs ``momentum > 0`` and ``dampening == 0``.
    weight_decay : float >= 0, default 0
        L2 penalty ``weight_decay / 2 * ||theta||^2`` added to the objective.
    flat : bool, default True
        See :class:`Optimizer`.

    Raises
    ------
    ValueError
        For a negative value, or nesterov without momentum.

    Notes
    -----
    With ``g_t`` the gradient at step ``t``::

        g_t <- g_t + weight_decay * theta
        b_1 = g_1;  b_t = momentum * b_{t-1} + (1 - dampening) * g_t      (if momentum > 0)
        d_t = g_t + momentum * b_t  (nesterov)  |  b_t (momentum)  |  g_t (plain)
        theta <- theta - lr * d_t

    This is PyTorch's ``torch.optim.SGD``; with ``momentum=0`` it is the course
    notes' gradient descent ``theta <- theta - lr * grad`` (``GD`` is the same class).

    Examples
    --------
    >>> import descenso as ds
    >>> w = ds.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.1)
    >>> (w * w).sum().backward()          # grad = 2 w = [2, -4]
    >>> opt.step()
    >>> w.data
    array([ 0.8, -1.6], dtype=float32)
    """

    _state_names: tuple[str, ...] = ("momentum_buffer",)
    _hyper_names = ("momentum", "dampening", "nesterov", "weight_decay")

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        flat: bool = True,
    ) -> None:
        self.momentum, self.dampening, self.nesterov = momentum, dampening, nesterov
        self.weight_decay = weight_decay
        self._validate()
        if not self.momentum:
            self._state_names = ()
        super().__init__(params, lr, flat=flat)

    def _validate(self) -> None:
        owner = type(self).__name__
        self.momentum = check_number(owner, "momentum", self.momentum, hint="Typical: momentum=0.9")
        self.dampening = check_number(owner, "dampening", self.dampening, high=1.0)
        self.weight_decay = check_number(owner, "weight_decay", self.weight_decay, hint="Typical: 1e-4")
        self.nesterov = bool(self.nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                f"{owner}: nesterov=True needs momentum > 0 and dampening=0; got "
                f"momentum={self.momentum}, dampening={self.dampening}. Fix: e.g. momentum=0.9"
            )

    def _update_one(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        if self.weight_decay:
            grad = grad + self.weight_decay * param
        if self.momentum:
            buf = state["momentum_buffer"]
            if self.steps == 1:
                buf[...] = grad
            else:
                buf[...] = self.momentum * buf + (1 - self.dampening) * grad
            grad = grad + self.momentum * buf if self.nesterov else buf
        param -= self.lr * grad

    def _update_flat(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray], work: np.ndarray
    ) -> None:
        xp = array_module(param)
        a, b = work[0], work[1]
        if self.weight_decay:
            xp.multiply(param, self.weight_decay, out=a)
            a += grad
            grad = a
        if self.momentum:
            buf = state["momentum_buffer"]
            if self.steps == 1:
                buf[...] = grad
            else:
                buf *= self.momentum
                if self.dampening:  # (1 - 0) * g is g exactly: skip a pass over the vector
                    xp.multiply(grad, 1 - self.dampening, out=b)
                    buf += b
                else:
                    buf += grad
            if self.nesterov:
                xp.multiply(buf, self.momentum, out=b)
                b += grad
                grad = b
            else:
                grad = buf
        xp.multiply(grad, self.lr, out=a)
        param -= a


GD = SGD
"""The course notes' name for :class:`SGD`: full-batch gradient descent is SGD with one batch."""
