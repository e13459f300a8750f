"""Regression metrics: mean squared and absolute error, their root, and R²."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from descenso.metrics._checks import UndefinedMetricWarning, _average, _check_lengths, _numbers, _weights

__all__ = ["mean_squared_error", "root_mean_squared_error", "mean_absolute_error", "r2_score"]


def _regression_inputs(y_true: ArrayLike, y_pred: ArrayLike, sample_weight: ArrayLike | None):
    true, pred = _numbers("y_true", y_true), _numbers("y_pred", y_pred)
    _check_lengths(y_true=true, y_pred=pred)
    true, pred = true.reshape(len(true), -1), pred.reshape(len(pred), -1)  # (n, outputs)
    if true.shape != pred.shape:
        raise ValueError(
            f"y_true has {true.shape[1]} outputs and y_pred has {pred.shape[1]}; they must match"
        )
    return true, pred, _weights(sample_weight, len(true))


def _combine(per_output: np.ndarray, multioutput: str) -> Any:
    if multioutput == "raw_values":
        return per_output
    if multioutput == "uniform_average":
        return float(np.mean(per_output))
    raise ValueError(f'multioutput must be "uniform_average" or "raw_values"; got {multioutput!r}')


def mean_squared_error(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sample_weight: ArrayLike | None = None,
    multioutput: str = "uniform_average",
) -> Any:
    """Mean squared error, ``sum_i w_i (y_i - p_i)**2 / sum_i w_i``.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n_samples,) or (n_samples, n_outputs)
        Targets and predictions; (n,) and (n, 1) are interchangeable.
    sample_weight : array_like of shape (n_samples,), optional
        Weights ``w_i`` (default all ones).
    multioutput : {"uniform_average", "raw_values"}
        Average the per-output errors, or return them as an array.

    Returns
    -------
    float or numpy.ndarray

    Raises
    ------
    ValueError
        For different lengths, NaN or infinite values, an empty input, or weights summing to zero.

    Examples
    --------
    >>> mean_squared_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    0.375
    """
    true, pred, weights = _regression_inputs(y_true, y_pred, sample_weight)
    return _combine(_average((true - pred) ** 2, weights), multioutput)


def root_mean_squared_error(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sample_weight: ArrayLike | None = None,
    multioutput: str = "uniform_average",
) -> Any:
    """Root mean squared error: the square root of :func:`mean_squared_error`, per output.

    Parameters, Returns and Raises are those of :func:`mean_squared_error`.

    Notes
    -----
    With several outputs the square root is taken per output, then averaged (as scikit-learn).

    Examples
    --------
    >>> root_mean_squared_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    0.6123724356957945
    """
    true, pred, weights = _regression_inputs(y_true, y_pred, sample_weight)
    return _combine(np.sqrt(_average((true - pred) ** 2, weights)), multioutput)


def mean_absolute_error(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sample_weight: ArrayLike | None = None,
    multioutput: str = "uniform_average",
) -> Any:
    """Mean absolute error, ``sum_i w_i |y_i - p_i| / sum_i w_i``.

    Parameters, Returns and Raises are those of :func:`mean_squared_error`.

    Examples
    --------
    >>> mean_absolute_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    0.5
    """
    true, pred, weights = _regression_inputs(y_true, y_pred, sample_weight)
    return _combine(_average(np.abs(true - pred), weights), multioutput)


def r2_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sample_weight: ArrayLike | None = None,
    multioutput: str = "uniform_average",
) -> Any:
    """Coefficient of determination R², ``1 - SS_res / SS_tot``.

    Parameters, Returns and Raises are those of :func:`mean_squared_error`.

    Notes
    -----
    ``SS_res = sum_i w_i (y_i - p_i)**2`` and ``SS_tot = sum_i w_i (y_i - ybar)**2`` with ``ybar`` the
    weighted mean of ``y``. As scikit-learn (``force_finite=True``): a constant ``y`` (``SS_tot = 0``)
    scores 1.0 when predicted perfectly and 0.0 otherwise; fewer than two samples give NaN with an
    :class:`UndefinedMetricWarning`.

    Examples
    --------
    >>> r2_score([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    0.9486081370449679
    """
    true, pred, weights = _regression_inputs(y_true, y_pred, sample_weight)
    if len(true) < 2:
        warnings.warn(
            "R² is not defined for fewer than two samples; returning NaN", UndefinedMetricWarning, 2
        )
        return float("nan")
    w = np.ones(len(true)) if weights is None else weights
    residual = np.sum(w[:, None] * (true - pred) ** 2, axis=0)
    total = np.sum(w[:, None] * (true - _average(true, weights)) ** 2, axis=0)
    safe = np.where(total == 0, 1.0, total)
    scores = np.where(total == 0, np.where(residual == 0, 1.0, 0.0), 1.0 - residual / safe)
    return _combine(scores, multioutput)
