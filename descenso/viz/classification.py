"""Figures of a binary classifier: ROC curve, confusion matrix, decision boundary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from descenso.viz._canvas import COLORS, _figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def roc_points(y_true: Any, scores: Any) -> tuple[np.ndarray, np.ndarray, float]:
    """False- and true-positive rates at every threshold, and the area under the curve.

    Parameters
    ----------
    y_true : array_like of shape (n,)
        Labels in {0, 1}; both classes must be present.
    scores : array_like of shape (n,)
        Higher means more likely class 1 (probabilities or logits).

    Returns
    -------
    fpr, tpr : numpy.ndarray
        Points of the ROC curve from (0, 0) to (1, 1), one per distinct score.
    auc : float
        Area under the curve by the trapezoid rule.

    Notes
    -----
    Sorting by decreasing score, ``tpr_k = TP_k / P`` and ``fpr_k = FP_k / N`` after the k-th distinct
    threshold; ties are taken together so the curve does not depend on the order of equal scores.

    Examples
    --------
    >>> from descenso.viz import roc_points
    >>> fpr, tpr, auc = roc_points([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> auc
    0.75
    """
    y = np.asarray(y_true, dtype=float).ravel()
    s = np.asarray(scores, dtype=float).ravel()
    if y.shape != s.shape:
        raise ValueError(f"y_true and scores need the same length; got {y.size} and {s.size}")
    positives, negatives = float((y == 1).sum()), float((y == 0).sum())
    if positives == 0 or negatives == 0:
        raise ValueError("a ROC curve needs both classes in y_true; got only one")
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    last_of_tie = np.r_[np.nonzero(np.diff(s))[0], s.size - 1]
    tps = np.cumsum(y)[last_of_tie]
    fps = (last_of_tie + 1) - tps
    tpr = np.r_[0.0, tps / positives]
    fpr = np.r_[0.0, fps / negatives]
    auc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    return fpr, tpr, auc


def roc_curve(y_true: Any, scores: Any, title: str = "ROC curve", labels: tuple[Any, Any] = (0, 1)) -> Figure:
    """The ROC curve of a binary classifier's scores, with its AUC in the legend.

    Parameters
    ----------
    y_true : array_like of shape (n,)
        Labels in {0, 1}.
    scores : array_like of shape (n,)
        Probabilities of class 1 (or any score increasing with it).
    title : str, default "ROC curve"
        Figure title.
    labels : tuple of two, default (0, 1)
        Names of class 0 and class 1; class 1 is the positive class the rates count, and the axes
        say so (e.g. "true positive rate: share of 'yes' rows called 'yes'").

    Returns
    -------
    matplotlib.figure.Figure
        500 x 460 pixels.
    """
    fpr, tpr, auc = roc_points(y_true, scores)
    negative, positive = (str(label) for label in labels)
    fig = _figure(5.0, 4.6)
    ax = fig.add_subplot()
    ax.plot(fpr, tpr, color=COLORS[0], label=f"model (AUC = {auc:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="chance (AUC = 0.5)")
    ax.set(xlabel=f"false positive rate: share of '{negative}' rows called '{positive}'",
           ylabel=f"true positive rate: share of '{positive}' rows called '{positive}'",
           title=f"{title}\npositive class: '{positive}'", xlim=(0, 1), ylim=(0, 1.01))  # fmt: skip
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return fig


def confusion_matrix(
    y_true: Any, y_pred: Any, labels: tuple[Any, Any] = (0, 1), title: str = "Confusion matrix"
) -> Figure:
    """A 2 x 2 confusion matrix: counts, and percentages of each true class (each row sums to 100%).

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n,)
        True and predicted labels in {0, 1}.
    labels : tuple of two, default (0, 1)
        Names shown for class 0 and class 1 (e.g. the original "no", "yes").
    title : str, default "Confusion matrix"
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        460 x 420 pixels.
    """
    t = np.asarray(y_true).ravel().astype(int)
    p = np.asarray(y_pred).ravel().astype(int)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred need the same length; got {t.size} and {p.size}")
    counts = np.zeros((2, 2), dtype=int)
    np.add.at(counts, (t, p), 1)
    rows = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, rows, out=np.zeros((2, 2)), where=rows > 0)
    fig = _figure(4.6, 4.2)
    ax = fig.add_subplot()
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(2):
        for j in range(2):
            color = "white" if share[i, j] > 0.5 else "black"
            ax.text(j, i, f"{counts[i, j]}\n{share[i, j]:.0%}", ha="center", va="center", color=color)
    names = [str(label) for label in labels]
    ax.set_xticks([0, 1], names)
    ax.set_yticks([0, 1], names)
    ax.set(xlabel="predicted class", ylabel="true class")
    ax.set_title(f"{title}\ncount, and % of its true class: rows sum to 100%", fontsize=10)
    return fig


def decision_boundary(
    predict_proba: Callable[[np.ndarray], Any],
    X: Any,
    y: Any,
    feature_names: tuple[str, str] = ("x1", "x2"),
    resolution: int = 200,
    title: str = "Decision boundary",
    labels: tuple[Any, Any] = ("class 0", "class 1"),
) -> Figure:
    """Probability of class 1 over the plane of two features, the 0.5 contour and the points.

    Parameters
    ----------
    predict_proba : callable
        Maps an (m, 2) array to probabilities of class 1, shape (m,) or (m, 2) (column 1 is used).
    X : array_like of shape (n, 2)
        The points to draw; they also set the plotted region (with a 5 % margin).
    y : array_like of shape (n,)
        Their labels in {0, 1}.
    feature_names : tuple of two str, default ("x1", "x2")
        Axis labels.
    resolution : int, default 200
        Grid points per axis.
    title : str, default "Decision boundary"
        Figure title.
    labels : tuple of two, default ("class 0", "class 1")
        Names of class 0 and class 1, for the legend and the colour bar.

    Returns
    -------
    matplotlib.figure.Figure
        560 x 480 pixels.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"a decision boundary needs exactly 2 features; got X of shape {X.shape}")
    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.05 * np.where(high > low, high - low, 1.0)
    grid_a = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    grid_b = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    A, B = np.meshgrid(grid_a, grid_b)
    points = np.column_stack([A.ravel(), B.ravel()]).astype(np.float32)  # (resolution**2, 2)
    proba = np.asarray(predict_proba(points), dtype=float)
    if proba.ndim == 2:
        proba = proba[:, -1]
    Z = proba.reshape(A.shape)
    fig = _figure(5.6, 4.8)
    ax = fig.add_subplot()
    image = ax.contourf(A, B, Z, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.55)
    ax.contour(A, B, Z, levels=[0.5], colors="black", linewidths=1.5)
    classes = np.asarray(y).ravel().astype(int)
    for value, color, marker in ((0, "tab:blue", "o"), (1, "tab:red", "^")):
        mask = classes == value
        ax.scatter(X[mask, 0], X[mask, 1], s=12, c=color, marker=marker, edgecolors="black",
                   linewidths=0.5, label=str(labels[value]))  # fmt: skip
    fig.colorbar(image, ax=ax, label=f"P({labels[1]})")
    ax.set(xlabel=feature_names[0], ylabel=feature_names[1], title=title)
    ax.legend(loc="best", fontsize="small")
    return fig
