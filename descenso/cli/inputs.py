"""The data of a training run: a CSV/Parquet file or a built-in dataset, split into train and test.

Files are read and validated by :func:`descenso.data.read` (which infers the task, names missing
columns, bad targets and missing values); the estimator then gets the raw table (so the model file
keeps the column schema and ``descenso predict`` can check new files), and the test rows are kept
aside for the report. Nothing here parses a file itself.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from descenso.cli import console
from descenso.cli.errors import CLIError, ExitCode, user_errors
from descenso.cli.flags import as_flags
from descenso.cli.settings import DEFAULT_DATASET, TrainSettings


@dataclass
class TrainingData:
    """Training and test inputs, ready for ``estimator.fit(X_train, y_train)``.

    ``X_*`` are pandas DataFrames for a file (``y_train`` is then the target's column name and
    ``y_test`` holds the original labels) or float32 arrays for a built-in dataset.
    """

    X_train: Any
    y_train: Any
    X_test: Any
    y_test: Any
    task: str
    target: str
    classes: list[Any] | None
    input_names: list[str]
    source: str
    n_rows: int
    n_dropped: int = 0


def show_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Print caught warnings (a constant column, an interrupted run ...) as ``warning:`` lines."""
    seen = set()
    for item in caught:
        text = as_flags(str(item.message))
        if text not in seen:
            seen.add(text)
            console.info(f"warning: {text}")


def _indices(n: int, labels: np.ndarray, settings: TrainSettings) -> tuple[np.ndarray, np.ndarray]:
    """Seeded train/test row indices, stratified for binary labels."""
    from descenso.data.split import train_test_split

    rows = np.arange(n).reshape(-1, 1)
    fix = "use more data or a different --test-fraction"
    with user_errors(ExitCode.DATA, fix=fix):
        train, test, _, _ = train_test_split(rows, labels, test=settings.test_fraction, rng=settings.seed)
    return train[:, 0], test[:, 0]


def from_dataset(settings: TrainSettings) -> TrainingData:
    """Draw a built-in dataset (seeded) and split it."""
    from descenso import datasets

    name = settings.dataset or DEFAULT_DATASET
    fix = "see the list with `descenso datasets`"
    with user_errors(ExitCode.USAGE, fix=fix):
        X, y, info = datasets.load(name, n=settings.samples, noise=settings.noise, rng=settings.seed)
    if settings.task is not None and settings.task != info.task:
        raise CLIError(f"dataset {name!r} is a {info.task} task, not {settings.task}",
                       fix=f"drop --task, or choose a {settings.task} dataset (see `descenso datasets`)",
                       code=ExitCode.USAGE)  # fmt: skip
    train, test = _indices(len(y), y, settings)
    classes = [0.0, 1.0] if info.task == "binary" else None
    return TrainingData(X[train], y[train], X[test], y[test], info.task, "y", classes,
                        list(info.feature_names), f"built-in dataset {name}", len(y))  # fmt: skip


def _frame(path: Path) -> Any:
    """The file as a pandas DataFrame, read by descenso.data's reader (pyarrow)."""
    from descenso.data.sources import check_path, read_arrow

    return read_arrow(check_path(path)).to_pandas()


def _rows_to_keep(frame: Any, table: Any, target: str) -> np.ndarray:
    """Rows with a target and, unless filled, complete features (what ``data.read`` kept)."""
    from descenso.data.inspect import missing_mask
    from descenso.data.sources import columns_from_frame

    columns = columns_from_frame(frame, "the data")
    keep = ~missing_mask(columns.data[target])
    if table.schema.missing == "drop":
        _, complete = table.schema.encode(columns, on_missing="drop")
        keep &= complete
    return keep


def from_file(settings: TrainSettings) -> TrainingData:
    """Read, validate and split a CSV/Parquet file."""
    from descenso import data

    assert settings.data is not None and settings.target is not None
    path = Path(settings.data)
    missing = None if settings.missing == "error" else settings.missing
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with user_errors(ExitCode.DATA):
                table = data.read(path, target=settings.target, missing=missing, task=settings.task)
                frame = _frame(path)
        except CLIError as error:
            fix = None if error.fix is None else as_flags(error.fix)
            raise CLIError(as_flags(error.message), fix=fix, code=error.code) from None
    show_warnings(caught)
    keep = _rows_to_keep(frame, table, settings.target)
    # With --missing mean the gaps stay: the estimator learns the fill values from its training rows
    # only (never the test rows), keeps them in the model file and fills new data the same way.
    frame = frame.loc[keep].reset_index(drop=True)
    if len(frame) != len(table.y):  # both come from the same rules; a mismatch is a bug here
        raise RuntimeError(f"kept {len(frame)} rows but descenso.data kept {len(table.y)}")
    train, test = _indices(len(frame), table.y, settings)
    features = frame.drop(columns=[settings.target])
    return TrainingData(
        X_train=frame.iloc[train].reset_index(drop=True),
        y_train=settings.target,
        X_test=features.iloc[test].reset_index(drop=True),
        y_test=frame[settings.target].to_numpy()[test],
        task=table.task,
        target=settings.target,
        classes=table.classes,
        input_names=[str(name) for name in features.columns],
        source=path.name,
        n_rows=len(frame) + table.n_dropped,
        n_dropped=table.n_dropped,
    )


def load(settings: TrainSettings) -> TrainingData:
    """The training data the settings name: a file, a built-in dataset, or the built-in default.

    Parameters
    ----------
    settings : TrainSettings
        ``data`` (a CSV/Parquet path, with ``target``), else ``dataset``, else the default.

    Returns
    -------
    TrainingData
        Train and test parts split with ``settings.seed`` (stratified for binary targets).

    Raises
    ------
    CLIError
        Exit code 3 for a missing file or column, unreadable data, a target that does not fit the
        task, missing values (with ``--missing error``); 2 for an unknown dataset.
    """
    return from_file(settings) if settings.data is not None else from_dataset(settings)
