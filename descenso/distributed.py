"""Data-parallel training over MPI: every rank steps the same model on its shard of each batch.

Horovod's and ChainerMN's scheme, in small. Every rank (process) holds the whole model.
:func:`descenso.train.fit` is handed a :class:`DataParallel` (``fit(..., distributed=True)``)
and calls it at four points, the same on every rank:

1. ``start``: rank 0's initial weights, optimizer state and random generator are broadcast,
   so every rank begins at the same point and draws the same batches.
2. ``shard``: of each global batch (the rows one process would take), rank ``r`` keeps the
   ``r``-th contiguous part (``numpy.array_split``), so ``N`` ranks see the batch one process
   would see.
3. ``reduce``: after ``backward()``, the optimizer's flat gradient buffer ``g_r`` is averaged
   with one in-place ``Allreduce``, weighted by each shard's share of the batch
   (``g = sum_r (w_r / W) g_r``, ``w_r`` its rows or its sum of sample weights): the exact
   global mean even when the last batch splits unevenly. A second, tiny ``Allreduce`` carries
   the batch's losses and metrics, and each rank's Ctrl-C and error flags. Every rank then
   takes the same optimizer step.
4. ``agree``: the stopping decision of rank 0 is broadcast, so all ranks stop at the same
   epoch for the same reason; validation is sharded and reduced like a training batch.

A rank whose code raises (bad data, say) tells the others at the next reduction, and every
rank raises the same error naming that rank, instead of the others waiting forever. A rank
that dies (killed, out of memory) is MPI's to handle: ``mpiexec`` stops the whole job at
once, exits non-zero and names the dead process's PID, which the line printed at start
maps to its rank.

mpi4py is imported only when a :class:`DataParallel` is made (``pip install 'descenso[mpi]'``).
:class:`Local` is the one-process stand-in: rank 0 of 1, every method the identity.
"""

from __future__ import annotations

import os
import socket
import sys
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, NoReturn, Sequence

import numpy as np

__all__ = ["DataParallel", "Local", "Share", "RankError", "as_parallel"]

_INSTALL = "pip install 'descenso[mpi]'"
_announced: set[int] = set()


class RankError(RuntimeError):
    """Raised on every rank when one rank failed; the message names the rank and its error.

    Attributes
    ----------
    rank : int or None
        The (first) rank that failed.
    kind, problem : str
        The failing rank's exception type and message.
    code : int or None
        Its ``code`` attribute, when it had an int one (the command line's errors carry their
        exit code), so every rank can exit with the same status.
    fix : str or None
        Its ``fix`` attribute (what to do), when it had one.
    """

    def __init__(
        self,
        message: str,
        rank: int | None = None,
        kind: str = "",
        problem: str = "",
        code: int | None = None,
        fix: str | None = None,
    ) -> None:
        super().__init__(message)
        self.rank, self.kind, self.problem, self.code, self.fix = rank, kind, problem, code, fix


@dataclass(frozen=True)
class Share:
    """One rank's part of a global batch: ``count`` real rows and their ``weight`` in the mean.

    ``weight`` is ``count`` without sample weights, else the sum of the part's sample weights.
    A rank whose part is empty computes on one stand-in row with ``count = weight = 0``, so it
    still joins the reduction and adds nothing to it.
    """

    count: int
    weight: float


@dataclass(frozen=True)
class Flag:
    """A flag agreed by all ranks (any rank's Ctrl-C), read as ``flag.raised``."""

    raised: bool


_JUST_RUN = nullcontext()
_SHARES: dict[int, Share] = {}


class Local:
    """Training in one process: rank 0 of 1; ``shard`` keeps the whole batch, ``reduce`` changes nothing.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.distributed import Local
    >>> parallel = Local()
    >>> parallel.rank, parallel.size, parallel.is_root
    (0, 1, True)
    >>> rows, share = parallel.shard(np.array([4, 1, 3]), 5, None)
    >>> rows.tolist(), share
    ([4, 1, 3], Share(count=3, weight=3.0))
    """

    rank, size = 0, 1

    @property
    def is_root(self) -> bool:
        """True on the rank that prints and writes files (rank 0)."""
        return self.rank == 0

    def same_rng(self, rng: np.random.Generator) -> np.random.Generator:
        """The generator every rank uses; in one process, ``rng`` itself."""
        return rng

    def start(self, optimizer: Any, n_values: int) -> None:
        """Before the first step: in one process, nothing to broadcast."""

    def shard(self, rows: Any, n: int, sample_weight: Any) -> tuple[Any, Share]:
        """This rank's rows of the global batch ``rows`` (indices or a slice of ``n`` rows)."""
        count = len(range(n)[rows]) if type(rows) is slice else len(rows)
        share = _SHARES.get(count)
        if share is None:  # a Share is immutable: one per batch size serves every step
            share = _SHARES[count] = Share(count, float(count))
        return rows, share

    def shards(
        self, order: Any, n: int, batch: int, first_step: int, sample_weight: Any
    ) -> list[tuple[Any, Share]]:
        """This rank's ``(rows, share)`` of each of an epoch's global batches, from ``first_step`` on.

        ``order`` is the epoch's permutation of the ``n`` rows, cut into batches of ``batch`` rows
        (None: one batch of every row, in place). A feed asks once an epoch, not at every batch (a
        call per batch was ~100 ns of a W1 step); in one process every batch is kept whole, as
        :meth:`shard` keeps it.

        Examples
        --------
        >>> import numpy as np
        >>> [(rows.tolist(), share.count) for rows, share in Local().shards(np.arange(5), 5, 2, 1, None)]
        [([2, 3], 2), ([4], 1)]
        """
        if order is None:
            return [self.shard(slice(None), n, sample_weight)]
        whole = self.shard(order[:batch], n, sample_weight)[1]  # every batch but a short last one
        parts = [(order[start : start + batch], whole) for start in range(first_step * batch, n, batch)]
        if parts and n % batch:
            parts[-1] = self.shard(parts[-1][0], n, sample_weight)
        return parts

    def reduce(
        self, optimizer: Any, share: Share, losses: list[float], metrics: Sequence[float], interrupt: Any
    ) -> tuple[int, list[float], Sequence[float], Any]:
        """Average gradients and values over the ranks: ``(rows, losses, metrics, interrupt)``.

        ``interrupt`` has a ``raised`` attribute (Ctrl-C); in one process it is returned as it is,
        so a Ctrl-C during this step's callbacks still stops after this step. (In one process the
        values come back as they were given, not copied: this runs at every step.)
        """
        return share.count, losses, metrics, interrupt

    def mean(
        self, share: Share, losses: Sequence[float], metrics: Sequence[float]
    ) -> tuple[list[float], ...]:
        """Average values (no gradient) over the ranks, as in :meth:`reduce`."""
        return list(losses), list(metrics)

    def agree(self, decision: Any) -> Any:
        """Rank 0's ``decision`` on every rank."""
        return decision

    def guard(self) -> AbstractContextManager[None]:
        """Run a block on every rank; if it raises on one, every rank raises (here: just run it)."""
        return _JUST_RUN  # one object for every call: a generator-based context costs ~1 us

    def failed(self, error: Exception) -> NoReturn:
        """Raise ``error``, caught on this rank, on every rank (in one process: ``error`` itself).

        What :meth:`guard` does on an error, for a loop that catches it itself: ``fit``'s step is a
        ``try`` block, which costs nothing when nothing is raised (a ``with`` costs two calls a step).
        """
        raise error

    def each(self, items: Iterable[Any]) -> Iterator[Any]:
        """Iterate on every rank; if getting an item raises on one, every rank raises (here: plain)."""
        return iter(items)

    def gather(self, compute: Callable[[], Any]) -> list[Any]:
        """``compute()`` on every rank, the results in rank order; if it raises on one, every rank raises."""
        return [compute()]

    def load(self, read: Callable[[], Any], what: str = "load its data") -> Any:
        """``read()`` on every rank (reading the data, say); all go on, or all raise the same error.

        In one process the error is raised as it is; over MPI see :meth:`DataParallel.load`.
        """
        return read()

    def __repr__(self) -> str:
        return "Local()"


class DataParallel(Local):
    """Data parallelism over an MPI communicator (``mpi4py``); hand it to ``fit(distributed=...)``.

    Parameters
    ----------
    comm : mpi4py.MPI.Comm, optional
        The ranks that train together; ``MPI.COMM_WORLD`` (every process ``mpiexec`` started)
        by default.

    Attributes
    ----------
    rank, size : int
        This process's rank and the number of ranks.

    Raises
    ------
    ImportError
        When mpi4py (or an MPI library) is not installed, naming the extra to install.

    Notes
    -----
    Launch every rank with the same script and data, e.g. ``mpiexec -n 4 python train.py``;
    ``fit`` then gives the weights one process would reach with the same global ``batch_size``
    (to floating-point summation order). Per step, the update is

        g = sum_r (w_r / W) g_r,   W = sum_r w_r,   theta <- optimizer(theta, g)

    on every rank. Rank 0 prints, at the start, which PID each rank has, so that a dead
    process reported by ``mpiexec`` can be named by its rank.

    Examples
    --------
    >>> from descenso.distributed import DataParallel
    >>> parallel = DataParallel()      # doctest: +SKIP
    >>> parallel.size                  # doctest: +SKIP
    1
    """

    def __init__(self, comm: Any = None) -> None:
        mpi = _import_mpi()
        self._mpi = mpi
        self.comm = mpi.COMM_WORLD if comm is None else comm
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self._width = 0
        self._announce()

    def _announce(self) -> None:
        """Rank 0 prints each rank's PID once per communicator: mpiexec names a dead process by PID."""
        key = self._mpi.Comm.py2f(self.comm)
        if self.size == 1 or key in _announced:
            return
        _announced.add(key)
        places = self.comm.allgather((os.getpid(), socket.gethostname()))
        if self.is_root:
            ranks = ", ".join(f"rank {r} pid {pid} on {host}" for r, (pid, host) in enumerate(places))
            print(f"descenso: data parallel over {self.size} ranks: {ranks}", file=sys.stderr, flush=True)

    def same_rng(self, rng: np.random.Generator) -> np.random.Generator:
        """Give every rank rank 0's generator state, so all draw the same batches and splits."""
        rng.bit_generator.state = self.comm.bcast(rng.bit_generator.state, root=0)
        return rng

    def start(self, optimizer: Any, n_values: int) -> None:
        """Broadcast rank 0's weights and optimizer state; fix the width of the value reductions."""
        self._width = n_values
        for buffer in _buffers(optimizer):
            self.comm.Bcast(buffer, root=0)

    def shard(self, rows: Any, n: int, sample_weight: Any) -> tuple[Any, Share]:
        """Rank ``r``'s contiguous part of the global batch, and its share of the batch's mean."""
        total = len(range(n)[rows]) if isinstance(rows, slice) else len(rows)
        base, extra = divmod(total, self.size)
        start = self.rank * base + min(self.rank, extra)
        stop = start + base + (self.rank < extra)
        if isinstance(rows, slice):
            first = range(n)[rows].start
            mine: Any = slice(first + start, first + stop)
            everything = np.arange(n)[rows]
        else:
            mine, everything = rows[start:stop], rows
        weight = float(stop - start) if sample_weight is None else float(np.sum(sample_weight[mine]))
        if weight > 0:
            return mine, Share(stop - start, weight)
        # An empty part (a short last batch) computes on a stand-in row of positive weight, weighted 0.
        stand_in = (
            everything[:1] if sample_weight is None else everything[[np.argmax(sample_weight[everything])]]
        )
        return stand_in, Share(0, 0.0)

    def shards(
        self, order: Any, n: int, batch: int, first_step: int, sample_weight: Any
    ) -> list[tuple[Any, Share]]:
        """This rank's part of each of an epoch's global batches (see :meth:`Local.shards`)."""
        if order is None:
            return [self.shard(slice(None), n, sample_weight)]
        starts = range(first_step * batch, n, batch)
        return [self.shard(order[start : start + batch], n, sample_weight) for start in starts]

    def reduce(
        self, optimizer: Any, share: Share, losses: Sequence[float], metrics: Sequence[float], interrupt: Any
    ) -> tuple[int, list[float], list[float], Any]:
        """Average the flat gradient (one in-place Allreduce) and the batch's values over the ranks.

        The returned flag's ``raised`` is True when any rank's ``interrupt.raised`` was.
        """
        count, losses, metrics, flag = self._reduce_values(share, losses, metrics, interrupt.raised)
        total_weight = self._last_weight
        for gradient in _gradients(optimizer):
            gradient *= share.weight / total_weight  # the weighted mean: sum_r (w_r / W) g_r
            self.comm.Allreduce(self._mpi.IN_PLACE, gradient, op=self._mpi.SUM)
        return count, losses, metrics, Flag(flag)

    def mean(
        self, share: Share, losses: Sequence[float], metrics: Sequence[float]
    ) -> tuple[list[float], ...]:
        """Average values over the ranks: losses by weight, metrics by rows."""
        _, losses, metrics, _ = self._reduce_values(share, losses, metrics, False)
        return losses, metrics

    def agree(self, decision: Any) -> Any:
        """Rank 0's decision (e.g. why training stops) on every rank."""
        return self.comm.bcast(decision, root=0)

    def gather(self, compute: Callable[[], Any]) -> list[Any]:
        """``compute()`` on every rank, all results on every rank, or every rank raises the first error."""
        try:
            value, report, error = compute(), None, None
        except Exception as caught:
            value, report, error = None, (type(caught).__name__, str(caught)), caught
        items = self.comm.allgather((value, report))
        failed = [rank for rank, (_, report) in enumerate(items) if report is not None]
        if failed:
            kind, message = items[failed[0]][1]
            raise RankError(
                f"rank {failed[0]} of {self.size} stopped training with {kind}: {message}"
            ) from error
        return [value for value, _ in items]

    def load(self, read: Callable[[], Any], what: str = "load its data") -> Any:
        """``read()`` on every rank; if it raises on any, every rank raises the same :class:`RankError`.

        Call it for each step before training that can fail on one rank only (a file missing on
        one machine, a bad cell in one rank's part): each rank reports ok or its error in one
        ``allgather`` of a few bytes (the data itself never travels), so a rank that failed never
        leaves the others waiting at the first broadcast. The message names the first failing
        rank and its problem, e.g. ``rank 1 of 2 could not load its data: DataError: ...``.

        Examples
        --------
        >>> from descenso.distributed import DataParallel
        >>> parallel = DataParallel()                                     # doctest: +SKIP
        >>> X, y = parallel.load(lambda: read_my_part(parallel.rank))     # doctest: +SKIP
        """
        try:
            value, report, error = read(), None, None
        except Exception as caught:
            code = getattr(caught, "code", None)
            fix = getattr(caught, "fix", None)
            value, error = None, caught
            report = (
                type(caught).__name__,
                str(caught),
                int(code) if isinstance(code, int) else None,
                fix if isinstance(fix, str) else None,
            )
        reports = self.comm.allgather(report)
        failed = [rank for rank, item in enumerate(reports) if item is not None]
        if not failed:
            return value
        kind, problem, code, fix = reports[failed[0]]
        also = f" (rank{'s' if len(failed) > 2 else ''} {', '.join(map(str, failed[1:]))} failed too)"
        message = f"rank {failed[0]} of {self.size} could not {what}: {kind}: {problem}"
        raise RankError(
            message + (also if len(failed) > 1 else ""), failed[0], kind, problem, code, fix
        ) from error

    @contextmanager
    def guard(self) -> Iterator[None]:
        """If the block raises on one rank, every rank raises a :class:`RankError` naming it.

        The failing rank joins the next value reduction with its error flag set, which is
        where the other ranks are waiting; then every rank learns the first failing rank's error.
        """
        try:
            yield
        except Exception as error:
            self.failed(error)

    def each(self, items: Iterable[Any]) -> Iterator[Any]:
        """Iterate ``items`` (e.g. batches read from this rank's part of a file) under :meth:`guard`."""
        iterator = iter(items)
        while True:
            with self.guard():
                try:
                    item = next(iterator)
                except StopIteration:
                    return
            yield item

    # ------------------------------------------------------------------ the reductions
    def _reduce_values(
        self,
        share: Share,
        losses: Sequence[float],
        metrics: Sequence[float],
        flag: bool,
        failed: bool = False,
    ) -> tuple[int, list[float], list[float], bool]:
        n_losses = len(losses)
        values = np.zeros(4 + self._width, dtype=np.float64)
        values[:4] = share.count, share.weight, float(flag), float(failed)
        values[4 : 4 + n_losses] = np.asarray(losses, dtype=np.float64) * share.weight
        values[4 + n_losses : 4 + n_losses + len(metrics)] = (
            np.asarray(metrics, dtype=np.float64) * share.count
        )
        self.comm.Allreduce(self._mpi.IN_PLACE, values, op=self._mpi.SUM)
        if values[3] > 0:
            self._raise_agreed(None)
        count, weight = int(values[0]), float(values[1])
        self._last_weight = weight
        loss_means = (values[4 : 4 + n_losses] / weight).tolist()
        metric_means = (values[4 + n_losses : 4 + n_losses + len(metrics)] / max(count, 1)).tolist()
        return count, loss_means, metric_means, bool(values[2] > 0)

    def failed(self, error: Exception) -> NoReturn:
        """Tell the other ranks at their next value reduction; every rank raises one :class:`RankError`.

        It names the first rank that failed and its error (see :meth:`guard`).
        """
        values = np.zeros(4 + self._width, dtype=np.float64)
        values[3] = 1.0
        self.comm.Allreduce(self._mpi.IN_PLACE, values, op=self._mpi.SUM)
        self._raise_agreed(error)

    def _raise_agreed(self, error: BaseException | None) -> NoReturn:
        report = None if error is None else (type(error).__name__, str(error))
        reports = self.comm.allgather(report)
        rank = next(r for r, item in enumerate(reports) if item is not None)
        kind, message = reports[rank]
        raise RankError(f"rank {rank} of {self.size} stopped training with {kind}: {message}") from error

    def __repr__(self) -> str:
        return f"DataParallel(rank={self.rank}, size={self.size})"


def as_parallel(distributed: Any) -> Local:
    """``fit``'s ``distributed=`` as an object: None/False -> :class:`Local`, True -> over COMM_WORLD.

    Raises
    ------
    TypeError
        For anything else than a bool, None or a :class:`Local`/:class:`DataParallel`.

    Examples
    --------
    >>> as_parallel(None)
    Local()
    """
    if distributed is None or distributed is False:
        return Local()
    if distributed is True:
        return DataParallel()
    if isinstance(distributed, Local):
        return distributed
    raise TypeError(
        "fit: distributed= must be True (every rank mpiexec started), False, or a "
        f"descenso.distributed.DataParallel(comm); got {distributed!r}"
    )


def _buffers(optimizer: Any) -> list[np.ndarray]:
    """The arrays every rank must hold equal: the weights, then the optimizer's state buffers."""
    packed = getattr(optimizer, "packed", None)
    if packed is not None:
        return [packed.data, *getattr(optimizer, "_flat_state", {}).values()]
    state = [buffer for buffers in getattr(optimizer, "state", {}).values() for buffer in buffers]
    return [p.data for p in optimizer.params] + state


def _gradients(optimizer: Any) -> list[np.ndarray]:
    """The flat gradient buffer (one array) when the optimizer packs its parameters, else each .grad."""
    packed = getattr(optimizer, "packed", None)
    if packed is not None:
        packed.sync(type(optimizer).__name__)
        return [packed.grad]
    for p in optimizer.params:
        if p.grad is None:
            p.grad = np.zeros_like(p.data)
    return [p.grad for p in optimizer.params]


def _import_mpi() -> Any:
    try:
        from mpi4py import MPI
    except ImportError:
        raise ImportError(
            f"distributed training needs mpi4py and an MPI library; install them with {_INSTALL}"
        ) from None
    return MPI
