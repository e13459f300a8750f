"""Figures of a regressor: predicted against actual, and the residuals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from descenso.viz._canvas import _figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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
    ax.scatter(t, p, s=10, alpha=0.6, color="tab:blue", label="rows")
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
