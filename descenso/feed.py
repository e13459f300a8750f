"""Where ``fit``'s batches come from: arrays in memory, or a file streamed a few pieces at a time.

A *feed* is the object :func:`descenso.train.fit` draws its batches from, so the loop reads
the same whichever the data is. It has

- ``n``: the training rows of one epoch (of all ranks together);
- ``split(validation, model, rng)``: ``(train_feed, validation_feed or None)``;
- ``to(place)``: the feed with its data on the training device (a stream places each batch);
- ``shuffle(rng, batch)``: the epoch's order, kept in the run's
  :class:`~descenso.run_state.Position` so a checkpoint can resume in mid-epoch;
- ``epoch(at, batch, parallel)``: the epoch's global batches from step ``at.step`` on, each as
  this rank's part ``(X_b, y_b, w_b, share)`` (see :meth:`descenso.distributed.Local.shards`);
- ``chunks(parallel)``: every row once, in parts, for evaluation;
- ``host``: what a checkpoint's fingerprint hashes (and the aids read, for arrays).

:class:`ArrayFeed` serves arrays; :class:`StreamFeed` serves a :class:`descenso.data.Stream`
(or a CSV/Parquet path), whose representation is learned in one pass before the first step and
whose validation rows are held out by its seeded rule, so memory stays bounded by a few pieces.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import os
from typing import Any, Callable, Iterator

import numpy as np

from descenso import losses
from descenso._fit_checks import _check_output, check_data, split_validation

__all__ = ["ArrayFeed", "StreamFeed", "as_feed"]


class ArrayFeed:
    """Batches of in-memory arrays: a fresh permutation of the rows each epoch, drawn from ``rng``.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.distributed import Local
    >>> from descenso.run_state import Position
    >>> feed = ArrayFeed(np.arange(10.0).reshape(5, 2), np.arange(5.0), None)
    >>> at = Position()
    >>> at.new_epoch(feed.shuffle(np.random.default_rng(0), 2), [])
    >>> [len(yb) for _, yb, _, _ in feed.epoch(at, 2, Local())]
    [2, 2, 1]
    """

    def __init__(self, X: Any, y: Any, sample_weight: Any, place: Callable[[Any], Any] | None = None) -> None:
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.n = len(X)
        self.place = place or (lambda data: data)

    @property
    def host(self) -> tuple[Any, ...]:
        """The arrays, for the checkpoint's fingerprint and the first-batch gradcheck and the doctor."""
        return self.X, self.y, self.sample_weight

    def split(self, validation: Any, model: Any, rng: np.random.Generator) -> tuple[ArrayFeed, Any]:
        """A held-out fraction (drawn with ``rng``) or explicit validation data; see ``fit``."""
        X, y, w, val = split_validation(validation, model, self.X, self.y, self.sample_weight, rng)
        return ArrayFeed(X, y, w), None if val is None else ArrayFeed(*val)

    def to(self, place: Callable[[Any], Any]) -> ArrayFeed:
        """The arrays copied to the training device once (no copy where they already are)."""
        return ArrayFeed(place(self.X), place(self.y), place(self.sample_weight), place)

    def values_checked_once(self, loss_fn: Any, val: ArrayFeed | None) -> Any:
        """Check the targets and weights once, then not at every step (see ``losses``)."""
        return losses._values_checked_once(loss_fn, self.host, *([val.host] if val else []))

    def shuffle(self, rng: np.random.Generator, batch: int) -> np.ndarray | None:
        """A fresh permutation each epoch; full batch needs none (the sum is the same)."""
        return rng.permutation(self.n) if batch < self.n else None

    def epoch(self, at: Any, batch: int, parallel: Any) -> Iterator[tuple[Any, ...]]:
        """This rank's part of each batch of the epoch, from step ``at.step`` on."""
        X, y, w = self.X, self.y, self.sample_weight  # read once: this runs at every step
        order = self.place(at.order)  # drawn on the host, copied to the data's device once an epoch
        for rows, share in parallel.shards(order, self.n, batch, at.step, w):  # asked once an epoch
            yield X[rows], y[rows], None if w is None else w[rows], share  # copies of a batch only

    def chunks(self, parallel: Any) -> Iterator[tuple[Any, ...]]:
        """Every row once, as one part per rank."""
        rows, share = parallel.shard(slice(None), self.n, self.sample_weight)
        w = self.sample_weight
        yield self.X[rows], self.y[rows], None if w is None else w[rows], share

    def arrays(self) -> tuple[Any, Any, Any]:
        """The training arrays (for the exact objective of ``reference_loss``)."""
        return self.X, self.y, self.sample_weight


class StreamFeed:
    """Batches of a :class:`descenso.data.Stream`, read a few pieces at a time.

    The stream's schema (one-hot categories, fills) and standardisation are learned in one pass
    over its training rows when the feed is placed (after every other check of ``fit``); its
    validation rows are the ones its seeded rule holds out, read the same way at each epoch's end.
    """

    def __init__(self, stream: Any, model: Any, parallel: Any) -> None:
        self.stream, self.model, self.parallel = stream, model, parallel
        self.place: Callable[[Any], Any] = lambda data: data

    @property
    def n(self) -> int:
        return self.stream.n

    @property
    def host(self) -> tuple[Any, ...]:
        """What the checkpoint's fingerprint hashes: the file's identity and the held-out rule."""
        path = self.stream.pieces.path
        stat = os.stat(path)
        stream = self.stream
        identity = [path.name, stat.st_size, stat.st_mtime_ns, stream.target, stream.seed,
                    list(stream.fractions), stream.standardize, stream.standardize_target, stream.missing,
                    stream.window, len(stream.pieces)]  # fmt: skip
        return np.frombuffer(json.dumps(identity).encode(), dtype=np.uint8), None, None

    def split(self, validation: Any, model: Any, rng: np.random.Generator) -> tuple[StreamFeed, Any]:
        """The stream's training rows and, by default, its held-out validation rows."""
        if validation is None:
            held_out = self.stream.fractions[0] > 0
            return self, StreamFeed(self.stream.validation_rows, model, self.parallel) if held_out else None
        same = getattr(validation, "_learned", None) is self.stream._learned  # a view of this stream
        if getattr(validation, "part", None) != "validation" or not same:
            raise TypeError(
                f"fit: with a Stream, validation rows are held out by the stream's seeded rule; got "
                f"validation={validation!r}. Pass Stream(path, target=..., validation=0.2) and leave "
                "fit's validation out, or pass validation=stream.validation_rows of that same stream"
            )
        return self, StreamFeed(_in_dtype(validation, self.stream.dtype), model, self.parallel)

    def to(self, place: Callable[[Any], Any]) -> StreamFeed:
        """Learn the representation (one pass, sharded over the ranks), check the model, place batches."""
        self.stream.learn(self.parallel)
        X, y, _, _ = self.stream._stand_in()
        _check_output(self.model, X, y)
        placed = StreamFeed(self.stream, self.model, self.parallel)
        placed.place = place
        return placed

    def values_checked_once(self, loss_fn: Any, val: Any) -> Any:
        """The loss checks its targets at every step: a stream's targets are seen one batch at a time."""
        return contextlib.nullcontext()

    def shuffle(self, rng: np.random.Generator, batch: int) -> np.ndarray:
        """The epoch's seed (the stream draws its order of pieces and rows from it)."""
        return np.array([rng.integers(2**63)], dtype=np.int64)

    def epoch(self, at: Any, batch: int, parallel: Any) -> Iterator[tuple[Any, ...]]:
        """The stream's epoch for this seed, from step ``at.step`` on (a resume re-reads the steps before)."""
        batches = self.stream.epoch(np.random.default_rng(int(at.order[0])), batch, parallel)
        for Xb, yb, wb, share in itertools.islice(batches, at.step, None):
            yield self.place(Xb), self.place(yb), wb, share

    def chunks(self, parallel: Any) -> Iterator[tuple[Any, ...]]:
        """This part's rows of this rank's pieces, one piece at a time."""
        for X, y, w, share in self.stream.chunks(parallel):
            yield self.place(X), self.place(y), w, share


def as_feed(
    model: Any, X: Any, y: Any, sample_weight: Any, parallel: Any, batch_size: Any = 1, **aids: Any
) -> Any:
    """``fit``'s data as a feed: arrays (checked), a :class:`descenso.data.Stream`, or a file path.

    A path (``str`` or ``os.PathLike`` of a CSV/Parquet file) is streamed with ``y`` naming the
    target column. ``batch_size`` and ``aids`` (fit's ``gradcheck``, ``doctor`` and
    ``reference_loss``) are checked for a stream, which refuses those that would need the whole
    file in memory.
    """
    if isinstance(X, (str, os.PathLike)):
        from descenso.data.streamed import Stream

        if not isinstance(y, str):
            raise TypeError(f"fit: with a file X={str(X)!r}, y must name the target column; got {y!r}")
        X, y = Stream(X, target=y), None
    if not (hasattr(X, "pieces") and hasattr(X, "epoch")):
        if hasattr(X, "__next__"):  # an iterator read once, e.g. the generator data.batches(...) returns
            raise TypeError(
                "fit: X is an iterator of batches (such as descenso.data.batches(...)), which can be read "
                "only once; fit reads its data once per epoch and holds validation rows out. Pass the "
                "file's path with y= the target's name, or descenso.data.Stream(path, target=...)"
            )
        if y is None:
            raise TypeError(
                "fit: y (the targets, one per row of X) is required unless X is a Stream or a file"
            )
        return ArrayFeed(*check_data(model, X, y, sample_weight))
    if y is not None or sample_weight is not None:
        raise TypeError("fit: a Stream holds its targets; call fit(model, stream) with no y or sample_weight")
    if X.part != "train":
        raise ValueError(f"fit: trains on a stream's training rows; got its {X.part} rows ({X!r})")
    asked = [f"{name}={value!r}" for name, value in aids.items() if value not in (None, False)]
    asked += ["batch_size=None"] if batch_size is None else []
    if asked:
        raise ValueError(
            f"fit: {', '.join(asked)} would need the whole file in memory, which a Stream is there to avoid; "
            "pass a batch_size, and use gradcheck, doctor or reference_loss on a sample read with "
            "descenso.data.read"
        )
    dtype = model.parameters()[0].dtype if callable(getattr(model, "parameters", None)) else np.float32
    return StreamFeed(_in_dtype(X, dtype), model, parallel)


def _in_dtype(stream: Any, dtype: Any) -> Any:
    """The stream giving batches in the model's dtype (sharing what it learned)."""
    if stream.dtype == np.dtype(dtype):
        return stream
    other = copy.copy(stream)
    other.dtype = np.dtype(dtype)
    return other
