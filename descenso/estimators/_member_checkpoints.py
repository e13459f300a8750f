"""Checkpoints of a few-seed ensemble: each network in its own folder, the finished ones kept.

An ensemble trains its networks one after the other, each a run of :func:`descenso.train.fit`
with its own checkpoints. Sharing one folder would let a run killed while network 2 trains
resume network 1 from network 2's checkpoint. So with ``checkpoint="ckpt/"`` network ``j``
checkpoints in ``ckpt/member-j/``, and when it finishes (and is not the last) it leaves
``ckpt/member-j/finished.safetensors``: its final weights, its history and the random
generator's state after it. A resumed fit loads the finished networks from there instead of
training them again, and resumes the one that was training from its own checkpoint, so the
merged model is bit for bit the uninterrupted one. A finished file is refused, naming what
differs, when it was made for other data, another network or other settings (``ensemble`` too).
The folder is locked (``ckpt/lock``) while the ensemble trains, and deleted when it completes.

One network (``ensemble=1``, or "auto" on large tables) checkpoints in ``ckpt/`` itself.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from descenso import run_state

__all__ = ["FINISHED_FILE", "MemberCheckpoints", "member_folder"]

FINISHED_FILE = "finished.safetensors"
FORMAT = "descenso-ensemble-member"


def member_folder(folder: str | Path, index: int) -> Path:
    """Where network ``index`` (0-based) of an ensemble checkpoints.

    Examples
    --------
    >>> member_folder("ckpt", 1).as_posix()
    'ckpt/member-2'
    """
    return Path(folder) / f"member-{index + 1}"


class MemberCheckpoints:
    """The checkpoint settings of each network of a ``count``-network fit, and its finished networks.

    ``saving`` is the estimator's ``{"checkpoint": folder or None, "checkpoint_every": ...,
    "resume": ...}``; ``write`` is False on all but the first process of a multi-process run.
    """

    def __init__(self, saving: dict[str, Any], count: int, write: bool = True) -> None:
        self.saving, self.count, self.write = dict(saving), count, write
        folder = saving.get("checkpoint")
        self.folder = None if folder is None or count == 1 else Path(folder)
        self._created = self.folder is not None and not self.folder.exists()
        self._completed = False
        self._lock: Any = None

    def __enter__(self) -> MemberCheckpoints:
        """Create and lock the ensemble's folder (``lock``, as one network's), so a second fit refuses it."""
        from descenso.checkpoint import LOCK_FILE, CheckpointError, _Lock

        if self.folder is not None and self.write:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                problem = error.strerror or error
                raise CheckpointError(
                    error.errno, f"cannot use '{self.folder}' as the checkpoint folder: {problem}"
                ) from None
            self._lock = _Lock(self.folder / LOCK_FILE).__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            self._lock.__exit__(*exc)
            self._lock = None
        if exc[0] is None and self._completed and self._created:
            with contextlib.suppress(OSError):
                self.folder.rmdir()  # type: ignore[union-attr]

    def for_member(self, index: int) -> dict[str, Any]:
        """``fit``'s checkpoint arguments for network ``index``: its own folder."""
        if self.folder is None:
            return self.saving
        return {**self.saving, "checkpoint": member_folder(self.folder, index)}

    def identity(
        self, index: int, model: Any, data: tuple[Any, ...], params: dict[str, Any]
    ) -> dict[str, Any]:
        """What network ``index``'s finished file must match: its training rows, shape and the settings."""
        settings = {name: value for name, value in params.items() if name != "verbose"}
        return run_state.fingerprint(
            model, data, run_state.describe_settings(network=index + 1, of=self.count, **settings)
        )

    def restore(self, index: int, model: Any, rng: np.random.Generator, identity: dict[str, Any]) -> Any:
        """Network ``index``'s History if it finished before (its weights, ``rng`` restored), else None.

        ``identity`` is :func:`descenso.run_state.fingerprint` of this network's data and settings.

        Raises
        ------
        descenso.checkpoint.CheckpointError
            For a finished network when ``resume`` is False (so a run never overwrites another's),
            or an unreadable file.
        descenso.checkpoint.CheckpointMismatchError
            When the file was made for other data, another network or other settings.
        """
        from descenso.checkpoint import CheckpointError, CheckpointMismatchError
        from descenso.history import History
        from descenso.serialize import ModelFileError, read_model_file

        if self.folder is None:
            return None
        path = member_folder(self.folder, index) / FINISHED_FILE
        if not path.exists():
            return None
        if not self.saving.get("resume"):
            raise CheckpointError(
                errno.EEXIST,
                f"'{self.folder}' already holds network {index + 1} of an unfinished ensemble fit; pass "
                f"resume=True (descenso train --resume) to continue it, or delete '{self.folder}' or "
                "choose another folder to start over",
            )
        try:
            arrays, metadata = read_model_file(path, format_name=FORMAT)
        except ModelFileError as error:
            raise CheckpointError(errno.EINVAL, f"cannot resume from '{path}': {error.problem}") from None
        problems = run_state.differences(metadata.get("fingerprint", {}), identity)
        if problems:
            raise CheckpointMismatchError(
                f"cannot resume from '{path}': it was made for another run: {'; '.join(problems)}. "
                "Fix: resume with the same data and settings, or start over in another folder"
            )
        history = History()
        run = run_state.RunState(model, None, rng, [], [], history)
        run_state.restore(run, arrays, metadata["run"])
        return history

    def keep(
        self, index: int, model: Any, rng: np.random.Generator, history: Any, identity: dict[str, Any]
    ) -> None:
        """Write network ``index``'s final state (not the last network's: nothing follows it)."""
        from descenso.serialize import write_model_file

        if self.folder is None or not self.write or index == self.count - 1:
            return
        if history.stopped_by == "interrupt":  # unfinished: its own checkpoint resumes it
            return
        run = run_state.RunState(model, None, rng, [], [], history)
        arrays, document = run_state.capture(run, run_state.Position())
        path = member_folder(self.folder, index) / FINISHED_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        metadata = {"run": document, "fingerprint": identity}
        write_model_file(path, arrays, metadata, format_name=FORMAT, what="the finished network's checkpoint")

    def completed(self) -> None:
        """The ensemble is trained: delete the networks' folders (and the folder, if this fit made it)."""
        if self.folder is None or not self.write:
            return
        for index in range(self.count):
            with contextlib.suppress(OSError):
                shutil.rmtree(member_folder(self.folder, index))
        self._completed = True  # the folder itself goes once the lock is released
