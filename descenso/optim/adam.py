"""Adam and AdamW: momentum on the gradient, scaled per coordinate by its running RMS."""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from descenso.backend import array_module
from descenso.optim.base import Optimizer, check_number


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015), with PyTorch's conventions.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float >= 0, default 1e-3
    betas : (float, float) in [0, 1), default (0.9, 0.999)
        Decay rates of the running mean of the gradient and of its square.
    eps : float >= 0, default 1e-8
    weight_decay : float >= 0, default 0
        L2 penalty added to the gradient (coupled; see :class:`AdamW` for decoupled).
    amsgrad : bool, default False
        Use the running maximum of the squared-gradient average (Reddi et al., 2018).
    flat : bool, default True
        See :class:`Optimizer`.

    Raises
    ------
    ValueError
        For a beta outside [0, 1) or a negative value.

    Notes
    -----
    At step ``t``::

        g <- g + weight_decay * theta                 (Adam; AdamW decays theta)
        m <- beta1 m + (1 - beta1) g
        v <- beta2 v + (1 - beta2) g^2
        v_hat = max(v_hat, v) if amsgrad else v
        theta <- theta - lr / (1 - beta1^t) * m / (sqrt(v_hat) / sqrt(1 - beta2^t) + eps)

    Examples
    --------
    >>> import descenso as ds
    >>> w = ds.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()                        # the first step moves each coordinate by about lr
    >>> w.data.round(4)
    array([ 0.9, -1.9], dtype=float32)
    """

    _hyper_names = ("betas", "eps", "weight_decay", "amsgrad")
    _decoupled = False

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        flat: bool = True,
    ) -> None:
        self.betas, self.eps, self.weight_decay, self.amsgrad = betas, eps, weight_decay, amsgrad
        self._validate()
        self._state_names = (
            ("exp_avg", "exp_avg_sq", "max_exp_avg_sq") if amsgrad else ("exp_avg", "exp_avg_sq")
        )
        super().__init__(params, lr, flat=flat)

    def _validate(self) -> None:
        owner = type(self).__name__
        if not isinstance(self.betas, (tuple, list)) or len(self.betas) != 2:
            raise ValueError(f"{owner}: betas must be a pair (beta1, beta2); got {self.betas!r}")
        hint = "Typical: betas=(0.9, 0.999)"
        self.betas = tuple(
            check_number(owner, name, b, high=1.0, high_open=True, hint=hint)
            for name, b in zip(("betas[0]", "betas[1]"), self.betas, strict=True)
        )  # type: ignore[assignment]
        self.eps = check_number(owner, "eps", self.eps, hint="Typical: eps=1e-8")
        self.weight_decay = check_number(owner, "weight_decay", self.weight_decay)
        self.amsgrad = bool(self.amsgrad)

    def _coefficients(self) -> tuple[float, float]:
        beta1, beta2 = self.betas
        step_size = self.lr / (1 - beta1**self.steps)
        return step_size, math.sqrt(1 - beta2**self.steps)

    def _update_one(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        xp = array_module(param)
        beta1, beta2 = self.betas
        if self._decoupled:
            param *= 1 - self.lr * self.weight_decay
        elif self.weight_decay:
            grad = grad + self.weight_decay * param
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m[...] = beta1 * m + (1 - beta1) * grad
        v[...] = beta2 * v + (1 - beta2) * grad * grad
        if self.amsgrad:
            xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        step_size, bias_sqrt = self._coefficients()
        param -= step_size * (m / (xp.sqrt(v) / bias_sqrt + self.eps))

    def _update_flat(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray], work: np.ndarray
    ) -> None:
        xp = array_module(param)
        beta1, beta2 = self.betas
        a, b = work[0], work[1]
        if self._decoupled:
            param *= 1 - self.lr * self.weight_decay
        elif self.weight_decay:
            xp.multiply(param, self.weight_decay, out=a)
            a += grad
            grad = a
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        xp.multiply(grad, 1 - beta1, out=b)
        m += b
        v *= beta2
        xp.multiply(grad, 1 - beta2, out=b)
        b *= grad
        v += b
        if self.amsgrad:
            xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        step_size, bias_sqrt = self._coefficients()
        xp.sqrt(v, out=b)
        b /= bias_sqrt
        b += self.eps
        xp.divide(m, b, out=b)
        b *= step_size
        param -= b


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019), PyTorch's ``AdamW``.

    Parameters are those of :class:`Adam`; ``weight_decay`` defaults to 0.01.

    Notes
    -----
    Before the Adam step (which then uses the plain gradient)::

        theta <- theta * (1 - lr * weight_decay)

    so the decay is not rescaled by the adaptive denominator, unlike an L2 term.

    Examples
    --------
    >>> import descenso as ds
    >>> w = ds.tensor([1.0], requires_grad=True)
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = w.data * 0                # zero gradient: only the decay acts
    >>> opt.step()
    >>> w.data
    array([0.95], dtype=float32)
    """

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        flat: bool = True,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, flat)
