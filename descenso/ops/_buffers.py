"""Reusing large arrays between training steps instead of asking the OS for fresh pages each time.

A training step allocates the same large arrays every time (activations, their
gradients, weight gradients) and frees them at its end. Above a size threshold
the C allocator hands such arrays back to the OS when freed, so every step pays
again for page faults and zero-filling: about 10% of a 256-1024-1024-1 MLP step.
``empty`` keeps a few arrays per (shape, dtype) and hands one out again only when
nothing else references it (its reference count says so), like a caching allocator.
Small arrays are left to the allocator, which already reuses them cheaply.
"""

from __future__ import annotations

import sys
from math import prod
from typing import Any

import numpy as np

MIN_BYTES = 1 << 20  # below 1 MiB, malloc reuses memory without faulting: not worth a lookup
MAX_BYTES = 1 << 26  # above 64 MiB (a whole data set's predictions, say), do not hold on to it
PER_SHAPE = 4  # a step needs at most a few live arrays of one shape
_pool: dict[tuple[tuple[int, ...], np.dtype], list[np.ndarray]] = {}


def _free_count() -> int:
    """What ``sys.getrefcount`` says, in ``empty``'s loop, of an array that only the pool holds.

    Measured rather than assumed (3 on CPython 3.11: the list, the loop name, the call's
    argument), since newer interpreters may borrow some of those references.
    """
    arrays = [np.empty(0)]
    for array in arrays:
        return sys.getrefcount(array)
    raise AssertionError("unreachable")


_FREE = _free_count()


def empty(shape: tuple[int, ...], dtype: np.dtype, xp: Any = np) -> Any:
    """An uninitialised array of ``shape`` and ``dtype``, reused from an earlier step when free.

    Notes
    -----
    Only NumPy arrays are pooled: another array module ``xp`` (CuPy) has its own caching
    allocator, so its arrays come straight from ``xp.empty``.

    An array is free when only the pool refers to it: no tensor, closure, view or user
    variable holds it (``sys.getrefcount``). A thread that is handed an array holds it in
    its frame at once, so another thread checking the same array sees one reference more.
    """
    if xp is not np:
        return xp.empty(shape, dtype)
    nbytes = prod(shape) * dtype.itemsize
    if nbytes < MIN_BYTES or nbytes > MAX_BYTES:
        return np.empty(shape, dtype)
    arrays = _pool.setdefault((shape, dtype), [])
    for array in arrays:
        if sys.getrefcount(array) == _FREE:
            return array
    array = np.empty(shape, dtype)
    if len(arrays) < PER_SHAPE:
        arrays.append(array)
    return array


def clear() -> None:
    """Drop every pooled array (they are freed once nothing else uses them)."""
    _pool.clear()
