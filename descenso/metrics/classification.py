"""Binary-classification metrics, from labels and from scores.

From predicted labels: accuracy, precision, recall, F1 and the confusion matrix; from scores or
probabilities of the positive class: ROC AUC and log-loss.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from descenso.metrics._checks import (
    UndefinedMetricWarning,
    _average,
    _binary_targets,
    _check_lengths,
    _divide,
    _label_pair,
    _labels,
    _numbers,
    _require_binary,
    _scores,
    _weights,
)

__all__ = [
    "accuracy_score",
    "precision_score",
    "recall_score",
    "f1_score",
    "confusion_matrix",
    "roc_auc_score",
    "log_loss",
]


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
