"""``descenso train DATA --stream``: a file larger than memory, read a few pieces at a time.

The file becomes a :class:`descenso.data.Stream`: its test and validation rows are held out by
the stream's seeded rule (``--seed``; ``--test-fraction`` of all rows, ``--val-fraction`` of the
rest), its encoding and scaling are learned in one pass, and the estimator trains on it in
mini-batches. The test report is computed on the test rows, of which at most
:data:`REPORT_ROWS` are kept in memory (the first ones, in file order).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.cli.errors import CLIError, ExitCode, user_errors
from descenso.cli.inputs import TrainingData
from descenso.cli.settings import TrainSettings

__all__ = ["from_stream", "REPORT_ROWS"]

#: The most test rows the report holds (and predicts on) at once.
REPORT_ROWS = 200_000


def from_stream(settings: TrainSettings) -> TrainingData:
    """The settings' file as a Stream to train on, and (up to REPORT_ROWS of) its test rows as a frame.

    Raises
    ------
    CLIError
        Exit code 2 for settings a stream cannot take; 3 for a file that cannot be read or learned.
    """
    from descenso.data import Stream

    if settings.class_weight is not None or [f for f in settings.features if f not in ("standardize",)]:
        raise CLIError(
            "--stream learns only the one-hot encoding and the scaling in its one pass",
            fix="leave out --class-weight and --features, or train in memory without --stream",
            code=ExitCode.USAGE,
        )
    test = settings.test_fraction
    validation = settings.val_fraction * (1 - test) if settings.early_stopping else 0.0
    missing = None if settings.missing == "error" else settings.missing
    with user_errors(ExitCode.DATA):
        stream = Stream(settings.data, target=str(settings.target), validation=validation, test=test,
                        seed=settings.seed, missing=missing, task=settings.task,
                        standardize=True)  # fmt: skip
        stream.learn()  # each rank makes the pass itself: the same summary of the same file
        stream.standardize_target = stream.schema.task == "regression"
        X_test, y_test = _test_frame(stream, missing)
    names = [column["name"] for column in stream.schema.columns]
    return TrainingData(
        X_train=stream.train,
        y_train=None,
        X_test=X_test,
        y_test=y_test,
        task=stream.schema.task,
        target=str(settings.target),
        classes=stream.schema.classes,
        input_names=names,
        source=stream.pieces.path.name,
        n_rows=stream.n + stream.validation_rows.n + stream.test_rows.n,
    )


def _test_frame(stream: Any, missing: str | None) -> tuple[Any, np.ndarray]:
    """The first REPORT_ROWS test rows, as raw columns (what ``predict`` takes), and their targets."""
    import pandas as pd

    names = [column["name"] for column in stream.schema.columns] + [stream.target]
    parts, count = [], 0
    for piece in range(len(stream.pieces)):
        offset = int(stream._learned["offsets"][piece])
        rows = stream.test_rows._part_ids(piece) - offset
        if len(rows):
            cols = stream.pieces.read(piece, names, offset)
            parts.append(pd.DataFrame({name: cols.data[name][rows] for name in names}))
            count += len(rows)
        if count >= REPORT_ROWS:
            break
    if not parts:
        raise CLIError("the test fraction holds out no rows of this file", fix="raise --test-fraction",
                       code=ExitCode.DATA)  # fmt: skip
    frame = pd.concat(parts, ignore_index=True).iloc[:REPORT_ROWS]
    if missing == "drop":
        frame = frame.dropna().reset_index(drop=True)
    y = frame.pop(stream.target).to_numpy()
    return frame, y
