"""Indexing and slicing: ``a[...]`` with basic or integer-array (and boolean) indices."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.backend import array_module, to_numpy
from descenso.tensor import Tensor


def _plain_index(index: Any, xp: Any) -> Any:
    """Replace Tensors inside an index by their arrays, and lists and host arrays by ``xp`` arrays."""
    if isinstance(index, tuple):
        return tuple(_plain_index(i, xp) for i in index)
    if isinstance(index, Tensor):
        index = index.data.astype(np.intp) if index.dtype.kind == "f" else index.data
    if isinstance(index, list):
        index = np.asarray(index)
    if _is_array(index) and array_module(index) is not xp:  # an index array goes to the data's device
        index = xp.asarray(to_numpy(index))
    return index


def _is_array(part: Any) -> bool:
    return hasattr(part, "dtype") and not isinstance(part, np.generic)


def _is_advanced(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(_is_array(p) for p in parts)


def getitem(a: Tensor, index: Any) -> Tensor:
    """Select elements like NumPy: ``a[1]``, ``a[:, 2:5]``, ``a[[0, 0, 3]]``, ``a[mask]``.

    Parameters
    ----------
    a : Tensor
        Input.
    index : int, slice, None, Ellipsis, list, array, Tensor or a tuple of them
        A NumPy index; a float Tensor is read as integers.

    Returns
    -------
    Tensor
        The selected values (a copy).

    Raises
    ------
    IndexError
        If the index does not fit the shape (the message shows it).

    Notes
    -----
    The gradient is scattered back to the selected positions; an element picked
    twice by an integer-array index receives both contributions (``np.add.at``).

    Examples
    --------
    >>> import descenso as ds
    >>> x = ds.tensor([10.0, 20.0, 30.0], requires_grad=True)
    >>> x[[0, 0, 2]].sum().backward()
    >>> x.grad
    array([2., 0., 1.], dtype=float32)
    """
    xp = array_module(a.data)
    index = _plain_index(index, xp)
    try:
        data = a.data[index]
    except IndexError as error:
        raise IndexError(f"index {index!r} is invalid for a tensor of shape {a.shape}: {error}") from None
    advanced = _is_advanced(index)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        full = xp.zeros(a.shape, dtype=grad.dtype)
        if advanced:
            xp.add.at(full, index, grad)
        else:
            full[index] = grad
        return (full,)

    if not advanced:  # basic indexing gives a view; copy so later in-place updates of a do not leak
        data = xp.array(data, copy=True)
    return Tensor.from_op(data, (a,), backward, "getitem")
