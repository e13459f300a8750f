"""Making tensors: from data (``tensor``), filled (``zeros``, ``ones``) or random (``randn``, ``rand``).

Random tensors take an explicit ``rng`` (a Generator or an int seed), never global state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso import backend
from descenso._random import as_generator
from descenso.tensor import _FLOAT_DTYPES, Tensor


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None, device: str | None = None) -> Tensor:
    """Create a Tensor from numbers, nested lists or a NumPy or CuPy array (always a copy).

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
    device : {"cpu", "cuda", "cuda:N"}, optional
        Where the values live. None: the device of ``data`` if it is a Tensor or a device
        array, else the default device ("cpu", see :func:`descenso.backend.default_device`).

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
    ValueError, ImportError, RuntimeError
        For an unknown device, or "cuda" without CuPy or a visible GPU.

    Examples
    --------
    >>> import descenso as ds
    >>> ds.tensor([[1, 2]]).dtype
    dtype('float32')
    >>> ds.tensor([1.0], device="cpu").device
    'cpu'
    """
    if isinstance(data, Tensor):
        data = data.data
    source = backend.device_of(data)
    target = device if device is not None else (source if source != "cpu" else backend.default())
    out = Tensor(data, requires_grad=requires_grad, dtype=dtype)  # the float rules, where data lives
    if target != source:
        out.data = backend.to_device(out.data, target)  # a transfer is a copy
    if out.data is data:
        out.data = data.copy()  # still the caller's memory
    return out


def _placed(data: np.ndarray, requires_grad: bool, device: str | None) -> Tensor:
    """A new leaf of host ``data`` moved to ``device`` (the default device when None)."""
    return Tensor(backend.to_device(data, backend.default() if device is None else device), requires_grad)


def _shape(shape: tuple[Any, ...]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _dtype(dtype: Any) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in _FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64; got {dtype}")
    return dtype


def zeros(
    *shape: Any, dtype: Any = np.float32, requires_grad: bool = False, device: str | None = None
) -> Tensor:
    """A tensor of zeros, e.g. ``ds.zeros(2, 3)`` or ``ds.zeros((2, 3))``.

    Parameters
    ----------
    *shape : int or one tuple of int
        The shape, e.g. ``2, 3`` or ``(2, 3)``.
    dtype : {"float32", "float64"}, default "float32"
        The dtype.
    requires_grad : bool, default False
        Whether ``backward()`` should compute a gradient for it.
    device : {"cpu", "cuda", "cuda:N"}, optional
        Where it lives (None: the default device, "cpu" unless set).

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
    return _placed(np.zeros(_shape(shape), dtype=_dtype(dtype)), requires_grad, device)


def ones(
    *shape: Any, dtype: Any = np.float32, requires_grad: bool = False, device: str | None = None
) -> Tensor:
    """A tensor of ones, e.g. ``ds.ones(2, 3)``.

    Parameters
    ----------
    *shape : int or one tuple of int
        The shape, e.g. ``2, 3`` or ``(2, 3)``.
    dtype : {"float32", "float64"}, default "float32"
        The dtype.
    requires_grad : bool, default False
        Whether ``backward()`` should compute a gradient for it.
    device : {"cpu", "cuda", "cuda:N"}, optional
        Where it lives (None: the default device, "cpu" unless set).

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
    return _placed(np.ones(_shape(shape), dtype=_dtype(dtype)), requires_grad, device)


def _generator(rng: Any) -> np.random.Generator:
    # randn/rand take no None: the point of passing rng is a reproducible draw.
    return as_generator(rng, allow_none=False)


def randn(
    *shape: Any, rng: Any, dtype: Any = np.float32, requires_grad: bool = False, device: str | None = None
) -> Tensor:
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
    device : {"cpu", "cuda", "cuda:N"}, optional
        Where it lives (None: the default device, "cpu" unless set).

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
    data = _generator(rng).standard_normal(_shape(shape), dtype=_dtype(dtype))  # host: same on any device
    return _placed(data, requires_grad, device)


def rand(
    *shape: Any, rng: Any, dtype: Any = np.float32, requires_grad: bool = False, device: str | None = None
) -> Tensor:
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
    device : {"cpu", "cuda", "cuda:N"}, optional
        Where it lives (None: the default device, "cpu" unless set).

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
    data = _generator(rng).random(_shape(shape), dtype=_dtype(dtype))  # host: same on any device
    return _placed(data, requires_grad, device)
