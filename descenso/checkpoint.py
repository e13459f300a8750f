"""Checkpoints: save a training run at step boundaries, and resume it bit for bit.

``fit(..., checkpoint="ckpt/", checkpoint_every=100, resume=True)`` hands the loop a
:class:`Checkpointer`. The loop calls it at step boundaries and it writes, when due, one file
``ckpt/checkpoint.safetensors``: safetensors tensors (weights, optimizer buffers, best weights,
the epoch's permutation) with the rest of the run's state as JSON metadata (see
:mod:`descenso.run_state`). Each write goes to a temporary file that is fsynced and then renamed
over the previous checkpoint (and the folder fsynced), so the previous one stays whole until the
new one is durable; a crash at any moment leaves one complete checkpoint.

A lock file, ``ckpt/lock``, names the process using the folder: a second run pointed at the same
folder refuses to start. When training completes, the checkpoint is deleted (the run's result is
the trained model); an interrupted (Ctrl-C, SIGTERM), crashed or killed run keeps it, and
``resume=True`` continues from it. ``resume=True`` with no checkpoint starts from the beginning,
so a job script can always pass it.

Only one writer per folder: in a multi-process run, give ``write=False`` to all but one process;
they still read the checkpoint to resume.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
from pathlib import Path
from typing import Any, Iterator

from descenso import run_state
from descenso.distributed import Local
from descenso.run_state import Position, RunState

__all__ = [
    "CHECKPOINT_FILE", "CheckpointError", "CheckpointMismatchError", "Checkpointer", "NoCheckpoint",
    "as_checkpointer",
]  # fmt: skip

CHECKPOINT_FILE = "checkpoint.safetensors"
LOCK_FILE = "lock"
FORMAT = "descenso-checkpoint"


class CheckpointError(OSError):
    """A checkpoint could not be written, read or locked; the message says which file and why.

    Examples
    --------
    >>> str(CheckpointError(errno.ENOSPC, "cannot write 'ckpt/checkpoint.safetensors'"))
    "cannot write 'ckpt/checkpoint.safetensors'"
    """

    def __str__(self) -> str:
        return str(self.strerror if self.strerror is not None else super().__str__())


class CheckpointMismatchError(ValueError):
    """``resume=True`` found a checkpoint made for other data, another model or other settings."""


class NoCheckpoint:
    """What ``fit`` is handed when it saves no checkpoints: every call does nothing."""

    @contextlib.contextmanager
    def session(self, run: RunState, data: tuple[Any, ...], settings: dict[str, Any]) -> Iterator[Position]:
        """Yield the start of training."""
        yield Position()

    def step_done(self, run: RunState, at: Position, force: bool = False) -> None:
        """Nothing to save."""

    def epoch_done(self, run: RunState, at: Position, force: bool = False, finished: bool = False) -> None:
        """Nothing to save."""

    def notes(self, stopped_by: str) -> list[str]:
        """Nothing to say."""
        return []


class Checkpointer(NoCheckpoint):
    """Write a run's state to ``folder`` every ``every`` steps (or every epoch); resume from it.

    Parameters
    ----------
    folder : str or os.PathLike
        Created if missing. Holds ``checkpoint.safetensors`` and ``lock``.
    every : int or "epoch", default "epoch"
        Save after every ``every`` optimizer steps, or at the end of every epoch. A step count
        that falls on the last step of an epoch is saved once that epoch is recorded.
    resume : bool, default False
        Continue from the checkpoint in ``folder`` when there is one (else start from the
        beginning). With False, a folder that already holds a checkpoint is refused, so a
        run never overwrites another's.
    write : bool, default True
        False: never write or lock (the other processes of a multi-process run); still resumes.
    ranks : descenso.distributed.DataParallel, optional
        The ranks of a data-parallel run: they open the checkpoint together (one rank's error stops
        all, naming it), must resume at the same epoch and step (else
        :class:`CheckpointMismatchError` on every rank), and a failed write on the writing rank
        stops every rank. One process by default.

    Raises
    ------
    ValueError
        For a bad ``every``.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from descenso.nn import Linear
    >>> from descenso.train import fit
    >>> X = np.linspace(-1, 1, 8, dtype=np.float32).reshape(-1, 1)
    >>> folder = tempfile.mkdtemp()
    >>> history = fit(Linear(1, 1, rng=0), X, 2 * X[:, 0], epochs=3, batch_size=4, rng=0,
    ...               checkpoint=folder, checkpoint_every=1)
    >>> history.n_steps, (Path(folder) / CHECKPOINT_FILE).exists()   # completed: no checkpoint left
    (6, False)
    """

    def __init__(self, folder: str | os.PathLike[str], every: int | str = "epoch", resume: bool = False,
                 write: bool = True, ranks: Any = None) -> None:  # fmt: skip
        if not isinstance(folder, (str, os.PathLike)):
            raise TypeError(
                f"checkpoint must be a folder path (str or os.PathLike); got {type(folder).__name__}"
            )
        if every != "epoch" and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
            raise ValueError(f"checkpoint_every must be a positive number of steps or 'epoch'; got {every!r}")
        self.folder, self.every, self.resume, self.write = Path(folder), every, bool(resume), bool(write)
        self.ranks = Local() if ranks is None else ranks
        self.path = self.folder / CHECKPOINT_FILE
        self.saved: tuple[int, int] | None = None  # (epoch, step) of the checkpoint on disk
        self._finished = False
        self._created = False
        self._fingerprint: dict[str, Any] = {}

    # ------------------------------------------------------------------ the run's life
    @contextlib.contextmanager
    def session(self, run: RunState, data: tuple[Any, ...], settings: dict[str, Any]) -> Iterator[Position]:
        """Lock the folder, resume when asked, yield the position to start from; unlock at the end.

        On a normal exit after the run finished, the checkpoint is deleted; after an interrupt or
        an error it stays for ``resume=True``.
        """
        if not callable(getattr(run.optimizer, "state_dict", None)):
            raise TypeError("checkpoint= needs an optimizer with state_dict() and load_state_dict()")
        self._fingerprint = run_state.fingerprint(run.model, data, settings)
        with contextlib.ExitStack() as stack:

            def begin() -> Position:
                self._prepare_folder()
                if self.write:
                    stack.enter_context(_Lock(self.folder / LOCK_FILE))
                self._remove_temporaries()
                return self._load(run) if self.path.exists() else Position()

            # Over several ranks, all open the checkpoint or all stop, and all resume at one point.
            start = self.ranks.load(begin, what="open its checkpoint")
            self._check_same_start(run, start)
            yield start
            if self._finished and self.write:
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
        if self._finished and self.write and self._created:
            with contextlib.suppress(OSError):
                self.folder.rmdir()  # the folder this run made, if nothing else was put in it

    def step_done(self, run: RunState, at: Position, force: bool = False) -> None:
        """After a step that is not the epoch's last: save if ``every`` steps have passed (or ``force``)."""
        if force or (self.every != "epoch" and run.history.n_steps % self.every == 0):
            with self.ranks.guard():  # rank 0's failed write (disk full) stops every rank
                self.save(run, at)

    def epoch_done(self, run: RunState, at: Position, force: bool = False, finished: bool = False) -> None:
        """After an epoch is recorded and judged: save when due, unless training is over."""
        self._finished = finished
        due = self.every == "epoch" or run.history.n_steps % self.every == 0
        if not finished and (due or force):
            with self.ranks.guard():
                self.save(run, at)

    def _check_same_start(self, run: RunState, start: Position) -> None:
        """Every rank must resume at the same epoch and step (one reduction), else all raise."""
        if self.ranks.size == 1:
            return
        places = self.ranks.gather(lambda: (start.epoch, start.step, run.history.n_steps))
        if len(set(places)) > 1:
            where = ", ".join(
                f"rank {rank} "
                + (f"at epoch {epoch} step {step} ({steps} steps done)" if steps else "found none")
                for rank, (epoch, step, steps) in enumerate(places)
            )
            raise CheckpointMismatchError(
                f"the ranks did not load the same checkpoint from '{self.folder}': {where}. Fix: give every "
                "rank the same checkpoint folder (on a file system they all see), or start over"
            )

    def notes(self, stopped_by: str) -> list[str]:
        """After an interrupt, where the checkpoint is and how to resume."""
        if stopped_by != "interrupt" or self.saved is None or not self.write:
            return []
        epoch, step = self.saved
        where = f"after epoch {epoch}" if step == 0 else f"at step {step} of epoch {epoch}"
        return [f"saved a checkpoint {where} in '{self.folder}'; resume=True continues from it"]

    # ------------------------------------------------------------------ files
    def save(self, run: RunState, at: Position) -> None:
        """Write the checkpoint now (atomically; the previous one stays until this one is durable)."""
        if not self.write:
            return
        from descenso.serialize import write_model_file

        arrays, document = run_state.capture(run, at)
        metadata = {"run": document, "fingerprint": self._fingerprint}
        try:
            write_model_file(self.path, arrays, metadata, format_name=FORMAT, what="the checkpoint")
        except OSError as error:
            code = errno.errorcode.get(error.errno or 0, "error")
            kept = (
                "no checkpoint had been written yet"
                if self.saved is None
                else f"the previous checkpoint (epoch {self.saved[0]}, step {self.saved[1]}) is intact"
            )
            raise CheckpointError(
                error.errno,
                f"cannot write the checkpoint '{self.path}': [{code}] {os.strerror(error.errno or 0)}; "
                f"training stopped; {kept}. Free space (or fix the folder) and resume",
            ) from error
        self.saved = (at.epoch, at.step)

    def _load(self, run: RunState) -> Position:
        from descenso.serialize import ModelFileError, read_model_file

        try:
            arrays, metadata = read_model_file(self.path, format_name=FORMAT)
        except ModelFileError as error:
            raise CheckpointError(
                errno.EINVAL, f"cannot resume from '{self.path}': {error.problem}"
            ) from None
        document = metadata.get("run", {})
        position = document.get("position", {})
        epoch, step = position.get("epoch"), position.get("step")
        if not self.resume:
            raise CheckpointError(
                errno.EEXIST,
                f"'{self.folder}' already holds the checkpoint of an unfinished run (epoch {epoch}, step "
                f"{step}); pass resume=True (descenso train --resume) to continue it, or delete "
                f"'{self.path}' or choose another folder to start over",
            )
        problems = run_state.differences(metadata.get("fingerprint", {}), self._fingerprint)
        if problems:
            raise CheckpointMismatchError(
                f"cannot resume from '{self.path}': it was made for another run: {'; '.join(problems)}. "
                "Fix: resume with the same data and settings, or start over in another folder"
            )
        at = run_state.restore(run, arrays, document)
        self.saved = (at.epoch, at.step)
        return at

    def _prepare_folder(self) -> None:
        """Create the folder and prove it writable now, before any training (the writing rank only)."""
        if not self.write:
            return
        self._created = not self.folder.exists()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CheckpointError(
                error.errno, f"cannot use '{self.folder}' as the checkpoint folder: {error.strerror or error}"
            ) from None
        if not self.folder.is_dir():
            raise CheckpointError(
                errno.ENOTDIR, f"cannot use '{self.folder}' as the checkpoint folder: it is a file"
            )
        if self.write and not os.access(self.folder, os.W_OK | os.X_OK):
            raise CheckpointError(errno.EACCES, f"cannot write in the checkpoint folder '{self.folder}'")

    def _remove_temporaries(self) -> None:
        """A save killed before its rename leaves a temporary file; the lock proves nobody writes it."""
        if self.write:
            for stray in self.folder.glob(f".{CHECKPOINT_FILE}.*.tmp"):
                with contextlib.suppress(OSError):
                    stray.unlink()


def as_checkpointer(
    checkpoint: Any, every: int | str = "epoch", resume: bool = False, write: bool = True, ranks: Any = None
) -> NoCheckpoint:
    """``fit``'s ``checkpoint=`` as the object the loop calls: a folder, a Checkpointer, or None.

    ``write=False`` (every rank but the first of a multi-process run) reads but never writes.
    ``ranks`` (fit's :class:`~descenso.distributed.DataParallel`): every rank opens the checkpoint
    or every rank raises; all must resume at the same epoch and step; a failed write stops all.

    Raises
    ------
    TypeError, ValueError
        For a bad folder or ``every``, or ``resume=True`` without a checkpoint folder.

    Examples
    --------
    >>> type(as_checkpointer(None)).__name__, type(as_checkpointer("ckpt", every=10)).__name__
    ('NoCheckpoint', 'Checkpointer')
    """
    if isinstance(checkpoint, NoCheckpoint):
        return checkpoint
    if checkpoint is None:
        if resume:
            raise ValueError("fit: resume=True needs checkpoint= (the folder to resume from), e.g. 'ckpt/'")
        return NoCheckpoint()
    return Checkpointer(checkpoint, every, resume, write=write, ranks=ranks)


class _Lock:
    """An exclusive ``flock`` on ``path``, which names the holder's pid (released when it exits)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def __enter__(self) -> _Lock:
        import fcntl  # POSIX; descenso's checkpoints are not locked elsewhere

        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.read(fd, 200).decode(errors="replace").strip() or "unknown"
                os.close(fd)
                raise CheckpointError(
                    errno.EBUSY,
                    f"the checkpoint folder '{self.path.parent}' is in use by another run ({holder}); "
                    "wait for it to finish, or give this run another folder",
                ) from None
            if os.path.exists(self.path) and os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                break
            os.close(fd)  # the holder deleted the file between our open and our lock: try again
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode())
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            os.close(self.fd)
            self.fd = None
