"""Making tensors: from data (``tensor``), filled (``zeros``, ``ones``) or random (``randn``, ``rand``).

Random tensors take an explicit ``rng`` (a Generator or an int seed), never global state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso._random import as_generator
from descenso.tensor import _FLOAT_DTYPES, Tensor


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Create a Tensor from numbers, nested lists or a NumPy array (always a copy).

    Python numbers and lists become float32; a float NumPy array keeps its dtype;
    integer arrays need ``dtype=`` so the conversion is on purpose.

    Parameters
    ----------
    data : array_like
        Numbers, nested lists, a NumPy array or a Tensor.
    requires_grad : bool, default False
        Whether ``backward()`` should compute a gradient for the new tensor.
    dtype : {"float32", "float64"}, optional
        Convert ``data`` to this dtype.

    Returns
    -------
    Tensor
        A leaf that owns a copy of ``data``, as ``torch.tensor`` does: updating its
        values in place (an optimizer step) never changes the caller's array.
        ``Tensor(array)`` wraps a float array without copying.

    Raises
    ------
    TypeError
        For integer or boolean arrays without ``dtype=``, and for data that is not numeric.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.tensor([[1, 2]]).dtype
    dtype('float32')
    """
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray):
        data = data.copy()
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def _shape(shape: tuple[Any, ...]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _dtype(dtype: Any) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in _FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64; got {dtype}")
    return dtype


def zeros(*shape: Any, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros, e.g. ``ds.zeros(2, 3)`` or ``ds.zeros((2, 3))``.

    Parameters
    ----------
    *shape : int or one tuple of int
        The shape, e.g. ``2, 3`` or ``(2, 3)``.
    dtype : {"float32", "float64"}, default "float32"
        The dtype.
    requires_grad : bool, default False
        Whether ``backward()`` should compute a gradient for it.

    Returns
    -------
    Tensor
        A new leaf.

    Raises
    ------
    TypeError
        If ``dtype`` is not float32 or float64.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.zeros(2, 3).shape
    (2, 3)
    """
    return Tensor(np.zeros(_shape(shape), dtype=_dtype(dtype)), requires_grad=requires_grad)


def ones(*shape: Any, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """A tensor of ones, e.g. ``ds.ones(2, 3)``.

    Parameters
    ----------
    *shape : int or one tuple of int
        The shape, e.g. ``2, 3`` or ``(2, 3)``.
    dtype : {"float32", "float64"}, default "float32"
        The dtype.
    requires_grad : bool, default False
        Whether ``backward()`` should compute a gradient for it.

    Returns
    -------
    Tensor
        A new leaf.

    Raises
    ------
    TypeError
        If ``dtype`` is not float32 or float64.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.ones(2, dtype="float64").data
    array([1., 1.])
    """
    return Tensor(np.ones(_shape(shape), dtype=_dtype(dtype)), requires_grad=requires_grad)


def _generator(rng: Any) -> np.random.Generator:
    # randn/rand take no None: the point of passing rng is a reproducible draw.
    return as_generator(rng, allow_none=False)


def randn(*shape: Any, rng: Any, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """Standard normal samples drawn from the given ``rng`` (a Generator or an int seed).

    Parameters
    ----------
    *shape : int or one tuple of int
        The shape, e.g. ``2, 3`` or ``(2, 3)``.
    rng : numpy.random.Generator or int
        Where the randomness comes from (required: results are reproducible only when it is
        passed in). An int is used as a seed for ``numpy.random.default_rng``.
    dtype : {"float32", "float64"}, default "float32"
        The dtype.
    requires_grad : bool, default False
        Whether ``backward()`` should compute a gradient for it.

    Returns
    -------
    Tensor
        A new leaf.

    Raises
    ------
    TypeError
        If ``dtype`` is not float32 or float64, or ``rng`` is missing or not a Generator or int.

    Examples
    --------
    >>> import numpy as np, descenso as ds
    >>> ds.randn(2, 3, rng=np.random.default_rng(0)).shape
    (2, 3)
    """
    data = _generator(rng).standard_normal(_shape(shape), dtype=_dtype(dtype))
    return Tensor(data, requires_grad=requires_grad)


def rand(*shape: Any, rng: Any, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) drawn from the given ``rng`` (a Generator or an int seed).

    Parameters
    ----------
    *shape : int or one tuple of int
        The shape, e.g. ``2, 3`` or ``(2, 3)``.
    rng : numpy.random.Generator or int
        Where the randomness comes from (required: results are reproducible only when it is
        passed in). An int is used as a seed for ``numpy.random.default_rng``.
    dtype : {"float32", "float64"}, default "float32"
        The dtype.
    requires_grad : bool, default False
        Whether ``backward()`` should compute a gradient for it.

    Returns
    -------
    Tensor
        A new leaf.

    Raises
    ------
    TypeError
        If ``dtype`` is not float32 or float64, or ``rng`` is missing or not a Generator or int.

    Examples
    --------
    >>> import descenso as ds
    >>> bool((ds.rand(100, rng=0).data < 1).all())
    True
    """
    data = _generator(rng).random(_shape(shape), dtype=_dtype(dtype))
    return Tensor(data, requires_grad=requires_grad)
