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

from descenso.metrics._checks import UndefinedMetricWarning
from descenso.metrics.classification import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    log_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)
from descenso.metrics.regression import (
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
)

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
