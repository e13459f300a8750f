"""Regression and binary-classification metrics, with scikit-learn's names and semantics.

Every function here returns the same number as its scikit-learn namesake (checked to 1e-12 in the
tests) but needs only NumPy. Values are computed in float64. Inputs are checked once, up front:
lengths must match, numbers must be finite, and the classification metrics that are defined for two
classes refuse three or more labels with a message saying so.

Where scikit-learn returns an undefined value with a warning (R² of one sample, ROC AUC with one class,
precision with no predicted positives, ...), descenso does the same, with
:class:`UndefinedMetricWarning`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "UndefinedMetricWarning",
    "mean_squared_error",
    "root_mean_squared_error",
    "mean_absolute_error",
    "r2_score",
    "accuracy_score",
    "precision_score",
    "recall_score",
    "f1_score",
    "roc_auc_score",
    "log_loss",
    "confusion_matrix",
]


class UndefinedMetricWarning(UserWarning):
    """A metric is undefined for this input; a conventional value (0, 1 or NaN) was returned."""


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


# ---------------------------------------------------------------------------- regression


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


# ---------------------------------------------------------------------------- classification
# Probabilistic metrics (ROC AUC, log-loss) live in descenso/metrics.py's second half, below.


def accuracy_score(
    y_true: ArrayLike, y_pred: ArrayLike, *, normalize: bool = True, sample_weight: ArrayLike | None = None
) -> float:
    """Fraction (or weighted count) of samples whose predicted label equals the true one.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n_samples,)
        Class labels: integers, booleans, integer-valued floats or strings. Any number of classes.
    normalize : bool, default True
        Return the fraction; when False, the (weighted) number of correct predictions.
    sample_weight : array_like of shape (n_samples,), optional

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For different lengths, NaN, continuous (non-integer) values, or mixed strings and numbers.

    Examples
    --------
    >>> accuracy_score([0, 1, 1, 0], [0, 1, 0, 0])
    0.75
    """
    true, pred, _ = _label_pair(y_true, y_pred)
    return float(_average((true == pred).astype(np.float64), _weights(sample_weight, len(true)), normalize))


def _positive_counts(y_true: ArrayLike, y_pred: ArrayLike, pos_label: Any, sample_weight: Any):
    """Weighted (true positives, predicted positives, actual positives) for a binary task."""
    true, pred, present = _label_pair(y_true, y_pred)
    _require_binary(present, "y_true and y_pred together")
    if len(present) == 2 and pos_label not in present:
        raise ValueError(
            f"pos_label={pos_label!r} is not one of the labels {present.tolist()}; pass pos_label="
        )
    weights = _weights(sample_weight, len(true))
    w = np.ones(len(true)) if weights is None else weights
    is_true, is_pred = true == pos_label, pred == pos_label
    return float(np.sum(w[is_true & is_pred])), float(np.sum(w[is_pred])), float(np.sum(w[is_true]))


def precision_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    pos_label: Any = 1,
    sample_weight: ArrayLike | None = None,
    zero_division: Any = "warn",
) -> float:
    """Precision ``TP / (TP + FP)``: of the samples predicted positive, the fraction that are.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n_samples,)
        Binary labels (at most two distinct values across both).
    pos_label : int, float, bool or str, default 1
        The label of the positive class.
    sample_weight : array_like of shape (n_samples,), optional
        Counts become sums of weights.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default "warn"
        The value when nothing is predicted positive (0/0). "warn" returns 0.0 with an
        :class:`UndefinedMetricWarning`; a number returns that number silently.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For three or more labels, a ``pos_label`` that is not one of two present labels, or the
        input errors of :func:`accuracy_score`.

    Examples
    --------
    >>> precision_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    tp, predicted, _ = _positive_counts(y_true, y_pred, pos_label, sample_weight)
    return _divide(tp, predicted, zero_division, "precision is undefined: no sample is predicted positive")


def recall_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    pos_label: Any = 1,
    sample_weight: ArrayLike | None = None,
    zero_division: Any = "warn",
) -> float:
    """Recall ``TP / (TP + FN)``: of the positive samples, the fraction predicted positive.

    Parameters, Returns and Raises are those of :func:`precision_score`; the 0/0 case is a ``y_true``
    without positive samples.

    Examples
    --------
    >>> recall_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    tp, _, actual = _positive_counts(y_true, y_pred, pos_label, sample_weight)
    return _divide(tp, actual, zero_division, "recall is undefined: y_true has no positive sample")


def f1_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    pos_label: Any = 1,
    sample_weight: ArrayLike | None = None,
    zero_division: Any = "warn",
) -> float:
    """F1 score, the harmonic mean of precision and recall, ``2 TP / (2 TP + FP + FN)``.

    Parameters, Returns and Raises are those of :func:`precision_score`; the 0/0 case is no positive
    sample in either ``y_true`` or ``y_pred``.

    Examples
    --------
    >>> f1_score([0, 1, 1, 0], [1, 1, 1, 0])
    0.8
    """
    tp, predicted, actual = _positive_counts(y_true, y_pred, pos_label, sample_weight)
    return _divide(2 * tp, predicted + actual, zero_division, "F1 is undefined: no positive sample at all")


def confusion_matrix(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
    normalize: str | None = None,
) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class ``labels[i]`` predicted as ``labels[j]``.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n_samples,)
        Class labels.
    labels : array_like, optional
        The classes, in the order of the rows and columns. Default: the sorted labels present in
        ``y_true`` or ``y_pred``. For a binary task with labels 0 and 1 the result is
        ``[[TN, FP], [FN, TP]]``; pass ``labels=[0, 1]`` to get that 2x2 layout even when only one
        class occurs. Samples whose labels are not listed are left out.
    sample_weight : array_like of shape (n_samples,), optional
        Counts become sums of weights.
    normalize : {None, "true", "pred", "all"}
        Divide by the row sums ("true"), the column sums ("pred") or the total; 0/0 gives 0.

    Returns
    -------
    numpy.ndarray of shape (n_labels, n_labels)
        int64 counts, or float64 with float weights or ``normalize``.

    Raises
    ------
    ValueError
        For an empty or repeated ``labels``, labels none of which occur in ``y_true``, or the input
        errors of :func:`accuracy_score`.

    Notes
    -----
    As scikit-learn, a 1x1 matrix comes back, with a ``UserWarning``, when ``labels`` is not given and
    only one label occurs.

    Examples
    --------
    >>> confusion_matrix([0, 1, 1, 0, 1], [0, 1, 0, 1, 1])
    array([[1, 1],
           [1, 2]])
    """
    true, pred, present = _label_pair(y_true, y_pred)
    weights = _weights(sample_weight, len(true))
    classes = present if labels is None else _labels("labels", labels)
    if len(np.unique(classes)) != len(classes):
        raise ValueError(f"labels has repeated values: {classes.tolist()}")
    if labels is not None and not np.isin(true, classes).any():
        raise ValueError(f"none of labels={classes.tolist()} occurs in y_true; pass the labels of y_true")
    if labels is None and len(classes) == 1:
        warnings.warn(
            f"only the label {classes.tolist()[0]!r} occurs, so the matrix is 1x1; "
            "pass labels=[...] with every class to get the full shape",
            UserWarning,
            2,
        )
    # Map each label to its row/column by searching the sorted classes.
    order = np.argsort(classes, kind="stable")
    k = len(classes)
    rows = order[np.clip(np.searchsorted(classes[order], true), 0, k - 1)]
    cols = order[np.clip(np.searchsorted(classes[order], pred), 0, k - 1)]
    keep = (classes[rows] == true) & (classes[cols] == pred)
    use_float = weights is not None and np.asarray(sample_weight).dtype.kind == "f"
    counts = np.bincount(
        rows[keep] * k + cols[keep], weights=None if weights is None else weights[keep], minlength=k * k
    ).reshape(k, k)
    matrix = counts.astype(np.float64 if use_float else np.int64)
    if normalize is None:
        return matrix
    if normalize not in ("true", "pred", "all"):
        raise ValueError(f'normalize must be None, "true", "pred" or "all"; got {normalize!r}')
    axis = {"true": 1, "pred": 0, "all": None}[normalize]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = matrix / matrix.sum(axis=axis, keepdims=axis is not None)
    return np.nan_to_num(ratio)


# ---------------------------------------------------------------------------- scores and probabilities


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


def roc_auc_score(y_true: ArrayLike, y_score: ArrayLike, *, sample_weight: ArrayLike | None = None) -> float:
    """Area under the ROC curve: the probability that a positive scores above a negative.

    Parameters
    ----------
    y_true : array_like of shape (n_samples,)
        Binary labels; the larger label (sorted order, e.g. 1 of {0, 1}, "yes" of {"no", "yes"}) is
        the positive class, as in scikit-learn.
    y_score : array_like of shape (n_samples,)
        Scores or probabilities of the positive class (any monotone score gives the same AUC).
    sample_weight : array_like of shape (n_samples,), optional

    Returns
    -------
    float
        NaN with an :class:`UndefinedMetricWarning` when ``y_true`` (weighted) has one class only.

    Raises
    ------
    ValueError
        For three or more labels, different lengths, NaN or infinite scores.

    Notes
    -----
    Ties count one half. With midranks ``r_i`` of the scores (tied scores share their mean rank),
    ``AUC = (sum_{i positive} r_i - n_pos (n_pos + 1) / 2) / (n_pos n_neg)`` (Mann-Whitney U). With
    weights this generalises to ``sum_{i pos, j neg} w_i w_j ([s_i > s_j] + [s_i = s_j] / 2) /
    (W_pos W_neg)``, computed in O(n log n) by sorting and grouping equal scores.

    Examples
    --------
    >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    >>> roc_auc_score([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])  # a tie counts one half
    0.875
    """
    positive, _ = _binary_targets(y_true)
    score = _scores("y_score", y_score)
    _check_lengths(y_true=positive, y_score=score)
    weights = _weights(sample_weight, len(score))
    w = np.ones(len(score)) if weights is None else weights
    order = np.argsort(score, kind="stable")
    sorted_score, w_pos, w_neg = score[order], (w * positive)[order], (w * ~positive)[order]
    starts = np.flatnonzero(np.r_[True, sorted_score[1:] != sorted_score[:-1]])  # one group per value
    pos_group, neg_group = np.add.reduceat(w_pos, starts), np.add.reduceat(w_neg, starts)
    total_pos, total_neg = pos_group.sum(), neg_group.sum()
    if total_pos == 0 or total_neg == 0:
        warnings.warn(
            "ROC AUC is undefined when y_true has only one class (with non-zero weight); returning NaN",
            UndefinedMetricWarning,
            2,
        )
        return float("nan")
    neg_below = np.cumsum(neg_group) - neg_group
    return float(np.sum(pos_group * (neg_below + 0.5 * neg_group)) / (total_pos * total_neg))


def log_loss(
    y_true: ArrayLike,
    y_proba: ArrayLike,
    *,
    normalize: bool = True,
    sample_weight: ArrayLike | None = None,
    labels: ArrayLike | None = None,
) -> float:
    """Binary cross-entropy of predicted probabilities, ``-mean_i log p_i(y_i)``.

    Parameters
    ----------
    y_true : array_like of shape (n_samples,)
        Binary labels.
    y_proba : array_like of shape (n_samples,) or (n_samples, 2)
        Probabilities of the positive (larger) label, or ``predict_proba``'s two columns in sorted
        label order. Must lie in [0, 1].
    normalize : bool, default True
        Return the (weighted) mean; when False, the (weighted) sum.
    sample_weight : array_like of shape (n_samples,), optional
    labels : array_like, optional
        The two classes, needed when ``y_true`` holds only one of them.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For probabilities outside [0, 1], one class without ``labels``, three or more classes,
        ``y_true`` values missing from ``labels``, different lengths, NaN.

    Notes
    -----
    Probabilities are clipped to ``[eps, 1 - eps]`` with ``eps = np.finfo(np.float64).eps``
    (about 2.2e-16) before the logarithm, so a confident wrong prediction costs at most
    ``-log(eps) ~ 36.04``, not infinity. This is scikit-learn's rule for float64 input; descenso
    always computes in float64 (scikit-learn clips float32 input at float32's eps instead). With a
    1-D ``y_proba``, ``P(negative) = 1 - p`` is formed before clipping. Rows of a 2-column
    ``y_proba`` that do not sum to one give a ``UserWarning``, as in scikit-learn.

    Examples
    --------
    >>> round(log_loss([0, 1, 1], [0.1, 0.8, 0.6]), 6)
    0.279777
    """
    true = _labels("y_true", y_true)
    proba = _numbers("y_proba", y_proba)
    _check_lengths(y_true=true, y_proba=proba)
    if proba.max() > 1 or proba.min() < 0:
        raise ValueError(f"y_proba must lie in [0, 1]; got values in [{proba.min()}, {proba.max()}]")
    weights = _weights(sample_weight, len(true))
    classes = np.unique(true if labels is None else _labels("labels", labels))
    if labels is not None and not np.isin(true, classes).all():
        raise ValueError(f"y_true has values {np.setdiff1d(true, classes).tolist()} missing from labels")
    _require_binary(classes, "y_true" if labels is None else "labels")
    if len(classes) < 2:
        where = "y_true contains only" if labels is None else "labels has only"
        raise ValueError(f"{where} the label {classes.tolist()[0]!r}; pass labels=[...] with both classes")
    if proba.ndim == 1 or proba.shape[1] == 1:
        positive_proba = proba.reshape(-1)
        proba = np.stack([1 - positive_proba, positive_proba], axis=1)  # (n, 2)
    elif proba.shape[1] != 2:
        raise ValueError(f"y_proba must have 1 or 2 columns for a binary task; got {proba.shape[1]}")
    elif not np.allclose(proba.sum(axis=1), 1.0, rtol=np.sqrt(np.finfo(np.float64).eps), atol=0):
        warnings.warn("rows of y_proba do not sum to one; pass probabilities", UserWarning, 2)
    eps = np.finfo(np.float64).eps
    chosen = proba[np.arange(len(true)), (true == classes[1]).astype(np.intp)]
    return float(_average(-np.log(np.clip(chosen, eps, 1 - eps)), weights, normalize))
