"""Reductions: sum, mean, max, min over all axes or chosen ones."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.ops._util import normalize_axes
from descenso.tensor import Tensor


def _expand(grad: np.ndarray, axes: tuple[int, ...], keepdims: bool, ndim: int) -> np.ndarray:
    """Put back the reduced axes as size-1 axes so ``grad`` broadcasts to the input."""
    if keepdims or ndim == 0:
        return grad
    return np.expand_dims(grad, axes)


def sum(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (all axes by default).

    Notes
    -----
    Every summed element gets the output's gradient: it is broadcast back.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0).data
    array([4., 6.], dtype=float32)
    """
    axes = normalize_axes(axis, a.ndim)
    data = np.sum(a.data, axis=axes, keepdims=keepdims)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (np.broadcast_to(_expand(grad, axes, keepdims, a.ndim), a.shape),)

    return Tensor.from_op(np.asarray(data), (a,), backward, "sum")


def mean(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over ``axis`` (all axes by default).

    Notes
    -----
    Each of the ``n`` averaged elements gets ``1/n`` of the output's gradient.
    """
    axes = normalize_axes(axis, a.ndim)
    count = int(np.prod([a.shape[i] for i in axes])) if a.ndim else 1
    if count == 0:
        raise ValueError(f"mean of an empty selection: shape {a.shape}, axis={axis}")
    data = np.mean(a.data, axis=axes, keepdims=keepdims)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        scaled = _expand(grad, axes, keepdims, a.ndim) / np.asarray(count, dtype=grad.dtype)
        return (np.broadcast_to(scaled, a.shape),)

    return Tensor.from_op(np.asarray(data), (a,), backward, "mean")


def _extreme(a: Tensor, axis: Any, keepdims: bool, reduce: Any, name: str) -> Tensor:
    if a.size == 0:
        raise ValueError(f"{name} of an empty tensor (shape {a.shape}) has no value")
    axes = normalize_axes(axis, a.ndim)
    kept = reduce(a.data, axis=axes, keepdims=True)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        # The gradient goes to the extreme element; ties share it equally (PyTorch's amax).
        hits = a.data == kept
        counts = hits.sum(axis=axes, keepdims=True)
        return (hits * (_expand(grad, axes, keepdims, a.ndim) / counts).astype(grad.dtype),)

    data = kept if keepdims else np.squeeze(kept, axis=axes) if a.ndim else kept
    return Tensor.from_op(np.asarray(data), (a,), backward, name)


def max(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Largest value over ``axis``. Notes: the gradient goes to the maximum; ties share it."""
    return _extreme(a, axis, keepdims, np.max, "max")


def min(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Smallest value over ``axis``. Notes: the gradient goes to the minimum; ties share it."""
    return _extreme(a, axis, keepdims, np.min, "min")
