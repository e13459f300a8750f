"""The same rows in several representations, one scatter panel each (the representation lab's figure)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from descenso.viz._canvas import COLORS, _figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _most_related(Z: np.ndarray, y: np.ndarray, count: int) -> list[int]:
    """The ``count`` columns of ``Z`` most correlated with ``y`` (by |Pearson r|), in column order."""
    centred = Z - Z.mean(axis=0)
    spread = np.sqrt((centred**2).sum(axis=0) * ((y - y.mean()) ** 2).sum())
    r = np.abs(np.divide(centred.T @ (y - y.mean()), spread, out=np.zeros(Z.shape[1]), where=spread > 0))
    return sorted(np.argsort(-r, kind="stable")[:count].tolist())


def representation_panels(
    panels: Sequence[tuple[str, Any, Sequence[str]]],
    y: Any,
    task: str = "binary",
    class_names: tuple[str, str] = ("class 0", "class 1"),
) -> Figure:
    """One scatter panel per representation of the same rows, coloured by the target.

    Parameters
    ----------
    panels : sequence of (title, Z, column names)
        Each representation's output for the same rows, ``Z`` of shape (n, k).
    y : array_like of shape (n,)
        The target: 0/1 labels (``task="binary"``) or numbers.
    task : {"binary", "regression"}, default "binary"
    class_names : tuple of two str
        The legend's names for class 0 and class 1.

    Returns
    -------
    matplotlib.figure.Figure
        400 x 380 pixels per panel.

    Notes
    -----
    A binary panel plots two columns against each other, each class with its own colour and marker
    (and a legend); a representation with more than two columns shows the two most correlated with
    the target, and says so, so that a polynomial's ``x1^2, x2^2`` are shown rather than the raw
    ``x1, x2`` it also keeps. A regression panel plots the column most correlated with the target
    against the target.
    """
    target = np.asarray(y, dtype=float).ravel()
    fig = _figure(4.0 * len(panels), 3.8)
    for i, (title, Z_in, names) in enumerate(panels):
        Z = np.asarray(Z_in, dtype=float)
        ax = fig.add_subplot(1, len(panels), i + 1)
        binary = task == "binary" and Z.shape[1] >= 2
        picked = _most_related(Z, target, 2 if binary else 1)
        note = f"\n{len(picked)} of its {Z.shape[1]} columns, most correlated with the target"
        ax.set_title(title + (note if Z.shape[1] > len(picked) else ""), fontsize=10)
        horizontal = Z[:, picked[0]]
        vertical = Z[:, picked[1]] if binary else target
        ax.set(xlabel=names[picked[0]], ylabel=names[picked[1]] if binary else "target")
        if task == "binary":
            for value, name in enumerate(class_names):
                rows = target == value
                ax.scatter(horizontal[rows], vertical[rows], s=8, color=COLORS[value], marker="o^"[value],
                           label=name, alpha=0.8)  # fmt: skip
            ax.legend(loc="best", fontsize="small", markerscale=1.5)
        else:
            points = ax.scatter(horizontal, vertical, c=target, s=6, cmap="viridis")
            fig.colorbar(points, ax=ax, label="target")
        ax.grid(alpha=0.3)
    return fig
