"""Helpers shared by the ops: constants, broadcasting, axis handling."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.backend import array_module, device_of
from descenso.tensor import Tensor


def as_tensor(value: Any, like: Tensor | None = None) -> Tensor:
    """Return ``value`` as a Tensor; numbers adopt the dtype and device of ``like`` (no float64 creep).

    A host array next to a device tensor stays on the host, so the op's device check names both.
    """
    if isinstance(value, Tensor):
        return value
    if like is None or (hasattr(value, "dtype") and value.dtype.kind == "f"):
        return Tensor(value)
    xp = array_module(like.data)
    if xp is np:
        return Tensor(np.asarray(value, dtype=like.dtype))
    if isinstance(value, (int, float, np.number)):
        return Tensor(xp.full((), value, dtype=like.dtype))  # a fill on the device, no host copy
    return Tensor(np.asarray(value, dtype=like.dtype) if device_of(value) == "cpu" else value)


def check_devices(name: str, a: Tensor, b: Tensor) -> None:
    """Refuse operands on two devices, naming both and the fix (cheap when they share an array type)."""
    x, y = a.data, b.data
    if type(x) is type(y) and (type(x) is np.ndarray or x.device == y.device):
        return
    first, second = device_of(x), device_of(y)
    if first == second:  # e.g. a NumPy memmap and an ndarray
        return
    there, here = (first, second) if second == "cpu" else (second, first)
    raise ValueError(
        f"{name}: the operands are on different devices, {first} and {second}; expected one device. "
        f"Fix: move the one on {here} with .to('{there}') (a model: model.to('{there}'))"
    )


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, back to ``shape``.

    Notes
    -----
    If ``y = f(broadcast(x))`` then ``dL/dx`` is ``dL/dy`` summed over every axis
    along which ``x`` was repeated.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def broadcast_error(name: str, a: Tensor, b: Tensor) -> ValueError:
    """The message for operands whose shapes cannot broadcast."""
    return ValueError(
        f"{name}: shapes {a.shape} and {b.shape} cannot be broadcast together: "
        "each trailing dimension must be equal or 1"
    )


def normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """``axis`` (None, int or tuple) as a sorted tuple of non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    limit = max(ndim, 1)  # a 0-d tensor accepts axis 0 and -1, as in PyTorch
    out = []
    for ax in axes:
        if not -limit <= ax < limit:
            raise ValueError(f"axis {ax} is out of range for a tensor with {ndim} dimensions")
        out.append(int(ax) % limit)
    return tuple(sorted(out)) if ndim else ()
