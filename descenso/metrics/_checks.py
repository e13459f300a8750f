"""Input checks shared by the metrics: finite numbers, labels, lengths and weights, checked once.

Each helper raises the user's error (``TypeError`` for the wrong kind of values, ``ValueError`` for
wrong values or shapes) with what was expected and what was given.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike


class UndefinedMetricWarning(UserWarning):
    """A metric is undefined for this input; a conventional value (0, 1 or NaN) was returned."""


UndefinedMetricWarning.__module__ = "descenso.metrics"  # its public home, shown in warnings and reprs


# ---------------------------------------------------------------------------- input checks


def _numbers(name: str, values: ArrayLike) -> np.ndarray:
    """``values`` as a finite float64 array of shape (n,) or (n, k), n >= 1."""
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers; got an array of dtype {array.dtype}")
    array = array.astype(np.float64, copy=False)
    if array.ndim not in (1, 2):
        raise ValueError(f"{name} must be 1-D (n,) or 2-D (n, outputs); got shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} is empty; metrics need at least one sample")
    _check_finite(name, array)
    return array


def _check_finite(name: str, array: np.ndarray) -> None:
    bad = ~np.isfinite(array)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = index[0] if len(index) == 1 else index
        raise ValueError(f"{name} contains {array[index]} at index {where}; metrics need finite numbers")


def _check_lengths(**arrays: np.ndarray) -> None:
    lengths = {name: len(array) for name, array in arrays.items() if array is not None}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"inconsistent numbers of samples: {listed}; they must have the same length")


def _weights(sample_weight: ArrayLike | None, n: int) -> np.ndarray | None:
    """Validated float64 weights of shape (n,), or None."""
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight)
    if weights.dtype.kind not in "biuf":
        raise TypeError(f"sample_weight must hold numbers; got an array of dtype {weights.dtype}")
    weights = weights.astype(np.float64, copy=False)
    if weights.ndim != 1:
        raise ValueError(f"sample_weight must be 1-D (n_samples,); got shape {weights.shape}")
    _check_lengths(samples=np.empty(n), sample_weight=weights)
    _check_finite("sample_weight", weights)
    if not weights.any():
        raise ValueError("sample_weight is all zeros; at least one sample needs a non-zero weight")
    return weights


def _average(values: np.ndarray, weights: np.ndarray | None, normalize: bool = True) -> Any:
    """Mean (or sum when ``normalize`` is False) over axis 0, weighted by ``weights``."""
    if weights is None:
        return values.mean(axis=0) if normalize else values.sum(axis=0)
    shaped = weights.reshape((-1,) + (1,) * (values.ndim - 1))
    total = np.sum(values * shaped, axis=0)
    if not normalize:
        return total
    scale = weights.sum()
    if scale == 0:
        raise ValueError("sample_weight sums to zero; the weighted mean is undefined")
    return total / scale


def _labels(name: str, values: ArrayLike) -> np.ndarray:
    """Class labels as a 1-D array: numbers with integer values, booleans or strings."""
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]  # a column vector (n, 1) holds one label per row
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D class labels (n_samples,); got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty; metrics need at least one sample")
    if array.dtype.kind == "f":
        _check_finite(name, array)
        if np.any(array != np.round(array)):
            raise ValueError(
                f"{name} holds continuous values (e.g. {array[array != np.round(array)][0]}); "
                "classification metrics need class labels. Threshold scores first, e.g. proba >= 0.5"
            )
    elif array.dtype.kind not in "biuUSO":
        raise TypeError(f"{name} must hold class labels; got an array of dtype {array.dtype}")
    return array


def _label_pair(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checked labels and the sorted labels present in either."""
    true, pred = _labels("y_true", y_true), _labels("y_pred", y_pred)
    _check_lengths(y_true=true, y_pred=pred)
    if (true.dtype.kind in "biuf") != (pred.dtype.kind in "biuf"):
        raise ValueError(
            f"y_true holds {true.dtype} labels and y_pred holds {pred.dtype} labels; "
            "use the same kind of labels (both numbers or both strings)"
        )
    try:
        present = np.unique(np.concatenate([true, pred]))
    except TypeError as error:  # object arrays mixing strings and numbers
        raise ValueError(f"labels must be all numbers or all strings: {error}") from None
    return true, pred, present


def _require_binary(present: np.ndarray, where: str) -> None:
    if len(present) > 2:
        raise ValueError(
            f"{where} holds {len(present)} distinct labels {present.tolist()}; this metric is for "
            "binary classification (at most two labels)"
        )


def _divide(numerator: float, denominator: float, zero_division: Any, message: str) -> float:
    """``numerator / denominator``; on 0/0 return ``zero_division`` (0.0 with a warning for "warn")."""
    if denominator != 0:
        return float(numerator / denominator)
    if isinstance(zero_division, str):
        if zero_division != "warn":
            raise ValueError(f'zero_division must be "warn", 0.0, 1.0 or np.nan; got {zero_division!r}')
        warnings.warn(
            f"{message}; returning 0.0. Pass zero_division to choose the value", UndefinedMetricWarning, 2
        )
        return 0.0
    if zero_division in (0, 1) or np.isnan(zero_division):
        return float(zero_division)
    raise ValueError(f'zero_division must be "warn", 0.0, 1.0 or np.nan; got {zero_division!r}')


def _binary_targets(y_true: ArrayLike, name: str = "y_true") -> tuple[np.ndarray, np.ndarray]:
    """``(is_positive (n,) bool, classes)`` with the larger label positive (as scikit-learn)."""
    true = _labels(name, y_true)
    classes = np.unique(true)
    _require_binary(classes, name)
    return true == classes[-1], classes


def _scores(name: str, values: ArrayLike) -> np.ndarray:
    """Scores of the positive class as a finite float64 (n,) array; (n, 1) is accepted."""
    array = _numbers(name, values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{name} must have shape (n_samples,) for a binary task; got {array.shape}")
    return array
