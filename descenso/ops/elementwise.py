"""Elementwise functions of one tensor: exp, log, sqrt, abs and the activations.

Each keeps, for its backward, only what the derivative needs; where the
derivative is a function of the output (exp, tanh, sigmoid, sqrt) it keeps the
output instead of recomputing it.
"""

from __future__ import annotations

import numpy as np

from descenso.tensor import Tensor


def exp(a: Tensor) -> Tensor:
    """Elementwise ``e**a``. Notes: ``d exp(a)/da = exp(a)`` (the output, kept)."""
    data = np.exp(a.data)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * data,)

    return Tensor.from_op(data, (a,), backward, "exp")


def log(a: Tensor) -> Tensor:
    """Elementwise natural logarithm. Notes: ``d log(a)/da = 1/a``."""

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad / a.data,)

    return Tensor.from_op(np.log(a.data), (a,), backward, "log")


def sqrt(a: Tensor) -> Tensor:
    """Elementwise square root. Notes: ``d sqrt(a)/da = 1 / (2 sqrt(a))``."""
    data = np.sqrt(a.data)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad / (2 * data),)

    return Tensor.from_op(data, (a,), backward, "sqrt")


def abs(a: Tensor) -> Tensor:  # noqa: A001 - NumPy's name
    """Elementwise absolute value. Notes: ``d|a|/da = sign(a)``, 0 at 0 (as PyTorch)."""

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * np.sign(a.data),)

    return Tensor.from_op(np.abs(a.data), (a,), backward, "abs")


def tanh(a: Tensor) -> Tensor:
    """Elementwise hyperbolic tangent. Notes: ``d tanh(a)/da = 1 - tanh(a)**2``."""
    data = np.tanh(a.data)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * (1 - data * data),)

    return Tensor.from_op(data, (a,), backward, "tanh")


def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + e**-x)`` without overflow: only ``e**-|x|`` (at most 1) is computed."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _log1p_exp_neg_abs(x: np.ndarray) -> np.ndarray:
    """``log(1 + e**-|x|)``, the bounded part of softplus and log-sigmoid."""
    return np.log1p(np.exp(-np.abs(x)))


def sigmoid(a: Tensor) -> Tensor:
    """Logistic function ``1 / (1 + e**-a)``, stable for any finite input.

    Notes
    -----
    ``d sigmoid(a)/da = s (1 - s)`` with ``s`` the output.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.sigmoid(ds.tensor([-1000.0, 0.0, 1000.0])).data
    array([0. , 0.5, 1. ], dtype=float32)
    """
    data = _stable_sigmoid(a.data)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * data * (1 - data),)

    return Tensor.from_op(data, (a,), backward, "sigmoid")


def relu(a: Tensor) -> Tensor:
    """Rectified linear unit ``max(a, 0)``. Notes: derivative 1 where ``a > 0``, else 0."""
    data = np.maximum(a.data, 0)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * (a.data > 0),)

    return Tensor.from_op(data, (a,), backward, "relu")


def leaky_relu(a: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``a`` where ``a > 0``, else ``negative_slope * a``. Notes: derivative 1 or the slope."""
    slope = np.asarray(negative_slope, dtype=a.dtype)
    positive = a.data > 0
    data = np.where(positive, a.data, slope * a.data)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * np.where(positive, 1, slope).astype(a.dtype, copy=False),)

    return Tensor.from_op(data, (a,), backward, "leaky_relu")


def softplus(a: Tensor) -> Tensor:
    """``log(1 + e**a)`` computed as ``max(a, 0) + log(1 + e**-|a|)``: no overflow.

    Notes
    -----
    ``d softplus(a)/da = sigmoid(a)``.
    """
    data = np.maximum(a.data, 0) + _log1p_exp_neg_abs(a.data)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * _stable_sigmoid(a.data),)

    return Tensor.from_op(data, (a,), backward, "softplus")


def log_sigmoid(a: Tensor) -> Tensor:
    """``log(sigmoid(a))`` computed as ``min(a, 0) - log(1 + e**-|a|)``: no overflow.

    Notes
    -----
    ``d log_sigmoid(a)/da = 1 - sigmoid(a) = sigmoid(-a)``.
    """
    data = np.minimum(a.data, 0) - _log1p_exp_neg_abs(a.data)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * _stable_sigmoid(-a.data),)

    return Tensor.from_op(data, (a,), backward, "log_sigmoid")
