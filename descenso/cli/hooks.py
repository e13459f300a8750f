"""The metric the command shows per epoch, passed as ``estimator.fit(..., metrics=...)``.

The estimators hand ``callbacks`` and ``metrics`` to :func:`descenso.train.fit`, which computes the
metric on the network's raw output every epoch; the progress bar (a callback) shows it.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def r2(y_true: Any, output: Any) -> float:
    """R² of raw network outputs (scale-free, so a standardised target gives the same value).

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.cli.hooks import r2
    >>> round(r2(np.array([1.0, 2.0, 3.0]), np.array([[1.0], [2.0], [4.0]])), 4)
    0.5
    """
    t = np.asarray(y_true, dtype=np.float64).ravel()
    p = np.asarray(output, dtype=np.float64).ravel()
    total = float(np.sum((t - t.mean()) ** 2))
    return float("nan") if total == 0 else 1.0 - float(np.sum((t - p) ** 2)) / total


def epoch_metrics(task: str) -> list[str | Callable[..., float]]:
    """The metric shown per epoch: accuracy for binary classification, R² for regression."""
    return ["accuracy"] if task == "binary" else [r2]
