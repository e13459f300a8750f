"""Seeded train/validation/test splits, stratified for binary targets."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from descenso.data._random import as_generator

__all__ = ["train_test_split", "train_val_test_split", "TrainTest", "TrainValTest"]


class TrainTest(NamedTuple):
    """``X_train, X_test, y_train, y_test`` (scikit-learn's order; unpacks like a tuple)."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


class TrainValTest(NamedTuple):
    """``X_train, X_val, X_test, y_train, y_val, y_test`` (unpacks like a tuple)."""

    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_val: np.ndarray
    y_test: np.ndarray


def _count(size: float | int, n: int, name: str) -> int:
    """A fraction in (0, 1) of ``n`` rows (rounded) or an int number of rows."""
    if isinstance(size, bool) or not isinstance(size, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a fraction in (0, 1) or a number of rows; got {size!r}")
    if isinstance(size, (int, np.integer)):
        if not 0 < size < n:
            raise ValueError(f"{name}={size} rows is not possible with {n} rows; it must be in 1 .. {n - 1}")
        return int(size)
    if not 0.0 < size < 1.0:
        raise ValueError(f"{name}={size} must be a fraction strictly between 0 and 1 (or a number of rows)")
    return round(float(size) * n)


def _is_binary(y: np.ndarray) -> bool:
    return y.ndim == 1 and len(np.unique(y)) == 2


def _partition(
    y: np.ndarray, counts: list[int], stratify: bool, rng: np.random.Generator
) -> list[np.ndarray]:
    """Split row indices into ``len(counts) + 1`` groups; the last one takes the rest."""
    n = len(y)
    if not stratify:
        order = rng.permutation(n)
        bounds = np.cumsum(counts)
        return [np.sort(part) for part in np.split(order, bounds)]
    labels, sizes = np.unique(y, return_counts=True)
    # shares[j, k]: rows of class k in held-out set j, proportional to the class size; the
    # largest remainders get the leftover rows so every set has exactly counts[j] rows.
    shares = np.zeros((len(counts), len(labels)), dtype=np.int64)
    for j, count in enumerate(counts):
        exact = count * sizes / n
        shares[j] = np.floor(exact)
        leftover = count - int(shares[j].sum())
        shares[j, np.argsort(-(exact - shares[j]), kind="stable")[:leftover]] += 1
    groups: list[list[np.ndarray]] = [[] for _ in range(len(counts) + 1)]
    for k, label in enumerate(labels):
        members = rng.permutation(np.flatnonzero(y == label))
        for group, part in zip(groups, np.split(members, np.cumsum(shares[:, k])), strict=True):
            group.append(part)
    return [np.sort(np.concatenate(group)) for group in groups]


def _validate(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}; they must have one target per row")
    return X, y


def _split(
    X: Any, y: Any, sizes: list[tuple[float | int, str]], stratify: bool | None, rng: Any
) -> list[np.ndarray]:
    X, y = _validate(X, y)
    n = len(X)
    counts = [_count(size, n, name) for size, name in sizes]
    if sum(counts) >= n:
        raise ValueError(
            f"the held-out sets ({' + '.join(f'{name}={size}' for size, name in sizes)}) take all {n} rows; "
            "leave some for training"
        )
    for count, (size, name) in zip(counts, sizes, strict=True):
        if count == 0:
            raise ValueError(
                f"{name}={size} of {n} rows gives an empty {name} set; use more data or a larger {name}"
            )
    stratify = _is_binary(y) if stratify is None else stratify
    held_out = _partition(y, counts, bool(stratify), as_generator(rng))
    train, parts = held_out[-1], held_out[:-1]
    return [train, *parts]


def train_test_split(
    X: Any, y: Any, test: float | int = 0.2, stratify: bool | None = None, rng: Any = 0
) -> TrainTest:
    """Split rows into a training and a test set.

    Parameters
    ----------
    X, y : array_like
        Features (n rows) and targets (n values).
    test : float or int, default 0.2
        Fraction of the rows (rounded) or number of rows for the test set.
    stratify : bool, optional
        Keep the class proportions in both sets. ``None`` (default) stratifies when ``y``
        has exactly two distinct values.
    rng : int, numpy.random.Generator or None, default 0
        The seed or generator that shuffles the rows.

    Returns
    -------
    TrainTest
        ``(X_train, X_test, y_train, y_test)``; rows keep their original order inside each set.

    Raises
    ------
    ValueError
        For lengths that differ or a split that leaves a set empty.

    Examples
    --------
    >>> X, y = np.arange(20.0).reshape(10, 2), np.array([0, 1] * 5)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test=0.4, rng=0)
    >>> X_train.shape, X_test.shape, int(y_test.sum())
    ((6, 2), (4, 2), 2)
    """
    train, test_rows = _split(X, y, [(test, "test")], stratify, rng)
    X, y = np.asarray(X), np.asarray(y)
    return TrainTest(X[train], X[test_rows], y[train], y[test_rows])


def train_val_test_split(
    X: Any,
    y: Any,
    val: float | int = 0.2,
    test: float | int = 0.2,
    stratify: bool | None = None,
    rng: Any = 0,
) -> TrainValTest:
    """Split rows into training, validation and test sets (seeded; stratified for binary ``y``).

    The validation set is for choices made while training (early stopping, learning
    rate, representation); the test set is looked at once, at the end.

    Parameters
    ----------
    X, y : array_like
    val, test : float or int, default 0.2
        Fractions of all rows (or numbers of rows) for the validation and test sets; the
        rest is for training.
    stratify : bool, optional
        ``None`` stratifies when ``y`` has exactly two distinct values.
    rng : int, numpy.random.Generator or None, default 0

    Returns
    -------
    TrainValTest
        ``(X_train, X_val, X_test, y_train, y_val, y_test)``.

    Examples
    --------
    >>> X, y = np.zeros((100, 3)), np.array([0.0, 1.0] * 50)
    >>> parts = train_val_test_split(X, y, val=0.2, test=0.1, rng=1)
    >>> len(parts.X_train), len(parts.X_val), len(parts.X_test), float(parts.y_val.mean())
    (70, 20, 10, 0.5)
    """
    train, val_rows, test_rows = _split(X, y, [(val, "val"), (test, "test")], stratify, rng)
    X, y = np.asarray(X), np.asarray(y)
    return TrainValTest(X[train], X[val_rows], X[test_rows], y[train], y[val_rows], y[test_rows])
