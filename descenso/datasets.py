"""Built-in toy datasets for binary classification and regression, all seeded.

Each generator draws ``n`` samples from an explicit random generator, adds
Gaussian ``noise`` and returns float32 arrays: ``X`` of shape ``(n, d)`` and
``y`` of shape ``(n,)`` (``0.0``/``1.0`` for binary tasks). They are small
pictures of the course notes' point that the representation matters: circles,
spirals and the ring are hard for a linear model in cartesian coordinates and
easy in polar ones.

Examples
--------
>>> from descenso import datasets
>>> [info.name for info in datasets.list()][:3]
['spirals', 'circles', 'moons']
>>> X, y, info = datasets.load("circles", n=200, rng=0)
>>> X.shape, X.dtype, sorted(set(y.tolist())), info.task
((200, 2), dtype('float32'), [0.0, 1.0], 'binary')
"""

from __future__ import annotations

import builtins
import difflib
from dataclasses import asdict, dataclass, replace
from typing import Any, Callable

import numpy as np

from descenso.data._random import as_generator

__all__ = ["DatasetInfo", "list", "load"]

Generator = Callable[[int, float, np.random.Generator], "tuple[np.ndarray, np.ndarray]"]


@dataclass(frozen=True)
class DatasetInfo:
    """What a built-in dataset is.

    Attributes
    ----------
    name : str
        The name to pass to :func:`load` (and to ``descenso train --dataset``).
    task : {"binary", "regression"}
        The learning task.
    description : str
        One sentence on how the data is made.
    feature_names : tuple of str
        Column names ``x1 ... xd``.
    noise : float
        In :func:`list`: the default noise; in what :func:`load` returns: the noise used.
    n : int or None
        The number of samples drawn (``None`` in :func:`list`).
    """

    name: str
    task: str
    description: str
    feature_names: tuple[str, ...]
    noise: float
    n: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict of the fields."""
        out = asdict(self)
        out["feature_names"] = builtins.list(self.feature_names)
        return out


def _labels(n: int) -> np.ndarray:
    """First half 0, second half 1 (odd n: one more 0)."""
    return (np.arange(n) >= n - n // 2).astype(np.float64)


def _spirals(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = _labels(n)
    turn = np.sqrt(rng.random(n)) * 3 * np.pi  # sqrt: even density along the arm
    sign = np.where(y == 1, -1.0, 1.0)  # the second arm is the first rotated by 180 degrees
    X = sign[:, None] * np.stack([turn * np.cos(turn), turn * np.sin(turn)], axis=1) / (3 * np.pi)
    return X + noise * rng.standard_normal((n, 2)), y


def _circles(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = _labels(n)
    radius = np.where(y == 1, 0.5, 1.0)  # class 1 is the inner circle, as in scikit-learn
    angle = rng.uniform(0, 2 * np.pi, n)
    X = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return X + noise * rng.standard_normal((n, 2)), y


def _moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = _labels(n)
    t = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.where(y[:, None] == 1, lower, upper)
    return X + noise * rng.standard_normal((n, 2)), y


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-1, 1, (n, 2))
    # XOR of the signs: class 1 where exactly one coordinate is positive (x1*x2 > 0 was XNOR).
    y = (X[:, 0] * X[:, 1] < 0).astype(np.float64)  # labels from the clean points, then blur
    return X + noise * rng.standard_normal((n, 2)), y


def _blobs(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = _labels(n)
    centers = np.where(y[:, None] == 1, 1.0, -1.0) * np.ones((n, 2))
    return centers + noise * rng.standard_normal((n, 2)), y


def _plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-1, 1, (n, 2))
    y = 2.0 * X[:, 0] - 3.0 * X[:, 1] + 0.5
    return X, y + noise * rng.standard_normal(n)


def _sine(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-np.pi, np.pi, (n, 1))
    return X, np.sin(X[:, 0]) + noise * rng.standard_normal(n)


def _friedman(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.random((n, 5))
    y = 10 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20 * (X[:, 2] - 0.5) ** 2 + 10 * X[:, 3] + 5 * X[:, 4]
    return X, y + noise * rng.standard_normal(n)


def _ring(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-1, 1, (n, 2))
    radius = np.sqrt(X[:, 0] ** 2 + X[:, 1] ** 2)
    return X, 2.0 * radius - 1.0 + noise * rng.standard_normal(n)


# name -> (task, description, number of features, default noise, generator)
_DATASETS: dict[str, tuple[str, str, int, float, Generator]] = {
    "spirals": ("binary", "two interleaved spirals, 1.5 turns each", 2, 0.05, _spirals),
    "circles": ("binary", "two concentric circles of radius 1 (y=0) and 0.5 (y=1)", 2, 0.05, _circles),
    "moons": ("binary", "two interleaving half circles", 2, 0.1, _moons),
    "xor": ("binary", "uniform points in [-1, 1]^2, y = 1 where x1*x2 < 0 (XOR of the signs)", 2, 0.05, _xor),
    "blobs": ("binary", "two Gaussian blobs centred at (-1, -1) and (1, 1)", 2, 0.5, _blobs),
    "plane": ("regression", "y = 2*x1 - 3*x2 + 0.5 on uniform [-1, 1]^2", 2, 0.1, _plane),
    "sine": ("regression", "y = sin(x) on uniform [-pi, pi]", 1, 0.1, _sine),
    "friedman": (
        "regression",
        "Friedman #1: 10 sin(pi x1 x2) + 20 (x3 - 0.5)^2 + 10 x4 + 5 x5 on uniform [0, 1]^5",
        5,
        1.0,
        _friedman,
    ),
    "ring": ("regression", "y = 2*r - 1 with r = sqrt(x1^2 + x2^2): constant on rings", 2, 0.05, _ring),
}


def _info(name: str) -> DatasetInfo:
    task, description, d, noise, _ = _DATASETS[name]
    names = tuple(f"x{i + 1}" for i in range(d))
    return DatasetInfo(name=name, task=task, description=description, feature_names=names, noise=noise)


def list() -> builtins.list[DatasetInfo]:  # noqa: A001 - the module's public name, datasets.list()
    """Name every built-in dataset with its task and a one-line description.

    Returns
    -------
    list of DatasetInfo
        Binary sets first, then regression sets.

    Examples
    --------
    >>> from descenso import datasets
    >>> [(d.name, d.task) for d in datasets.list() if d.task == "regression"]
    [('plane', 'regression'), ('sine', 'regression'), ('friedman', 'regression'), ('ring', 'regression')]
    """
    return [_info(name) for name in _DATASETS]


def load(
    name: str, n: int = 500, noise: float | None = None, rng: Any = 0
) -> tuple[np.ndarray, np.ndarray, DatasetInfo]:
    """Draw a built-in dataset.

    Parameters
    ----------
    name : str
        One of the names in :func:`list` (``"spirals"``, ``"circles"``, ``"moons"``, ``"xor"``,
        ``"blobs"``, ``"plane"``, ``"sine"``, ``"friedman"``, ``"ring"``).
    n : int, default 500
        Number of samples. Binary sets put ``n // 2`` samples in class 1.
    noise : float, optional
        Standard deviation of the Gaussian noise, added to ``X`` for binary sets and to ``y``
        for regression sets. ``None`` uses the dataset's default (see :func:`list`).
    rng : int, numpy.random.Generator or None, default 0
        Where the randomness comes from. The default seed 0 makes every call return the same
        data; pass a Generator to draw fresh data from your own stream.

    Returns
    -------
    X : numpy.ndarray of float32, shape (n, d)
    y : numpy.ndarray of float32, shape (n,)
        ``0.0``/``1.0`` for binary sets.
    info : DatasetInfo
        The dataset's description with ``n`` and the ``noise`` used.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the names), ``n < 2`` or a negative noise.
    TypeError
        If ``rng`` is not an int, a Generator or None.

    Examples
    --------
    >>> X, y, info = load("ring", n=4, noise=0.0)
    >>> bool(np.allclose(y, 2 * np.hypot(X[:, 0], X[:, 1]) - 1, atol=1e-6))
    True
    """
    if name not in _DATASETS:
        close = difflib.get_close_matches(str(name), [*_DATASETS], n=1)
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"unknown dataset {name!r}{guess}; the built-in datasets are: {', '.join(_DATASETS)}"
        )
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an int >= 2 (the number of samples); got {n!r}")
    info = _info(name)
    noise = info.noise if noise is None else float(noise)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0 (a standard deviation); got {noise}")
    X, y = _DATASETS[name][4](int(n), noise, as_generator(rng))
    return X.astype(np.float32), y.astype(np.float32), replace(info, noise=noise, n=int(n))
