"""Ops that move values without changing them: reshape, transpose, stack and friends.

Their backward moves the gradient back the same way, so it costs no arithmetic.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from descenso.backend import array_module
from descenso.ops._util import check_devices, normalize_axes, unbroadcast
from descenso.tensor import Tensor


def reshape(a: Tensor, *shape: Any) -> Tensor:
    """The same values in a new shape (one dimension may be -1).

    Parameters
    ----------
    a : Tensor
        Input.
    *shape : int or one tuple of int
        The new shape.

    Returns
    -------
    Tensor
        A tensor of the new shape.

    Raises
    ------
    ValueError
        If the number of elements differs (the message shows both shapes).

    Notes
    -----
    The gradient is reshaped back.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.tensor([1.0, 2.0, 3.0, 4.0]).reshape(2, -1).data
    array([[1., 2.],
           [3., 4.]], dtype=float32)
    """
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        data = a.data.reshape(shape)
    except ValueError:
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {a.shape} ({a.size} elements) "
            f"into shape {tuple(shape)}"
        ) from None

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad.reshape(a.shape),)

    return Tensor.from_op(data, (a,), backward, "reshape")


def transpose(a: Tensor, *axes: Any) -> Tensor:
    """Permute the axes (reverse them when none are given; ``t.T`` does that).

    Parameters
    ----------
    a : Tensor
        Input.
    *axes : int or one tuple of int
        A permutation of ``range(a.ndim)``; negative values allowed.

    Returns
    -------
    Tensor
        The permuted tensor.

    Raises
    ------
    ValueError
        If ``axes`` is not a permutation of the tensor's axes.

    Notes
    -----
    The gradient is permuted back with the inverse permutation.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.ones(2, 3, 4).transpose(2, 0, 1).shape
    (4, 2, 3)
    """
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    if any(not -a.ndim <= int(x) < a.ndim for x in axes):
        raise ValueError(f"transpose: axes {axes} are out of range for a {a.ndim}-d tensor")
    perm = tuple(range(a.ndim))[::-1] if not axes else tuple(int(x) % a.ndim for x in axes)
    if sorted(perm) != list(range(a.ndim)):
        raise ValueError(f"transpose: axes {axes} are not a permutation of a {a.ndim}-d tensor")
    inverse = tuple(np.argsort(perm))

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad.transpose(inverse),)

    return Tensor.from_op(a.data.transpose(perm), (a,), backward, "transpose")


def squeeze(a: Tensor, axis: Any = None) -> Tensor:
    """Remove size-1 axes (all of them, or the ones named).

    Parameters
    ----------
    a : Tensor
        Input.
    axis : int or tuple of int, optional
        Axes to remove; each must have size 1.

    Returns
    -------
    Tensor
        The tensor without those axes.

    Raises
    ------
    ValueError
        If a named axis does not have size 1.

    Notes
    -----
    The gradient is reshaped back.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.ones(1, 3, 1).squeeze().shape
    (3,)
    """
    if axis is None:
        axes = tuple(i for i, n in enumerate(a.shape) if n == 1)
    else:
        axes = normalize_axes(axis, a.ndim)
        bad = [i for i in axes if a.shape[i] != 1]
        if bad:
            raise ValueError(f"squeeze: axis {bad[0]} has size {a.shape[bad[0]]}, not 1 (shape {a.shape})")
    return reshape(a, tuple(n for i, n in enumerate(a.shape) if i not in axes))


def unsqueeze(a: Tensor, axis: int) -> Tensor:
    """Insert a size-1 axis at position ``axis`` (``-1`` appends).

    Parameters
    ----------
    a : Tensor
        Input.
    axis : int
        Position of the new axis in the result.

    Returns
    -------
    Tensor
        The tensor with one more axis.

    Raises
    ------
    ValueError
        If ``axis`` is out of range.

    Notes
    -----
    The gradient is reshaped back.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.ones(3).unsqueeze(0).shape
    (1, 3)
    """
    ndim = a.ndim + 1
    if not -ndim <= axis < ndim:
        raise ValueError(f"unsqueeze: axis {axis} is out of range for a result with {ndim} dimensions")
    shape = list(a.shape)
    shape.insert(axis % ndim, 1)
    return reshape(a, tuple(shape))


def broadcast_to(a: Tensor, shape: Sequence[int]) -> Tensor:
    """Repeat ``a`` along new or size-1 axes to ``shape``.

    Parameters
    ----------
    a : Tensor
        Input.
    shape : tuple of int
        The target shape.

    Returns
    -------
    Tensor
        A tensor of ``shape``.

    Raises
    ------
    ValueError
        If ``a`` cannot be broadcast to ``shape``.

    Notes
    -----
    The gradient is summed back over the repeated axes.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.broadcast_to(ds.tensor([1.0, 2.0]), (2, 2)).data
    array([[1., 2.],
           [1., 2.]], dtype=float32)
    """
    shape = tuple(int(n) for n in shape)
    try:
        data = array_module(a.data).broadcast_to(a.data, shape)
    except ValueError:
        raise ValueError(f"broadcast_to: cannot broadcast shape {a.shape} to {shape}") from None

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (unbroadcast(grad, a.shape),)

    return Tensor.from_op(data, (a,), backward, "broadcast_to")


def concatenate(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis.

    Parameters
    ----------
    tensors : sequence of Tensor
        Tensors whose shapes agree except along ``axis``.
    axis : int, default 0
        The axis to join along.

    Returns
    -------
    Tensor
        The joined tensor.

    Raises
    ------
    ValueError
        If the list is empty or the shapes do not fit (the message shows them).

    Notes
    -----
    The gradient is split back by sizes.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.concatenate([ds.tensor([1.0]), ds.tensor([2.0, 3.0])]).data
    array([1., 2., 3.], dtype=float32)
    """
    tensors = _as_tensors(tensors, "concatenate")
    xp = array_module(tensors[0].data)
    try:
        data = xp.concatenate([t.data for t in tensors], axis=axis)
    except (ValueError, np.exceptions.AxisError) as error:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"concatenate along axis {axis}: shapes {shapes} do not fit: {error}") from None
    bounds = np.cumsum([t.shape[axis] for t in tensors])[:-1].tolist()

    def backward(grad: np.ndarray) -> list[np.ndarray]:
        return xp.split(grad, bounds, axis=axis)

    return Tensor.from_op(data, tuple(tensors), backward, "concatenate")


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join equal-shaped tensors along a new axis.

    Parameters
    ----------
    tensors : sequence of Tensor
        Tensors of one shape.
    axis : int, default 0
        Position of the new axis.

    Returns
    -------
    Tensor
        The stacked tensor.

    Raises
    ------
    ValueError
        If the list is empty or the shapes differ.

    Notes
    -----
    Each input gets its slice of the gradient.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.stack([ds.tensor([1.0, 2.0]), ds.tensor([3.0, 4.0])], axis=1).data
    array([[1., 3.],
           [2., 4.]], dtype=float32)
    """
    tensors = _as_tensors(tensors, "stack")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack needs tensors of one shape; got {', '.join(map(str, shapes))}")
    xp = array_module(tensors[0].data)
    data = xp.stack([t.data for t in tensors], axis=axis)
    new_axis = axis % data.ndim

    def backward(grad: np.ndarray) -> list[np.ndarray]:
        return [xp.take(grad, i, axis=new_axis) for i in range(len(tensors))]

    return Tensor.from_op(data, tuple(tensors), backward, "stack")


def _as_tensors(tensors: Sequence[Any], name: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or len(tensors) == 0:
        raise ValueError(f"{name} needs a non-empty list of tensors")
    out = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    for t in out[1:]:
        check_devices(name, out[0], t)
    return out
