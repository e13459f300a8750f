"""Ops that choose between values: clip, maximum, minimum, where."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.backend import array_module, device_of, to_device
from descenso.ops._util import broadcast_error, check_devices, unbroadcast
from descenso.ops.arithmetic import _pair
from descenso.tensor import Tensor


def clip(a: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """Limit values to ``[min, max]`` (either bound may be None).

    Parameters
    ----------
    a : Tensor
        Input.
    min, max : float or None
        Bounds; at least one is needed.

    Returns
    -------
    Tensor
        The clipped values.

    Raises
    ------
    ValueError
        If both bounds are None or ``min > max``.

    Notes
    -----
    The derivative is 1 where ``min <= a <= max`` and 0 where the value was cut
    (PyTorch's ``clamp`` convention).

    Examples
    --------
    >>> import descenso as ds
    >>> ds.clip(ds.tensor([-2.0, 0.5, 2.0]), -1.0, 1.0).data
    array([-1. ,  0.5,  1. ], dtype=float32)
    """
    if min is None and max is None:
        raise ValueError("clip needs at least one of min= or max=")
    if min is not None and max is not None and min > max:
        raise ValueError(f"clip: min={min} is greater than max={max}")
    xp = array_module(a.data)
    data = xp.clip(a.data, min, max).astype(a.dtype, copy=False)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        inside = xp.ones(a.shape, dtype=bool)
        if min is not None:
            inside &= a.data >= min
        if max is not None:
            inside &= a.data <= max
        return (grad * inside,)

    return Tensor.from_op(data, (a,), backward, "clip")


def _extremum(a: Any, b: Any, pick_a: str, name: str) -> Tensor:
    a, b = _pair(a, b, name)
    xp = array_module(a.data)
    try:
        data = getattr(xp, pick_a)(a.data, b.data)
    except ValueError:
        raise broadcast_error(name, a, b) from None

    def backward(grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        # Ties share the gradient equally, as PyTorch does.
        share_a = xp.where(a.data == b.data, 0.5, (data == a.data)).astype(grad.dtype)
        grad_a = unbroadcast(grad * share_a, a.shape) if a.requires_grad else None
        grad_b = unbroadcast(grad * (1 - share_a), b.shape) if b.requires_grad else None
        return grad_a, grad_b

    return Tensor.from_op(data, (a, b), backward, name)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise larger of ``a`` and ``b``.

    Parameters
    ----------
    a, b : Tensor or array_like
        Operands; broadcast together like NumPy. A plain number takes the other operand's dtype.

    Returns
    -------
    Tensor
        The larger values, of the broadcast shape.

    Raises
    ------
    ValueError
        If the shapes cannot be broadcast together (the message shows both).

    Notes
    -----
    The gradient goes to the larger operand; where they tie, each gets half (as PyTorch).

    Examples
    --------
    >>> import descenso as ds
    >>> ds.maximum(ds.tensor([1.0, 5.0]), 3.0).data
    array([3., 5.], dtype=float32)
    """
    return _extremum(a, b, "maximum", "maximum")


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise smaller of ``a`` and ``b``.

    Parameters
    ----------
    a, b : Tensor or array_like
        Operands; broadcast together like NumPy. A plain number takes the other operand's dtype.

    Returns
    -------
    Tensor
        The smaller values, of the broadcast shape.

    Raises
    ------
    ValueError
        If the shapes cannot be broadcast together (the message shows both).

    Notes
    -----
    The gradient goes to the smaller operand; where they tie, each gets half (as PyTorch).

    Examples
    --------
    >>> import descenso as ds
    >>> ds.minimum(ds.tensor([1.0, 5.0]), 3.0).data
    array([1., 3.], dtype=float32)
    """
    return _extremum(a, b, "minimum", "minimum")


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` is true, else ``b`` (all three broadcast together).

    Parameters
    ----------
    condition : Tensor or array_like of bool
        Which operand to take, elementwise (e.g. ``x > 0``).
    a, b : Tensor or array_like
        The two choices.

    Returns
    -------
    Tensor
        The chosen values, of the broadcast shape.

    Raises
    ------
    TypeError
        If ``condition`` is not boolean.
    ValueError
        If the shapes cannot be broadcast together.

    Notes
    -----
    The gradient flows to ``a`` where the condition holds and to ``b`` elsewhere; none flows
    through the condition.

    Examples
    --------
    >>> import descenso as ds
    >>> x = ds.tensor([-1.0, 2.0])
    >>> ds.where(x > 0, x, 0.0).data
    array([0., 2.], dtype=float32)
    """
    cond = condition.data if isinstance(condition, Tensor) else condition
    cond = cond if hasattr(cond, "dtype") else np.asarray(cond)
    if cond.dtype != bool:
        raise TypeError(f"where: condition must be boolean; got dtype {cond.dtype}")
    a, b = _pair(a, b, "where")
    if isinstance(condition, Tensor):
        check_devices("where", condition, a)
    elif device_of(cond) != a.device:
        cond = to_device(cond, a.device)  # a host mask for device operands: moved once
    xp = array_module(a.data)
    try:
        data = xp.where(cond, a.data, b.data)
    except ValueError:
        shapes = f"{cond.shape}, {a.shape} and {b.shape}"
        raise ValueError(f"where: shapes {shapes} cannot be broadcast together") from None

    def backward(grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        zero = grad.dtype.type(0)
        grad_a = unbroadcast(xp.where(cond, grad, zero), a.shape) if a.requires_grad else None
        grad_b = unbroadcast(xp.where(cond, zero, grad), b.shape) if b.requires_grad else None
        return grad_a, grad_b

    return Tensor.from_op(data, (a, b), backward, "where")


__all__ = ["clip", "maximum", "minimum", "where"]
