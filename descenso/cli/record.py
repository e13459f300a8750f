"""What ``descenso train`` records so that ``descenso replay`` can retrain a run and compare, bit for bit.

The record in ``config.json`` holds the facts a run depends on — the data's hash, the split, the
initial weights, the versions of descenso, NumPy and Python — and what the run produced: each epoch's
losses (JSON floats round-trip exactly) and a hash of the weights after every epoch and at the end.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np

RECORD_VERSION = 1


def weights_hash(model: Any) -> str:
    """sha256 of every parameter's name, dtype, shape and bytes, in ``named_parameters()`` order."""
    digest = hashlib.sha256()
    for name, p in model.named_parameters():
        data = np.ascontiguousarray(p.data)
        digest.update(f"{name}|{data.dtype.str}|{data.shape}|".encode())
        digest.update(data.tobytes())
    return digest.hexdigest()


def table_hash(*parts: Any) -> str:
    """sha256 of arrays or DataFrames (values, column names and row order)."""
    digest = hashlib.sha256()
    for part in parts:
        if hasattr(part, "columns"):  # a pandas DataFrame: hash each column's values with its name
            import pandas as pd

            digest.update("|".join(map(str, part.columns)).encode())
            digest.update(pd.util.hash_pandas_object(part, index=False).to_numpy().tobytes())
        elif isinstance(part, str):
            digest.update(part.encode())
        else:
            array = np.ascontiguousarray(np.asarray(part))
            if array.dtype == object:
                digest.update(repr(array.tolist()).encode())
            else:
                digest.update(f"{array.dtype.str}|{array.shape}|".encode())
                digest.update(array.tobytes())
    return digest.hexdigest()


def data_hash(settings: Any) -> str:
    """sha256 of the data file's bytes, or of the built-in dataset's arrays as generated."""
    if settings.data is not None:
        digest = hashlib.sha256()
        with open(Path(settings.data), "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()
    from descenso import datasets

    X, y, _ = datasets.load(
        settings.dataset or "spirals", n=settings.samples, noise=settings.noise, rng=settings.seed
    )
    return table_hash(X, y)


def environment() -> dict[str, str]:
    """The versions a run's numbers can depend on."""
    from descenso import __version__

    return {
        "descenso": __version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": f"{sys.platform}-{platform.machine()}",
    }


class RunRecorder:
    """A callback that records the initial weights, and each epoch's losses and weights' hash.

    Its record travels in a run's checkpoints (``state_dict``), so a run resumed with ``--resume``
    still records the weights it started from and every epoch since, not only those after the resume,
    and ``descenso replay`` compares it with an uninterrupted retraining.
    """

    def __init__(self) -> None:
        self.initial_weights = ""
        self.epoch_weights: list[str] = []
        self._resumed = False

    def on_train_begin(self, model: Any, history: Any) -> None:
        """Hash the initial weights, unless the run resumed (the checkpoint's record holds them)."""
        if not self._resumed:  # (an ensemble's next member starts a record afresh, as without a resume)
            self.initial_weights, self.epoch_weights = weights_hash(model), []
        self._resumed = False

    def state_dict(self) -> dict[str, Any]:
        """What a checkpoint keeps: the initial weights' hash and the epochs' so far."""
        return {"initial_weights": self.initial_weights, "epoch_weights": list(self.epoch_weights)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue the record of the run a checkpoint was made from."""
        self.initial_weights, self.epoch_weights = state["initial_weights"], list(state["epoch_weights"])
        self._resumed = True

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], model: Any) -> None:
        """Hash the weights the epoch reached."""
        self.epoch_weights.append(weights_hash(model))

    def record(self, settings: Any, data: Any, estimator: Any) -> dict[str, Any]:
        """The facts and the results, for config.json."""
        history = estimator.history_
        return {
            "version": RECORD_VERSION,
            "facts": {
                "data": data_hash(settings),
                "split": table_hash(data.X_train, data.y_train, data.X_test, data.y_test),
                "initial_weights": self.initial_weights,
                **environment(),
            },
            "history": {
                "train_loss": list(history.train_loss),
                "val_loss": list(history.val_loss),
                "weights": list(self.epoch_weights),
            },
            "final_weights": weights_hash(estimator.model_),
            "stopped_by": history.stopped_by,
        }
