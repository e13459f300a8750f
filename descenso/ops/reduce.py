"""Reductions: sum, mean, max, min over all axes or chosen ones."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.backend import array_module
from descenso.ops._util import normalize_axes
from descenso.tensor import Tensor


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The output shape with ``keepdims=True``: reduced axes become size 1."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(grad: np.ndarray, kept_shape: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    """Copy ``grad`` back along the reduced axes into a new array of ``shape``.

    A filled array rather than ``np.broadcast_to``'s view: NumPy's broadcast_to and expand_dims
    are Python functions that cost several times more than this for the small arrays of a step.
    """
    out = array_module(grad).empty(shape, dtype=grad.dtype)
    out[...] = grad.reshape(kept_shape)
    return out


def sum(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (all axes by default).

    Parameters
    ----------
    a : Tensor
        Input.
    axis : int or tuple of int, optional
        Axes to reduce; negative values count from the end.
    keepdims : bool, default False
        Keep the reduced axes with size 1.

    Returns
    -------
    Tensor
        The sums.

    Raises
    ------
    ValueError
        If an axis is out of range.

    Notes
    -----
    Every summed element gets the output's gradient: it is copied back along the reduced axes.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0).data
    array([4., 6.], dtype=float32)
    """
    shape = a.data.shape
    axes = normalize_axes(axis, len(shape))
    kept_shape = _kept_shape(shape, axes)
    data = a.data.sum(axis=axes, keepdims=keepdims)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (_spread(grad, kept_shape, shape),)

    return Tensor.from_op(data, (a,), backward, "sum")


def mean(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over ``axis`` (all axes by default).

    Parameters
    ----------
    a : Tensor
        Input.
    axis : int or tuple of int, optional
        Axes to average; negative values count from the end.
    keepdims : bool, default False
        Keep the reduced axes with size 1.

    Returns
    -------
    Tensor
        The means.

    Raises
    ------
    ValueError
        If an axis is out of range or the selection is empty.

    Notes
    -----
    Each of the ``n`` averaged elements gets ``1/n`` of the output's gradient.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.tensor([[1.0, 2.0], [3.0, 4.0]]).mean(axis=1).data
    array([1.5, 3.5], dtype=float32)
    """
    shape = a.data.shape
    axes = normalize_axes(axis, len(shape))
    count = 1
    for i in axes:
        count *= shape[i]
    if count == 0:
        raise ValueError(f"mean of an empty selection: shape {shape}, axis={axis}")
    kept_shape = _kept_shape(shape, axes)
    # What np.mean does (a sum in the input's dtype, then one division), without its Python wrapper.
    total = a.data.sum(axis=axes, keepdims=keepdims)
    # float stays float32/float64; a boolean mask (x > 0) averages in float64, as np.mean does.
    data = total / (total.dtype if total.dtype.kind == "f" else np.dtype(np.float64)).type(count)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (_spread(grad / grad.dtype.type(count), kept_shape, shape),)

    return Tensor.from_op(data, (a,), backward, "mean")


def _extreme(a: Tensor, axis: Any, keepdims: bool, reduce: Any, name: str) -> Tensor:
    if a.size == 0:
        raise ValueError(f"{name} of an empty tensor (shape {a.shape}) has no value")
    axes = normalize_axes(axis, a.ndim)
    xp = array_module(a.data)
    kept = getattr(xp, reduce)(a.data, axis=axes, keepdims=True)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        # The gradient goes to the extreme element; ties share it equally (PyTorch's amax).
        hits = a.data == kept
        counts = hits.sum(axis=axes, keepdims=True)
        return (hits * (grad.reshape(kept.shape) / counts).astype(grad.dtype),)

    data = kept if keepdims else xp.squeeze(kept, axis=axes) if a.ndim else kept
    return Tensor.from_op(data, (a,), backward, name)


def max(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Largest value over ``axis`` (all axes by default).

    Parameters
    ----------
    a : Tensor
        Input.
    axis : int or tuple of int, optional
        Axes to reduce.
    keepdims : bool, default False
        Keep the reduced axes with size 1.

    Returns
    -------
    Tensor
        The maxima.

    Raises
    ------
    ValueError
        If the tensor is empty or an axis is out of range.

    Notes
    -----
    The gradient goes to the maximum; tied maxima share it equally (PyTorch's ``amax``).

    Examples
    --------
    >>> import descenso as ds
    >>> ds.tensor([[1.0, 5.0], [3.0, 2.0]]).max(axis=1).data
    array([5., 3.], dtype=float32)
    """
    return _extreme(a, axis, keepdims, "max", "max")


def min(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Smallest value over ``axis`` (all axes by default).

    Parameters
    ----------
    a : Tensor
        Input.
    axis : int or tuple of int, optional
        Axes to reduce.
    keepdims : bool, default False
        Keep the reduced axes with size 1.

    Returns
    -------
    Tensor
        The minima.

    Raises
    ------
    ValueError
        If the tensor is empty or an axis is out of range.

    Notes
    -----
    The gradient goes to the minimum; tied minima share it equally (PyTorch's ``amin``).

    Examples
    --------
    >>> import descenso as ds
    >>> ds.tensor([[1.0, 5.0], [3.0, 2.0]]).min().data
    array(1., dtype=float32)
    """
    return _extreme(a, axis, keepdims, "min", "min")
