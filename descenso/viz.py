"""Figures for a training report: loss curves, ROC, confusion matrix, decision boundary, fits.

Every function builds and returns a matplotlib ``Figure`` drawn on the Agg canvas (no window, no
global pyplot state, so it works headless and from threads); :func:`save` writes it to a PNG file
atomically and releases it. matplotlib is imported inside the functions, so ``import descenso``
never needs it.

Examples
--------
>>> import numpy as np
>>> from descenso import viz
>>> fig = viz.loss_curves({"epoch": [1, 2, 3], "train_loss": [0.9, 0.5, 0.3], "val_loss": [1.0, 0.6, 0.4]})
>>> [round(v) for v in fig.get_size_inches() * fig.dpi]
[640, 440]
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_DPI = 100


def _figure(width: float = 6.4, height: float = 4.4) -> Figure:
    """A new Figure on the Agg canvas (width x height inches at 100 dpi)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("plots need matplotlib: pip install 'descenso[plot]'") from None
    fig = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Write ``fig`` as a PNG to ``path`` atomically, then release the figure.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure from one of this module's functions.
    path : str or PathLike
        Destination; its folder must exist. An existing file is replaced only once the new one is
        complete (written to a temporary file in the same folder, then renamed).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    OSError
        When the folder is missing or unwritable or the disk is full; the message names the path,
        any existing file there is unchanged and no temporary file is left (see
        :func:`descenso.serialize.atomic_write_bytes`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from descenso import viz
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> out = viz.save(viz.loss_curves({"train_loss": [1.0, 0.5]}), folder / "loss.png")
    >>> out.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    from descenso.serialize import atomic_write_bytes

    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=_DPI)
    finally:
        fig.clear()
    return atomic_write_bytes(path, buffer.getvalue(), what="the figure")


def _history_columns(history: Any) -> Mapping[str, Any]:
    """Accept a History (anything with ``to_dict()``) or a mapping of per-epoch lists."""
    if hasattr(history, "to_dict"):
        history = history.to_dict()
    if not isinstance(history, Mapping):
        raise TypeError(f"history must be a History or a mapping of lists; got {type(history).__name__}")
    return history


def loss_curves(
    history: Any, title: str = "Loss per epoch", log_scale: bool | None = None, best_epoch: int | None = None
) -> Figure:
    """Training (and validation, when present) loss against the epoch.

    Parameters
    ----------
    history : History or mapping
        Needs ``train_loss``; ``val_loss`` and ``epoch`` are used when present (``val_loss`` entries
        that are ``None`` or NaN are skipped).
    title : str, default "Loss per epoch"
        Figure title.
    log_scale : bool, optional
        Logarithmic loss axis; by default used when every loss is positive and they span more than
        two orders of magnitude.
    best_epoch : int, optional
        The epoch whose weights were kept, marked with a dotted line; by default the History's
        ``best_epoch``, else the epoch of the lowest validation loss.

    Returns
    -------
    matplotlib.figure.Figure
        640 x 440 pixels.
    """
    if best_epoch is None:
        best_epoch = getattr(history, "best_epoch", None)
    columns = _history_columns(history)
    train = np.asarray(columns.get("train_loss") or [], dtype=float)
    if train.size == 0:
        raise ValueError("history has no train_loss values to plot; train for at least one epoch")
    epochs = np.asarray(columns.get("epoch") or np.arange(1, train.size + 1), dtype=float)
    val_raw = columns.get("val_loss") or []
    val = np.array([np.nan if v is None else v for v in val_raw], dtype=float)
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot(epochs, train, label="train", color="tab:blue")
    if val.size == train.size and np.isfinite(val).any():
        ax.plot(epochs, val, label="validation", color="tab:orange")
        best = float(epochs[int(np.nanargmin(val))]) if best_epoch is None else float(best_epoch)
        ax.axvline(best, color="grey", linestyle=":", label=f"weights kept (epoch {best:g})")
    values = np.concatenate([train, val[np.isfinite(val)]])
    finite = values[np.isfinite(values)]
    if log_scale is None:
        log_scale = bool(finite.size and finite.min() > 0 and finite.max() / finite.min() > 100)
    if log_scale:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel="loss", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


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


def roc_curve(y_true: Any, scores: Any, title: str = "ROC curve") -> Figure:
    """The ROC curve of a binary classifier's scores, with its AUC in the legend.

    Parameters
    ----------
    y_true : array_like of shape (n,)
        Labels in {0, 1}.
    scores : array_like of shape (n,)
        Probabilities of class 1 (or any score increasing with it).
    title : str, default "ROC curve"
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        500 x 460 pixels.
    """
    fpr, tpr, auc = roc_points(y_true, scores)
    fig = _figure(5.0, 4.6)
    ax = fig.add_subplot()
    ax.plot(fpr, tpr, color="tab:blue", label=f"model (AUC = {auc:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="chance (AUC = 0.5)")
    ax.set(
        xlabel="false positive rate", ylabel="true positive rate", title=title, xlim=(0, 1), ylim=(0, 1.01)
    )
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return fig


def confusion_matrix(
    y_true: Any, y_pred: Any, labels: tuple[Any, Any] = (0, 1), title: str = "Confusion matrix"
) -> Figure:
    """A 2 x 2 confusion matrix with counts and row percentages in each cell.

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
    ax.set(xlabel="predicted", ylabel="true", title=title)
    return fig


def decision_boundary(
    predict_proba: Callable[[np.ndarray], Any],
    X: Any,
    y: Any,
    feature_names: tuple[str, str] = ("x1", "x2"),
    resolution: int = 200,
    title: str = "Decision boundary",
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
    labels = np.asarray(y).ravel().astype(int)
    for value, color, marker in ((0, "tab:blue", "o"), (1, "tab:red", "^")):
        mask = labels == value
        ax.scatter(X[mask, 0], X[mask, 1], s=12, c=color, marker=marker, edgecolors="black",
                   linewidths=0.5, label=f"class {value}")  # fmt: skip
    fig.colorbar(image, ax=ax, label="P(class 1)")
    ax.set(xlabel=feature_names[0], ylabel=feature_names[1], title=title)
    ax.legend(loc="best", fontsize="small")
    return fig


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(y_pred, dtype=float).ravel()
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred need the same length; got {t.size} and {p.size}")
    if t.size == 0:
        raise ValueError("nothing to plot: y_true is empty")
    return t, p


def predicted_vs_actual(y_true: Any, y_pred: Any, title: str = "Predicted vs actual") -> Figure:
    """Scatter of predictions against true values, with the ideal line ``y_pred = y_true``.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n,)
        True and predicted values.
    title : str, default "Predicted vs actual"
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        500 x 480 pixels.
    """
    t, p = _pair(y_true, y_pred)
    fig = _figure(5.0, 4.8)
    ax = fig.add_subplot()
    ax.scatter(t, p, s=10, alpha=0.6, color="tab:blue", label="test points")
    low, high = float(min(t.min(), p.min())), float(max(t.max(), p.max()))
    ax.plot([low, high], [low, high], color="black", linestyle="--", label="perfect prediction")
    ax.set(xlabel="actual", ylabel="predicted", title=title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    return fig


def residuals(y_true: Any, y_pred: Any, title: str = "Residuals") -> Figure:
    """Residuals ``y_true - y_pred`` against the prediction, and their histogram.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n,)
        True and predicted values.
    title : str, default "Residuals"
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        800 x 400 pixels.
    """
    t, p = _pair(y_true, y_pred)
    error = t - p
    fig = _figure(8.0, 4.0)
    left, right = fig.subplots(1, 2)
    left.scatter(p, error, s=10, alpha=0.6, color="tab:blue")
    left.axhline(0.0, color="black", linestyle="--")
    left.set(xlabel="predicted", ylabel="residual (actual - predicted)", title=title)
    left.grid(alpha=0.3)
    spread = float(np.ptp(error))
    bins = min(30, max(5, error.size // 5)) if spread > 1e-6 * max(1.0, float(np.abs(error).max())) else 1
    right.hist(error, bins=bins, color="tab:blue", alpha=0.8)
    right.axvline(0.0, color="black", linestyle="--")
    right.set(xlabel="residual", ylabel="count", title="Distribution of residuals")
    return fig
