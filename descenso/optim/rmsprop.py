"""RMSprop: each coordinate's step divided by the running RMS of its gradient."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from descenso.backend import array_module
from descenso.optim.base import Optimizer, check_number


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), with PyTorch's conventions.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float >= 0, default 1e-2
    alpha : float in [0, 1), default 0.99
        Decay rate of the running average of the squared gradient.
    eps : float >= 0, default 1e-8
    weight_decay : float >= 0, default 0
    momentum : float >= 0, default 0
    centered : bool, default False
        Divide by an estimate of the gradient's standard deviation instead of its RMS.
    flat : bool, default True
        See :class:`Optimizer`.

    Raises
    ------
    ValueError
        For alpha outside [0, 1) or a negative value.

    Notes
    -----
    ::

        g <- g + weight_decay * theta
        v <- alpha v + (1 - alpha) g^2
        mu <- alpha mu + (1 - alpha) g                    (centered only)
        r = sqrt(v - mu^2) + eps  (centered)  |  sqrt(v) + eps
        b <- momentum b + g / r;  theta <- theta - lr b   (momentum > 0)
        theta <- theta - lr g / r                         (otherwise)

    Examples
    --------
    >>> import descenso as ds
    >>> w = ds.tensor([1.0], requires_grad=True)
    >>> opt = RMSprop([w], lr=0.01, alpha=0.75)
    >>> (w * w).sum().backward()          # g = 2, v = 0.25 * 4 = 1, step 0.01 * 2 / 1
    >>> opt.step()
    >>> w.data
    array([0.98], dtype=float32)
    """

    _hyper_names = ("alpha", "eps", "weight_decay", "momentum", "centered")

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        flat: bool = True,
    ) -> None:
        self.alpha, self.eps, self.weight_decay = alpha, eps, weight_decay
        self.momentum, self.centered = momentum, centered
        self._validate()
        names = (
            ["square_avg"] + (["momentum_buffer"] if momentum else []) + (["grad_avg"] if centered else [])
        )
        self._state_names = tuple(names)
        super().__init__(params, lr, flat=flat)

    def _validate(self) -> None:
        owner = type(self).__name__
        self.alpha = check_number(owner, "alpha", self.alpha, high=1.0, high_open=True, hint="Typical: 0.99")
        self.eps = check_number(owner, "eps", self.eps)
        self.weight_decay = check_number(owner, "weight_decay", self.weight_decay)
        self.momentum = check_number(owner, "momentum", self.momentum)
        self.centered = bool(self.centered)

    def _update_one(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        xp = array_module(param)
        alpha = self.alpha
        if self.weight_decay:
            grad = grad + self.weight_decay * param
        v = state["square_avg"]
        v[...] = alpha * v + (1 - alpha) * grad * grad
        if self.centered:
            mu = state["grad_avg"]
            mu[...] = alpha * mu + (1 - alpha) * grad
            rms = xp.sqrt(v - mu * mu) + self.eps
        else:
            rms = xp.sqrt(v) + self.eps
        if self.momentum:
            buf = state["momentum_buffer"]
            buf[...] = self.momentum * buf + grad / rms
            param -= self.lr * buf
        else:
            param -= self.lr * (grad / rms)

    def _update_flat(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray], work: np.ndarray
    ) -> None:
        xp = array_module(param)
        alpha = self.alpha
        a, b = work[0], work[1]
        if self.weight_decay:
            xp.multiply(param, self.weight_decay, out=a)
            a += grad
            grad = a
        v = state["square_avg"]
        v *= alpha
        xp.multiply(grad, 1 - alpha, out=b)
        b *= grad
        v += b
        if self.centered:
            mu = state["grad_avg"]
            mu *= alpha
            xp.multiply(grad, 1 - alpha, out=b)
            mu += b
            xp.multiply(mu, mu, out=b)
            xp.subtract(v, b, out=b)
            xp.sqrt(b, out=b)
        else:
            xp.sqrt(v, out=b)
        b += self.eps
        xp.divide(grad, b, out=b)
        if self.momentum:
            buf = state["momentum_buffer"]
            buf *= self.momentum
            buf += b
            xp.multiply(buf, self.lr, out=b)
        else:
            b *= self.lr
        param -= b
