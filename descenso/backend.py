"""Which array module a tensor's data lives in: NumPy on the host, CuPy on an NVIDIA GPU.

The data decides (Chainer's ``get_array_module``, in small): an op asks ``xp = array_module(a.data)``
and then reads as NumPy code, ``xp.maximum(a.data, 0)``. Devices are named as in PyTorch: ``"cpu"``,
``"cuda"`` (the current GPU) and ``"cuda:N"``. CuPy is imported only when a GPU device is asked for.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Callable, Iterator, NamedTuple

import numpy

__all__ = [
    "array_module", "default", "default_device", "device_of", "like", "parse_device", "register", "to_device",
    "to_numpy",
]  # fmt: skip


class _Namespace(NamedTuple):
    module: Any  # NumPy's functions for this kind of array, plus asarray / asnumpy
    array_type: type
    put: Callable[[Any, int], Any]  # (array, device index) -> the array on that device
    devices: int  # how many devices of this kind are visible


_BY_TYPE: dict[type, _Namespace] = {}  # array type -> its namespace, for everything but NumPy
_BY_NAME: dict[str, _Namespace] = {}  # device kind ("cuda") -> its namespace, once loaded


class _Default(threading.local):
    device = "cpu"  # where ds.tensor, ds.zeros, ... and new Parameters go when none is named


_default = _Default()


def array_module(data: Any) -> Any:
    """NumPy for host arrays (and numbers), CuPy for CuPy arrays.

    Examples
    --------
    >>> import numpy as np
    >>> array_module(np.ones(2)) is np
    True
    """
    if type(data) is numpy.ndarray:  # the common case first: one type check
        return numpy
    namespace = _BY_TYPE.get(type(data))
    return numpy if namespace is None else namespace.module


def register(kind: str, array_type: type, module: Any, put: Callable[[Any, int], Any], count: int) -> None:
    """Make ``kind`` (e.g. "cuda") a device whose arrays are ``array_type``, computed by ``module``."""
    _BY_TYPE[array_type] = _BY_NAME[kind] = _Namespace(module, array_type, put, count)


def parse_device(device: Any) -> tuple[str, int]:
    """``"cpu"``, ``"cuda"`` or ``"cuda:N"`` as ``(kind, index)``; a GPU kind loads its module.

    Raises
    ------
    ValueError
        For a name that is not a device, or an index past the visible devices.
    ImportError, RuntimeError
        When CuPy is not installed, or no GPU is visible.

    Examples
    --------
    >>> parse_device("cpu")
    ('cpu', 0)
    """
    kind, _, number = str(device).partition(":")
    if kind == "cpu" and not number:
        return "cpu", 0
    if kind == "cuda" and kind not in _BY_NAME:
        from descenso import _cupy  # CuPy only now: `import descenso` needs NumPy alone

        register("cuda", *_cupy.load())
    if kind not in _BY_NAME or not (number.isdigit() or not number):
        known = ", ".join(["cpu", "cuda", "cuda:N", *(k for k in _BY_NAME if k != "cuda")])
        raise ValueError(f"unknown device {device!r}; expected one of: {known}")
    index, count = int(number or 0), _BY_NAME[kind].devices
    if index >= count:
        raise ValueError(f"device {device!r} does not exist: {count} {kind} device(s) visible, from {kind}:0")
    return kind, index


def default() -> str:
    """The device new tensors go to when none is named (``"cpu"`` unless inside :func:`default_device`)."""
    return _default.device


def device_of(data: Any) -> str:
    """The device an array lives on: ``"cpu"`` or ``"cuda:N"``."""
    namespace = _BY_TYPE.get(type(data))
    if namespace is None:
        return "cpu"
    kind = next(k for k, n in _BY_NAME.items() if n is namespace)
    return f"{kind}:{data.device.id}"


def to_device(data: Any, device: Any) -> Any:
    """``data`` (a host or device array) on ``device``; the same array when it is already there."""
    kind, index = parse_device(device)
    if kind == "cpu":
        return to_numpy(data)
    return _BY_NAME[kind].put(data, index)


def like(value: Any, array: Any) -> Any:
    """``value`` (an array, list or number) moved to ``array``'s device if it is elsewhere."""
    there = device_of(array)
    return value if device_of(value) == there else to_device(value, there)


def to_numpy(data: Any) -> Any:
    """A host (NumPy) array of ``data``: itself on the CPU, a copy from a GPU."""
    namespace = _BY_TYPE.get(type(data))
    return data if namespace is None else namespace.module.asnumpy(data)


@contextlib.contextmanager
def default_device(device: Any) -> Iterator[None]:
    """Within the block, new tensors (``ds.tensor``, ``ds.zeros``, layers' Parameters) go to ``device``.

    Examples
    --------
    >>> import descenso as ds
    >>> with default_device("cpu"):
    ...     ds.zeros(2).device
    'cpu'
    """
    parse_device(device)
    previous, _default.device = _default.device, str(device)
    try:
        yield
    finally:
        _default.device = previous
