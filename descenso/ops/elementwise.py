"""Elementwise functions of one tensor: exp, log, sqrt, abs and the activations.

Each keeps, for its backward, only what the derivative needs; where the
derivative is a function of the output (exp, tanh, sigmoid, sqrt) it keeps the
output instead of recomputing it.
"""

from __future__ import annotations

import numpy as np

from descenso.backend import array_module
from descenso.tensor import Tensor


def exp(a: Tensor) -> Tensor:
    """Elementwise ``e**a``.

    Parameters
    ----------
    a : Tensor
        Input.

    Returns
    -------
    Tensor
        ``e**a``.

    Notes
    -----
    ``d exp(a)/da = exp(a)`` (the output, kept for backward).

    Examples
    --------
    >>> import descenso as ds
    >>> ds.exp(ds.tensor([0.0, 1.0])).data
    array([1.      , 2.718282], dtype=float32)
    """
    data = array_module(a.data).exp(a.data)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * data,)

    return Tensor.from_op(data, (a,), backward, "exp")


def log(a: Tensor) -> Tensor:
    """Elementwise natural logarithm.

    Parameters
    ----------
    a : Tensor
        Input.

    Returns
    -------
    Tensor
        ``log(a)``.

    Notes
    -----
    ``d log(a)/da = 1/a``.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.log(ds.tensor([1.0, 4.0])).data
    array([0.       , 1.3862944], dtype=float32)
    """

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad / a.data,)

    return Tensor.from_op(array_module(a.data).log(a.data), (a,), backward, "log")


def sqrt(a: Tensor) -> Tensor:
    """Elementwise square root.

    Parameters
    ----------
    a : Tensor
        Input.

    Returns
    -------
    Tensor
        ``sqrt(a)``.

    Notes
    -----
    ``d sqrt(a)/da = 1 / (2 sqrt(a))`` (the output, kept).

    Examples
    --------
    >>> import descenso as ds
    >>> ds.sqrt(ds.tensor([4.0, 9.0])).data
    array([2., 3.], dtype=float32)
    """
    data = array_module(a.data).sqrt(a.data)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad / (2 * data),)

    return Tensor.from_op(data, (a,), backward, "sqrt")


def abs(a: Tensor) -> Tensor:  # noqa: A001 - NumPy's name
    """Elementwise absolute value (also ``abs(t)``).

    Parameters
    ----------
    a : Tensor
        Input.

    Returns
    -------
    Tensor
        ``|a|``.

    Notes
    -----
    ``d|a|/da = sign(a)``, 0 at 0 (as PyTorch).

    Examples
    --------
    >>> import descenso as ds
    >>> ds.abs(ds.tensor([-1.5, 2.0])).data
    array([1.5, 2. ], dtype=float32)
    """

    xp = array_module(a.data)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * xp.sign(a.data),)

    return Tensor.from_op(xp.abs(a.data), (a,), backward, "abs")


def tanh(a: Tensor) -> Tensor:
    """Elementwise hyperbolic tangent.

    Parameters
    ----------
    a : Tensor
        Input.

    Returns
    -------
    Tensor
        ``tanh(a)``, in (-1, 1).

    Notes
    -----
    ``d tanh(a)/da = 1 - tanh(a)**2`` (the output, kept).

    Examples
    --------
    >>> import descenso as ds
    >>> ds.tanh(ds.tensor([0.0, 1.0])).data
    array([0.       , 0.7615942], dtype=float32)
    """
    data = array_module(a.data).tanh(a.data)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * (1 - data * data),)

    return Tensor.from_op(data, (a,), backward, "tanh")


def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + e**-x)`` without overflow: only ``e**-|x|`` (at most 1) is computed."""
    xp = array_module(x)
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _log1p_exp_neg_abs(x: np.ndarray) -> np.ndarray:
    """``log(1 + e**-|x|)``, the bounded part of softplus and log-sigmoid."""
    xp = array_module(x)
    return xp.log1p(xp.exp(-xp.abs(x)))


def sigmoid(a: Tensor) -> Tensor:
    """Logistic function ``1 / (1 + e**-a)``, stable for any finite input.

    Parameters
    ----------
    a : Tensor
        Input.

    Returns
    -------
    Tensor
        Values in [0, 1].

    Notes
    -----
    ``d sigmoid(a)/da = s (1 - s)`` with ``s`` the output. Only ``e**-|a|`` is
    evaluated, so +-1000 neither overflows nor warns.

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
    """Rectified linear unit ``max(a, 0)``.

    Parameters
    ----------
    a : Tensor
        Input.

    Returns
    -------
    Tensor
        ``max(a, 0)``.

    Notes
    -----
    The derivative is 1 where ``a > 0`` and 0 elsewhere (0 at 0, as PyTorch).

    Examples
    --------
    >>> import descenso as ds
    >>> ds.relu(ds.tensor([-1.0, 0.0, 2.0])).data
    array([0., 0., 2.], dtype=float32)
    """
    data = array_module(a.data).maximum(a.data, 0)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * (a.data > 0),)

    return Tensor.from_op(data, (a,), backward, "relu")


def leaky_relu(a: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``a`` where ``a > 0``, else ``negative_slope * a``.

    Parameters
    ----------
    a : Tensor
        Input.
    negative_slope : float, default 0.01
        Slope for negative inputs.

    Returns
    -------
    Tensor
        The activation.

    Notes
    -----
    The derivative is 1 where ``a > 0`` and ``negative_slope`` elsewhere.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.leaky_relu(ds.tensor([-2.0, 3.0]), 0.1).data
    array([-0.2,  3. ], dtype=float32)
    """
    xp = array_module(a.data)
    slope = a.dtype.type(negative_slope)  # a NumPy scalar of a's dtype, on any device
    positive = a.data > 0
    data = xp.where(positive, a.data, slope * a.data)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * xp.where(positive, 1, slope).astype(a.dtype, copy=False),)

    return Tensor.from_op(data, (a,), backward, "leaky_relu")


def softplus(a: Tensor) -> Tensor:
    """``log(1 + e**a)`` computed as ``max(a, 0) + log(1 + e**-|a|)``: no overflow.

    Parameters
    ----------
    a : Tensor
        Input.

    Returns
    -------
    Tensor
        Positive values.

    Notes
    -----
    ``d softplus(a)/da = sigmoid(a)``.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.softplus(ds.tensor([-1000.0, 0.0, 1000.0])).data
    array([0.000000e+00, 6.931472e-01, 1.000000e+03], dtype=float32)
    """
    data = array_module(a.data).maximum(a.data, 0) + _log1p_exp_neg_abs(a.data)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * _stable_sigmoid(a.data),)

    return Tensor.from_op(data, (a,), backward, "softplus")


def log_sigmoid(a: Tensor) -> Tensor:
    """``log(sigmoid(a))`` computed as ``min(a, 0) - log(1 + e**-|a|)``: no overflow.

    Parameters
    ----------
    a : Tensor
        Input.

    Returns
    -------
    Tensor
        Non-positive values.

    Notes
    -----
    ``d log_sigmoid(a)/da = 1 - sigmoid(a) = sigmoid(-a)``.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.log_sigmoid(ds.tensor([-1000.0, 0.0, 1000.0])).data
    array([-1.000000e+03, -6.931472e-01,  0.000000e+00], dtype=float32)
    """
    data = array_module(a.data).minimum(a.data, 0) - _log1p_exp_neg_abs(a.data)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * _stable_sigmoid(-a.data),)

    return Tensor.from_op(data, (a,), backward, "log_sigmoid")
