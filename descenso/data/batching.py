"""Mini-batches of in-memory arrays, reshuffled every epoch from an explicit random generator."""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from descenso.data._random import as_generator

__all__ = ["BatchIterator"]


class BatchIterator:
    """Iterate over ``(X_batch, y_batch)`` pairs; each pass (epoch) uses a new random order.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, ...)
    y : numpy.ndarray, shape (n, ...), optional
        Targets; without them the iterator yields ``X_batch`` alone.
    batch_size : int, default 32
        Rows per batch. ``None`` gives one batch of all rows (full-batch gradient descent).
    shuffle : bool, default True
        Draw a new permutation of the row indices at the start of every epoch.
    drop_last : bool, default False
        Leave out the last, smaller batch (so every gradient step averages ``batch_size`` rows).
    rng : int, numpy.random.Generator or None, default 0
        Where the permutations come from. An int seeds a generator once, at construction:
        epoch 1, 2, ... get different orders, and the same seed gives the same sequence.

    Notes
    -----
    Memory: the arrays are never copied as a whole. Each epoch allocates one permutation
    of ``n`` int64 indices (``8 n`` bytes), and each batch gathers its rows with fancy
    indexing, a copy of ``batch_size`` rows of ``X`` and ``y``. Without shuffling the
    batches are slices, i.e. views with no copy at all. Stochastic gradient descent needs
    the new order each epoch: a fixed order makes the same batches, and the same bias in
    the gradient noise, repeat.

    Examples
    --------
    >>> X, y = np.arange(10.0).reshape(5, 2), np.arange(5.0)
    >>> batches = BatchIterator(X, y, batch_size=2, rng=0)
    >>> len(batches)
    3
    >>> [yb.tolist() for _, yb in BatchIterator(X, y, batch_size=2, shuffle=False)]
    [[0.0, 1.0], [2.0, 3.0], [4.0]]
    >>> sorted(v for _, yb in batches for v in yb.tolist())   # every row once per epoch
    [0.0, 1.0, 2.0, 3.0, 4.0]
    """

    def __init__(
        self,
        X: Any,
        y: Any = None,
        batch_size: int | None = 32,
        shuffle: bool = True,
        drop_last: bool = False,
        rng: Any = 0,
    ) -> None:
        self.X = np.asarray(X)
        self.y = None if y is None else np.asarray(y)
        if self.X.ndim == 0 or len(self.X) == 0:
            raise ValueError(f"BatchIterator needs at least one row; got X of shape {self.X.shape}")
        if self.y is not None and len(self.y) != len(self.X):
            raise ValueError(
                f"X has {len(self.X)} rows but y has {len(self.y)}; they must have one target per row"
            )
        n = len(self.X)
        if batch_size is None:
            batch_size = n
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be an int >= 1 (or None for all rows); got {batch_size!r}")
        if drop_last and batch_size > n:
            raise ValueError(f"batch_size={batch_size} > {n} rows with drop_last=True would give no batches")
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.rng = as_generator(rng)

    def __len__(self) -> int:
        """Batches per epoch."""
        n = len(self.X)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n, size = len(self.X), self.batch_size
        order = self.rng.permutation(n) if self.shuffle else None
        for start in range(0, len(self) * size, size):
            stop = min(start + size, n)
            rows = slice(start, stop) if order is None else order[start:stop]
            X_batch = self.X[rows]
            yield X_batch if self.y is None else (X_batch, self.y[rows])
