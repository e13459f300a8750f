"""How honest a classifier's probabilities are: the reliability diagram."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from descenso.viz._canvas import _figure
from descenso.viz.training import COLORS

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def reliability_points(y_true: Any, proba: Any, bins: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bin of predicted probability: the mean prediction, the observed share of class 1, the count.

    Parameters
    ----------
    y_true : array_like of shape (n,)
        Labels in {0, 1}.
    proba : array_like of shape (n,)
        Predicted probabilities of class 1.
    bins : int, default 10
        Equal-width bins over [0, 1]; empty bins are left out.

    Returns
    -------
    predicted, observed, counts : numpy.ndarray
        For a calibrated model ``observed`` is close to ``predicted`` in every bin.

    Examples
    --------
    >>> from descenso.viz import reliability_points
    >>> predicted, observed, counts = reliability_points([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9], bins=2)
    >>> predicted.round(2).tolist(), observed.tolist(), counts.tolist()
    ([0.15, 0.8], [0.0, 1.0], [2, 2])
    """
    y = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(proba, dtype=float).ravel()
    if y.shape != p.shape:
        raise ValueError(f"y_true and proba need the same length; got {y.size} and {p.size}")
    if not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"bins must be a positive int; got {bins!r}")
    which = np.minimum((p * bins).astype(int), bins - 1)  # p = 1 falls in the last bin
    counts = np.bincount(which, minlength=bins)
    kept = counts > 0
    predicted = np.bincount(which, weights=p, minlength=bins)[kept] / counts[kept]
    observed = np.bincount(which, weights=y, minlength=bins)[kept] / counts[kept]
    return predicted, observed, counts[kept]


def reliability_diagram(
    y_true: Any,
    proba: Any,
    bins: int = 10,
    title: str = "Reliability diagram",
    labels: tuple[Any, Any] = (0, 1),
) -> Figure:
    """Observed share of the positive class against the predicted probability, per bin, with the log-loss.

    Points on the diagonal are calibrated; below it the model is overconfident about the positive
    class, above it underconfident. The lower panel shows how many rows fall in each bin.

    Parameters
    ----------
    y_true : array_like of shape (n,)
        Labels in {0, 1}.
    proba : array_like of shape (n,)
        Predicted probabilities of class 1.
    bins : int, default 10
    title : str, default "Reliability diagram"
    labels : tuple of two, default (0, 1)
        Names of class 0 and class 1 (the positive class, whose probability is plotted).

    Returns
    -------
    matplotlib.figure.Figure
        500 x 560 pixels.
    """
    from descenso import metrics

    predicted, observed, counts = reliability_points(y_true, proba, bins)
    y = np.asarray(y_true, dtype=float).ravel()
    p = np.clip(np.asarray(proba, dtype=float).ravel(), 1e-7, 1 - 1e-7)
    loss = float(metrics.log_loss(y, p, labels=[0.0, 1.0]))
    positive = str(labels[1])
    fig = _figure(5.0, 5.6)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    top.plot([0, 1], [0, 1], color="grey", linestyle="--", label="calibrated")
    top.plot(predicted, observed, color=COLORS[0], marker="o", label=f"model (log-loss = {loss:.3f})")
    top.set(ylabel=f"observed share of '{positive}'", xlim=(0, 1), ylim=(-0.02, 1.02), title=title)
    top.grid(alpha=0.3)
    top.legend(loc="upper left")
    width = 1.0 / bins
    bottom.bar(np.floor(predicted / width) * width + width / 2, counts, width=width * 0.9, color=COLORS[0])
    bottom.set(xlabel=f"predicted probability of '{positive}'", ylabel="rows")
    bottom.grid(alpha=0.3)
    return fig
