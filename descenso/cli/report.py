"""Test metrics and the PNG plots of a report, shared by ``descenso train`` and ``descenso evaluate``.

Binary classification: accuracy, precision, recall, F1, ROC AUC, log loss and the confusion matrix;
plots ``roc.png``, ``reliability.png`` (the reliability diagram, with the log-loss),
``confusion_matrix.png`` and, for 2-feature data, ``decision_boundary.png``.
Regression: MSE, RMSE, MAE and R²; plots ``predicted_vs_actual.png`` and ``residuals.png``.
A training run adds ``loss.png`` from its history.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np


def encode_labels(values: Any, classes: Any, where: Any = None) -> np.ndarray:
    """0.0 for ``classes[0]``, 1.0 for ``classes[1]``; numbers compare as numbers (``1`` equals ``1.0``).

    ``where``, given the 0-based positions of unknown labels, says which rows they are in
    (``descenso.data.sources.rows_text`` for a file's rows).

    Raises
    ------
    ValueError
        Naming the labels that are neither class.

    Examples
    --------
    >>> from descenso.cli.report import encode_labels
    >>> encode_labels(["no", "yes", "yes"], ["no", "yes"]).tolist()
    [0.0, 1.0, 1.0]
    >>> encode_labels([1, 0], [0.0, 1.0]).tolist()
    [1.0, 0.0]
    """
    known = list(classes)
    numeric = all(
        isinstance(c, (int, float, np.number)) and not isinstance(c, (bool, np.bool_)) for c in known
    )

    def key(value: Any) -> Any:
        try:
            return float(value) if numeric else str(value)
        except (TypeError, ValueError):
            return str(value)

    keys = [key(c) for c in known]
    encoded = [keys.index(k) if k in keys else -1 for k in (key(v) for v in np.asarray(values).tolist())]
    unknown = sorted({str(v) for v, e in zip(np.asarray(values).tolist(), encoded, strict=True) if e < 0})
    if unknown:
        classes_text = ", ".join(map(str, known))
        rows = "" if where is None else f" in {where(np.flatnonzero(np.asarray(encoded) < 0))}"
        raise ValueError(
            f"labels the model does not know: {', '.join(unknown[:5])}{rows}; its classes are: {classes_text}"
        )
    return np.asarray(encoded, dtype=float)


def binary_metrics(y_true: Any, y_pred: Any, proba: Any) -> dict[str, Any]:
    """Classification metrics of 0/1 labels, predicted labels and probabilities of class 1.

    Examples
    --------
    >>> from descenso.cli.report import binary_metrics
    >>> m = binary_metrics([0, 1, 1, 0], [0, 1, 0, 0], [0.2, 0.9, 0.4, 0.1])
    >>> m["accuracy"], m["recall"], m["roc_auc"], m["confusion_matrix"]
    (0.75, 0.5, 1.0, [[2, 0], [1, 1]])
    """
    from descenso import metrics

    t = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(y_pred, dtype=float).ravel()
    s = np.clip(np.asarray(proba, dtype=float).ravel(), 1e-7, 1 - 1e-7)
    with warnings.catch_warnings():  # undefined values (one class in a tiny test set) are reported as None
        warnings.simplefilter("ignore", metrics.UndefinedMetricWarning)
        both = len(np.unique(t)) == 2
        return {
            "accuracy": float(metrics.accuracy_score(t, p)),
            "precision": float(metrics.precision_score(t, p, zero_division=0.0)),
            "recall": float(metrics.recall_score(t, p, zero_division=0.0)),
            "f1": float(metrics.f1_score(t, p, zero_division=0.0)),
            "roc_auc": float(metrics.roc_auc_score(t, s)) if both else None,
            "log_loss": float(metrics.log_loss(t, s, labels=[0.0, 1.0])),
            "confusion_matrix": metrics.confusion_matrix(t, p, labels=[0.0, 1.0]).astype(int).tolist(),
        }


def regression_metrics(y_true: Any, y_pred: Any) -> dict[str, Any]:
    """Regression metrics of true and predicted values.

    Examples
    --------
    >>> from descenso.cli.report import regression_metrics
    >>> m = regression_metrics([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])
    >>> round(m["mse"], 4), round(m["mae"], 4), round(m["r2"], 4)
    (0.3333, 0.3333, 0.5)
    """
    from descenso import metrics

    t = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(y_pred, dtype=float).ravel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", metrics.UndefinedMetricWarning)
        return {
            "mse": float(metrics.mean_squared_error(t, p)),
            "rmse": float(metrics.root_mean_squared_error(t, p)),
            "mae": float(metrics.mean_absolute_error(t, p)),
            "r2": float(metrics.r2_score(t, p)) if t.size > 1 else None,
        }


MAIN_METRIC = {"binary": "accuracy", "regression": "r2"}


def write_plots(
    folder: Path,
    task: str,
    y_true: Any,
    y_pred: Any,
    proba: Any = None,
    history: Any = None,
    boundary: tuple[Callable[[np.ndarray], Any], np.ndarray, tuple[str, str]] | None = None,
    class_names: tuple[str, str] = ("0", "1"),
    units: tuple[Any, Callable[[np.ndarray], Any], np.ndarray, tuple[str, str]] | None = None,
    split: str = "test split",
    loss_label: str = "loss",
    loss_title: str = "Loss per epoch",
    loss_baseline: tuple[str, float] | None = None,
) -> list[str]:
    """Write the report's PNG files into ``folder``; return their file names.

    Parameters
    ----------
    folder : pathlib.Path
        Existing folder.
    task : {"binary", "regression"}
        Which plots to draw.
    y_true, y_pred : array_like
        Test targets (0/1 for binary) and predictions.
    proba : array_like, optional
        Probabilities of class 1 (binary).
    history : History or mapping, optional
        Per-epoch losses for ``loss.png``.
    boundary : (predict_proba, X, feature_names), optional
        For 2-feature binary data: the probability function on raw feature pairs and the points.
    class_names : tuple of two str
        The original labels of class 0 and class 1.
    units : (network, transform, X, feature_names), optional
        For 2-feature data: ``unit_maps.png``, each hidden unit's output over the plane of the two
        raw features (``transform`` maps them to the network's inputs).
    split : str, default "test split"
        What ``y_true`` is (e.g. ``"new.csv"``); every title names it and its number of rows.
    loss_label, loss_title : str
        ``loss.png``'s loss axis (the loss and its scale, :func:`descenso.viz.loss_label`) and title.
    loss_baseline : (str, float), optional
        A level drawn across ``loss.png`` with its label (the kept linear model's validation loss).
    """
    from descenso import viz

    written = []

    def save(figure: Any, name: str) -> None:
        viz.save(figure, folder / name)
        written.append(name)

    on = f"{split}, {len(np.asarray(y_true))} rows"

    def titled(kind: str) -> str:  # a long file name goes on its own line, to stay inside the figure
        return f"{kind}: {on}" if len(kind) + len(on) <= 46 else f"{kind}\n{on}"

    if history is not None:
        curves = viz.loss_curves(history, title=loss_title, loss_label=loss_label, baseline=loss_baseline)
        save(curves, "loss.png")
    if task == "binary":
        if len(np.unique(np.asarray(y_true))) == 2 and proba is not None:
            save(viz.roc_curve(y_true, proba, titled("ROC curve"), labels=class_names), "roc.png")
        if proba is not None:
            figure = viz.reliability_diagram(
                y_true, proba, title=titled("Reliability diagram"), labels=class_names
            )
            save(figure, "reliability.png")
        matrix = viz.confusion_matrix(y_true, y_pred, class_names, titled("Confusion matrix"))
        save(matrix, "confusion_matrix.png")
        if boundary is not None:
            function, X, names = boundary
            title = titled("Decision boundary")
            numeric = all(c.lstrip("-").replace(".", "").isdigit() for c in class_names)
            spoken = (f"class {class_names[0]}", f"class {class_names[1]}") if numeric else class_names
            figure = viz.decision_boundary(function, X, y_true, names, title=title, labels=spoken)
            save(figure, "decision_boundary.png")
    else:
        fit = viz.predicted_vs_actual(y_true, y_pred, titled("Predicted vs actual"))
        save(fit, "predicted_vs_actual.png")
        save(viz.residuals(y_true, y_pred, titled("Residuals")), "residuals.png")
    if units is not None:
        network, transform, X_plane, names = units
        save(
            viz.unit_maps(network, X_plane, y_true, transform=transform, feature_names=names), "unit_maps.png"
        )
    return written
