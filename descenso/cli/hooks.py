"""Give the estimator's training loop the command's callbacks and per-epoch metrics.

The estimators call :func:`descenso.train.fit` without callbacks; the command needs one (the progress
bar) and a metric per epoch (accuracy, R²). When the estimator's ``fit`` accepts ``callbacks`` and
``metrics`` they are passed directly; otherwise :func:`training_hooks` adds them to the one call of
``descenso.train.fit`` made inside the block.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator
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


def accepts(function: Callable[..., Any], name: str) -> bool:
    """Whether ``function`` takes a keyword argument ``name``."""
    try:
        return name in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


@contextlib.contextmanager
def training_hooks(callbacks: list[Any], metrics: list[Any]) -> Iterator[None]:
    """Within the block, calls of ``descenso.train.fit`` also get ``callbacks`` and ``metrics``."""
    import descenso.train as train_module

    original = train_module.fit

    def fit_with_hooks(*args: Any, **kwargs: Any) -> Any:
        kwargs["callbacks"] = [*kwargs.get("callbacks", ()), *callbacks]
        kwargs["metrics"] = [*kwargs.get("metrics", ()), *metrics]
        return original(*args, **kwargs)

    train_module.fit = fit_with_hooks  # type: ignore[assignment]
    try:
        yield
    finally:
        train_module.fit = original  # type: ignore[assignment]


def fit_estimator(estimator: Any, X: Any, y: Any, callbacks: list[Any], metrics: list[Any]) -> Any:
    """``estimator.fit(X, y)`` with the callbacks and metrics reaching the training loop.

    Parameters
    ----------
    estimator : Regressor or BinaryClassifier
    X, y
        As for ``estimator.fit``.
    callbacks : list
        ``descenso.train.fit`` callbacks (e.g. :class:`~descenso.cli.progress.EpochProgress`).
    metrics : list
        Metric names or callables computed every epoch on the training and validation data.

    Returns
    -------
    The fitted estimator.
    """
    if accepts(estimator.fit, "callbacks"):
        extra = {"callbacks": callbacks}
        if accepts(estimator.fit, "metrics"):
            extra["metrics"] = metrics
        return estimator.fit(X, y, **extra)
    with training_hooks(callbacks, metrics):
        return estimator.fit(X, y)
