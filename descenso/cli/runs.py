"""The run folder ``runs/<name>/`` and atomic writes of its files.

Layout of a training run::

    runs/<name>/
        model.descenso            the fitted estimator (descenso's safetensors model file)
        config.json               every setting; ``descenso train --config`` reproduces the run
        metrics.json              test metrics, stop reason, timings, sizes
        history.csv               one row per epoch: losses, learning rate, gradient norm, metrics
        loss.png                  plus roc.png, confusion_matrix.png, decision_boundary.png (binary)
                                  or predicted_vs_actual.png, residuals.png (regression)
    runs/latest -> <name>         symbolic link to the newest run, where the system allows it

Every file is written to a temporary name in the same folder, flushed to disk and renamed, so a
crash or a full disk never leaves a half-written report over a good one.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import time
from pathlib import Path
from typing import Any

MODEL_FILE = "model.descenso"
CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.json"
HISTORY_FILE = "history.csv"


def slug(text: str) -> str:
    """A folder-safe name: letters, digits, ``-``, ``_`` and ``.`` only.

    Examples
    --------
    >>> from descenso.cli.runs import slug
    >>> slug("My data (v2).csv")
    'My-data-v2-.csv'
    """
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return cleaned or "run"


def new_run_dir(out: str | os.PathLike[str], name: str | None, stem: str) -> Path:
    """Create and return a fresh run folder under ``out``.

    Parameters
    ----------
    out : path
        Parent folder (created if missing), e.g. ``runs``.
    name : str, optional
        The folder name; by default ``<stem>-<YYYYmmdd-HHMMSS>``. An existing folder is never reused:
        ``-2``, ``-3``, ... is appended.
    stem : str
        Dataset-based prefix of the default name.

    Returns
    -------
    pathlib.Path
        The new, empty folder.

    Examples
    --------
    >>> import tempfile
    >>> from descenso.cli.runs import new_run_dir
    >>> parent = tempfile.mkdtemp()
    >>> new_run_dir(parent, "demo", "spirals").name, new_run_dir(parent, "demo", "spirals").name
    ('demo', 'demo-2')
    """
    parent = Path(out)
    parent.mkdir(parents=True, exist_ok=True)
    base = slug(name) if name else f"{slug(stem)}-{time.strftime('%Y%m%d-%H%M%S')}"
    for attempt in range(1, 1000):
        candidate = parent / (base if attempt == 1 else f"{base}-{attempt}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"could not create a new run folder named {base} in {parent}")


def point_latest(run_dir: Path) -> None:
    """Make ``<parent>/latest`` a relative symbolic link to ``run_dir`` (skipped where unsupported)."""
    link = run_dir.parent / "latest"
    if link.exists() and not link.is_symlink():
        return  # a real folder or file named "latest" belongs to the user
    temporary = run_dir.parent / f".latest-{os.getpid()}"
    with contextlib.suppress(OSError):
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(run_dir.name, target_is_directory=True)
        os.replace(temporary, link)


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, fsync and a rename.

    See :func:`descenso.serialize.atomic_write_bytes`; an OSError names the file.
    """
    from descenso.serialize import atomic_write_bytes

    return atomic_write_bytes(path, data, what="the file")


def jsonable(value: Any) -> Any:
    """Plain JSON values: NumPy scalars and arrays become numbers and lists, NaN/inf become ``None``.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.cli.runs import jsonable
    >>> jsonable({"a": np.float32(0.5), "b": [float("nan"), np.int64(3)], "c": (1, 2)})
    {'a': 0.5, 'b': [None, 3], 'c': [1, 2]}
    """
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def write_json(path: str | os.PathLike[str], payload: Any) -> Path:
    """Write ``payload`` as indented JSON, atomically."""
    text = json.dumps(jsonable(payload), indent=2, allow_nan=False) + "\n"
    return write_atomic(path, text.encode("utf-8"))


def csv_text(columns: dict[str, list[Any]]) -> str:
    """Equal-length columns as CSV text with a header row (``None`` becomes an empty field).

    Examples
    --------
    >>> from descenso.cli.runs import csv_text
    >>> print(csv_text({"x": [1.5, None], "label": ["a,b", "c"]}), end="")
    x,label
    1.5,"a,b"
    ,c
    """
    lengths = {name: len(values) for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"CSV columns must have equal lengths; got {lengths}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(columns))
    for row in zip(*columns.values(), strict=True):
        writer.writerow(["" if cell is None else cell for cell in jsonable(list(row))])
    return buffer.getvalue()


def write_csv(path: str | os.PathLike[str], columns: dict[str, list[Any]]) -> Path:
    """Write equal-length columns as a CSV file with a header row, atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from descenso.cli.runs import write_csv
    >>> path = write_csv(pathlib.Path(tempfile.mkdtemp()) / "h.csv", {"epoch": [1, 2], "loss": [0.5, None]})
    >>> path.read_text().splitlines()
    ['epoch,loss', '1,0.5', '2,']
    """
    return write_atomic(path, csv_text(columns).encode("utf-8"))
