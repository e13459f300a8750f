"""Class labels for the binary classifier: which two classes, their 0/1 codes, and class weights."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["binary_classes", "encode", "class_weights"]


def _counts(labels: np.ndarray, limit: int = 10) -> str:
    values, counts = np.unique(labels, return_counts=True)
    shown = ", ".join(
        f"{v!r}: {c}" if isinstance(v, str) else f"{v}: {c}"
        for v, c in zip(values[:limit], counts[:limit], strict=True)
    )
    return shown + (f", ... ({len(values) - limit} more)" if len(values) > limit else "")


def _unique(labels: np.ndarray) -> np.ndarray:
    try:
        return np.unique(labels)
    except TypeError:  # e.g. strings mixed with numbers in an object array
        kinds = sorted({type(v).__name__ for v in labels})
        raise ValueError(
            f"Unknown label type: mixed. y mixes {', '.join(kinds)} labels; use one type, e.g. all strings"
        ) from None


def binary_classes(labels: np.ndarray, classes: Any = None) -> np.ndarray:
    """The two sorted class labels of ``labels`` (or of ``classes`` when given).

    Raises
    ------
    ValueError
        For continuous values, NaN, or anything but exactly two classes; the message
        lists the classes found with their counts.
    """
    if labels.dtype.kind == "f" or labels.dtype.kind == "c":
        if not np.isfinite(labels).all():
            raise ValueError("Input y contains NaN or infinity; class labels must be finite")
        if (labels != np.round(labels)).any():
            example = labels[labels != np.round(labels)][0]
            raise ValueError(
                f"Unknown label type: continuous. y holds non-integer values such as {example:g}; "
                "BinaryClassifier needs two class labels. For a numeric target use Regressor"
            )
    found = _unique(labels)
    if classes is not None:
        declared = _unique(np.asarray(classes))
        unknown = [v for v in found if v not in declared]
        if len(declared) != 2 or unknown:
            raise ValueError(
                f"classes={list(declared)} must list exactly the two labels of y; y holds {_counts(labels)}"
            )
        return declared
    if len(found) == 1:
        raise ValueError(
            f"Classifier can't train when only one class is present: y has 1 class ({_counts(labels)}). "
            "BinaryClassifier needs samples of both classes (partial_fit: pass classes=[a, b])"
        )
    if len(found) > 2:
        raise ValueError(
            f"Only binary classification is supported. The type of the target is multiclass: y has "
            f"{len(found)} classes ({_counts(labels)}). Merge the labels into two, or fit one "
            "BinaryClassifier per class (one-vs-rest)"
        )
    return found


def encode(labels: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """0.0 for ``classes[0]``, 1.0 for ``classes[1]``; a label seen in neither raises ValueError."""
    positive = labels == classes[1]
    unknown = ~(positive | (labels == classes[0]))
    if unknown.any():
        raise ValueError(
            f"y holds labels not seen in the first fit: {_counts(labels[unknown])}; the classes are "
            f"{list(classes)}"
        )
    return positive.astype(np.float64)


def class_weights(class_weight: Any, target: np.ndarray, classes: np.ndarray) -> np.ndarray | None:
    """Per-sample weights from ``class_weight`` (None, "balanced" or {label: weight}), or None.

    Notes
    -----
    "balanced" gives class ``c`` the weight ``n / (2 n_c)``, so both classes weigh the same in total.
    """
    if class_weight is None:
        return None
    if isinstance(class_weight, str):  # "balanced", checked with the other parameters
        counts = np.bincount(target.astype(int), minlength=2).astype(np.float64)
        per_class = len(target) / (2.0 * np.maximum(counts, 1.0))
    else:
        unknown = [key for key in class_weight if key not in list(classes)]
        if unknown:
            raise ValueError(f"class_weight has labels {unknown} that are not classes of y {list(classes)}")
        per_class = np.array([float(class_weight.get(label, 1.0)) for label in classes])
        if (per_class < 0).any() or not np.isfinite(per_class).all():
            raise ValueError(f"class_weight values must be finite and >= 0; got {class_weight}")
    return per_class[target.astype(int)]
