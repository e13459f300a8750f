"""Weight initialisers: He for ReLU-family layers, Glorot for the rest.

Each takes the shape ``(out_features, in_features)``, an explicit ``rng`` and a
dtype, and returns a new array; nothing here touches global random state.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from descenso._random import as_generator


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    fan_out, fan_in = (shape[0], shape[1]) if len(shape) == 2 else (shape[0], shape[0])
    return max(fan_in, 1), max(fan_out, 1)


def he_normal(shape: tuple[int, ...], rng: Any, dtype: Any = "float32") -> np.ndarray:
    """He (Kaiming) normal initialisation for layers followed by ReLU.

    Notes
    -----
    ``w ~ N(0, 2 / fan_in)``: keeps the variance of activations constant
    through ReLU layers, which zero half of their inputs (He et al., 2015).

    Examples
    --------
    >>> he_normal((512, 256), rng=0).std().round(2)
    np.float32(0.09)
    """
    fan_in, _ = _fans(shape)
    std = math.sqrt(2.0 / fan_in)
    return (as_generator(rng).standard_normal(shape) * std).astype(dtype)


def he_uniform(shape: tuple[int, ...], rng: Any, dtype: Any = "float32") -> np.ndarray:
    """He uniform initialisation. Notes: ``w ~ U(-a, a)`` with ``a = sqrt(6 / fan_in)``."""
    fan_in, _ = _fans(shape)
    limit = math.sqrt(6.0 / fan_in)
    return as_generator(rng).uniform(-limit, limit, size=shape).astype(dtype)


def glorot_uniform(shape: tuple[int, ...], rng: Any, dtype: Any = "float32") -> np.ndarray:
    """Glorot (Xavier) uniform initialisation for tanh, sigmoid and linear layers.

    Notes
    -----
    ``w ~ U(-a, a)`` with ``a = sqrt(6 / (fan_in + fan_out))``: variance
    ``2 / (fan_in + fan_out)``, balancing forward and backward signals
    (Glorot and Bengio, 2010).

    Examples
    --------
    >>> bool(abs(glorot_uniform((3, 5), rng=0)).max() <= (6 / 8) ** 0.5)
    True
    """
    fan_in, fan_out = _fans(shape)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return as_generator(rng).uniform(-limit, limit, size=shape).astype(dtype)


def glorot_normal(shape: tuple[int, ...], rng: Any, dtype: Any = "float32") -> np.ndarray:
    """Glorot normal initialisation. Notes: ``w ~ N(0, 2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _fans(shape)
    std = math.sqrt(2.0 / (fan_in + fan_out))
    return (as_generator(rng).standard_normal(shape) * std).astype(dtype)


INITIALIZERS: dict[str, Callable[..., np.ndarray]] = {
    "he": he_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "glorot": glorot_uniform,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
}


def get(name: str) -> Callable[..., np.ndarray]:
    """The initialiser called ``name`` ("he", "he_uniform", "glorot", "glorot_normal", ...).

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    """
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown initialiser {name!r}; choose one of {sorted(INITIALIZERS)}") from None
