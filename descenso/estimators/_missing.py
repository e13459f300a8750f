"""Missing values as a learned part of the model: ``missing=None | "drop" | "mean"``.

The estimators see missing values as NaN in the encoded input (a missing text value is NaN in
its whole one-hot block). ``"drop"`` leaves incomplete rows out of training; ``"mean"`` learns
one fill value per encoded column from the training rows only, keeps it (``fill_values_``, saved
in the model file) and fills new data with it at predict time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["drop_incomplete", "fit_fill_values", "fill"]


def drop_incomplete(
    X: np.ndarray, target: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The rows of ``X`` without NaN, with their targets and weights.

    Raises
    ------
    ValueError
        When every row has a missing value.
    """
    complete = ~np.isnan(X).any(axis=1)
    if complete.all():
        return X, target, weights
    if not complete.any():
        raise ValueError(
            f"every one of the {len(X)} rows of X has a missing value, so missing='drop' leaves "
            "nothing to train on. Use missing='mean', or drop the columns that are mostly empty"
        )
    return X[complete], target[complete], None if weights is None else weights[complete]


def fit_fill_values(X: np.ndarray, schema: Any = None) -> np.ndarray:
    """One fill value per column of the encoded ``X``: the mean of its present values.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_columns)
        The training rows, NaN where a value is missing.
    schema : descenso.data.TableSchema, optional
        How a table was encoded; a one-hot block then gets the indicator of its most frequent
        category, so a missing text value is filled with that category (as ``descenso.data.read``
        does), not with a blend of categories.

    Returns
    -------
    ndarray of shape (n_columns,), float64

    Raises
    ------
    ValueError
        For a column with no value at all in the training rows (nothing to average).

    Notes
    -----
    ``fill_j = mean_{i: x_ij present} x_ij``; for a block of indicators ``e_1 ... e_k`` of one text
    column, ``fill = e_c`` with ``c = argmax_j mean(e_j)`` (ties: the first category in sorted order).
    """
    present = ~np.isnan(X)
    counts = present.sum(axis=0)
    if (counts == 0).any():
        names = None if schema is None else schema.feature_names
        column = int(np.flatnonzero(counts == 0)[0])
        label = f"column {column}" if names is None else f"column '{names[column]}'"
        raise ValueError(
            f"{label} of X has no value in the training rows, so missing='mean' has nothing to "
            "average; drop that column"
        )
    means = np.where(present, X, 0.0).sum(axis=0, dtype=np.float64) / counts
    if schema is None:
        return means
    start = 0
    for column in schema.columns:
        width = len(column["categories"]) if column["kind"] == "categorical" else 1
        if column["kind"] == "categorical" and width:
            block = np.zeros(width)
            block[int(np.argmax(means[start : start + width]))] = 1.0
            means[start : start + width] = block
        start += width
    return means


def fill(X: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``X`` with each NaN replaced by its column's fill value (a new array; X is unchanged)."""
    missing = np.isnan(X)
    if not missing.any():
        return X
    return np.where(missing, values.astype(X.dtype), X)
