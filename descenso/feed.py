"""Where ``fit``'s batches come from: in-memory arrays, or a file streamed in shards.

A *feed* is what :func:`descenso.train.fit` iterates over. It has

- ``n``: the training rows of one epoch (of all ranks together);
- ``epoch(rng, batch, parallel)``: this epoch's global batches, each as this rank's part
  ``(X_b, y_b, w_b, share)`` (see :meth:`descenso.distributed.Local.shard`);
- ``chunks(parallel)``: all rows once, in order, in parts, for evaluation;
- ``split(validation, model, rng)``: ``(train_feed, validation_feed or None)``;
- ``arrays()``: ``(X, y, w)`` when the data is in memory (for ``reference_loss``).

:class:`ArrayFeed` serves arrays; :class:`descenso.data.Stream` serves CSV/Parquet files
larger than memory, each rank reading only its own pieces.
"""

from __future__ import annotations

import math
import os
from typing import Any, Iterator

import numpy as np

from descenso._fit_checks import check_data, split_validation

__all__ = ["ArrayFeed", "as_feed"]


class ArrayFeed:
    """Batches of in-memory arrays: a fresh permutation of the rows each epoch, drawn from ``rng``.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.distributed import Local
    >>> feed = ArrayFeed(np.arange(10.0).reshape(5, 2), np.arange(5.0), None)
    >>> [len(yb) for _, yb, _, _ in feed.epoch(np.random.default_rng(0), 2, Local())]
    [2, 2, 1]
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> None:
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.n = len(X)

    def split(self, validation: Any, model: Any, rng: np.random.Generator) -> tuple[ArrayFeed, Any]:
        """A held-out fraction (drawn with ``rng``) or explicit validation data; see ``fit``."""
        if hasattr(validation, "chunks"):
            return self, validation
        X, y, w, val = split_validation(validation, model, self.X, self.y, self.sample_weight, rng)
        return ArrayFeed(X, y, w), None if val is None else ArrayFeed(*val)

    def epoch(self, rng: np.random.Generator, batch: int, parallel: Any) -> Iterator[tuple[Any, ...]]:
        """This rank's part of each batch; a full batch (``batch >= n``) needs no shuffle (the same sum)."""
        n, w = self.n, self.sample_weight
        order = rng.permutation(n) if batch < n else None
        for step in range(math.ceil(n / batch)):
            rows = slice(None) if order is None else order[step * batch : (step + 1) * batch]
            rows, share = parallel.shard(rows, n, w)
            yield self.X[rows], self.y[rows], None if w is None else w[rows], share  # copies of a batch only

    def chunks(self, parallel: Any) -> Iterator[tuple[Any, ...]]:
        """Every row once, as one part per rank."""
        rows, share = parallel.shard(slice(None), self.n, self.sample_weight)
        w = self.sample_weight
        yield self.X[rows], self.y[rows], None if w is None else w[rows], share

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The training arrays."""
        return self.X, self.y, self.sample_weight


def as_feed(model: Any, X: Any, y: Any, sample_weight: Any, parallel: Any) -> Any:
    """``fit``'s data as a feed: arrays (checked), a :class:`descenso.data.Stream`, or a file path.

    A path (``str`` or ``os.PathLike`` of a CSV/Parquet file) is streamed with ``y`` naming
    the target column.
    """
    if isinstance(X, (str, os.PathLike)):
        from descenso.data.streamed import Stream

        if not isinstance(y, str):
            raise TypeError(f"fit: with a file X={str(X)!r}, y must name the target column; got {y!r}")
        X, y = Stream(X, target=y), None
    if hasattr(X, "chunks") and hasattr(X, "epoch"):
        if y is not None or sample_weight is not None:
            raise TypeError(
                "fit: a Stream holds its targets; pass fit(model, stream) with y=None, no sample_weight"
            )
        return X.prepare(model, parallel)
    if y is None:
        raise TypeError("fit: y (the targets, one per row of X) is required unless X is a Stream or a file")
    return ArrayFeed(*check_data(model, X, y, sample_weight))
