"""Ops that move values without changing them: reshape, transpose, stack and friends.

Their backward moves the gradient back the same way, so it costs no arithmetic.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from descenso.ops._util import normalize_axes, unbroadcast
from descenso.tensor import Tensor


def reshape(a: Tensor, *shape: Any) -> Tensor:
    """The same values in a new shape (one dimension may be -1)."""
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
    """Permute the axes (reverse them when none are given)."""
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
    """Remove size-1 axes (all of them, or the ones named)."""
    if axis is None:
        axes = tuple(i for i, n in enumerate(a.shape) if n == 1)
    else:
        axes = normalize_axes(axis, a.ndim)
        bad = [i for i in axes if a.shape[i] != 1]
        if bad:
            raise ValueError(f"squeeze: axis {bad[0]} has size {a.shape[bad[0]]}, not 1 (shape {a.shape})")
    return reshape(a, tuple(n for i, n in enumerate(a.shape) if i not in axes))


def unsqueeze(a: Tensor, axis: int) -> Tensor:
    """Insert a size-1 axis at position ``axis`` (``-1`` appends)."""
    ndim = a.ndim + 1
    if not -ndim <= axis < ndim:
        raise ValueError(f"unsqueeze: axis {axis} is out of range for a result with {ndim} dimensions")
    shape = list(a.shape)
    shape.insert(axis % ndim, 1)
    return reshape(a, tuple(shape))


def broadcast_to(a: Tensor, shape: Sequence[int]) -> Tensor:
    """Repeat ``a`` along new or size-1 axes to ``shape``. Notes: the gradient is summed back."""
    shape = tuple(int(n) for n in shape)
    try:
        data = np.broadcast_to(a.data, shape)
    except ValueError:
        raise ValueError(f"broadcast_to: cannot broadcast shape {a.shape} to {shape}") from None

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        return (unbroadcast(grad, a.shape),)

    return Tensor.from_op(data, (a,), backward, "broadcast_to")


def concatenate(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis. Notes: the gradient is split back by sizes."""
    tensors = _as_tensors(tensors, "concatenate")
    try:
        data = np.concatenate([t.data for t in tensors], axis=axis)
    except (ValueError, np.exceptions.AxisError) as error:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"concatenate along axis {axis}: shapes {shapes} do not fit: {error}") from None
    bounds = np.cumsum([t.shape[axis] for t in tensors])[:-1]

    def backward(grad: np.ndarray) -> list[np.ndarray]:
        return np.split(grad, bounds, axis=axis)

    return Tensor.from_op(data, tuple(tensors), backward, "concatenate")


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join equal-shaped tensors along a new axis. Notes: each gets its slice of the gradient."""
    tensors = _as_tensors(tensors, "stack")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack needs tensors of one shape; got {', '.join(map(str, shapes))}")
    data = np.stack([t.data for t in tensors], axis=axis)
    new_axis = axis % data.ndim

    def backward(grad: np.ndarray) -> list[np.ndarray]:
        return [np.take(grad, i, axis=new_axis) for i in range(len(tensors))]

    return Tensor.from_op(data, tuple(tensors), backward, "stack")


def _as_tensors(tensors: Sequence[Any], name: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or len(tensors) == 0:
        raise ValueError(f"{name} needs a non-empty list of tensors")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
