"""Loss landscapes with the path of gradient descent drawn on them (numbers in :mod:`descenso.landscape`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from descenso.viz._canvas import _figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Okabe-Ito colours, distinguishable with every common colour-vision deficiency, over viridis.
_PATH, _START = "#D55E00", "#000000"
_LOSS_NAMES = {"mse": "mean squared error", "bce_with_logits": "logistic loss (binary cross-entropy)"}


def loss_landscape(
    X: Any,
    y: Any,
    loss: str | Callable[..., Any] = "mse",
    model: Any = None,
    path: Sequence[np.ndarray] = (),
    learning_rates: Sequence[float] | None = None,
    epochs: int = 25,
    rng: Any = 0,
    resolution: int | None = None,
    directions: str = "random",
    title: str | None = None,
) -> Figure:
    """The loss surface with gradient descent's path over it.

    Without ``model``: the exact landscape of the two-parameter model ``f(x) = w x + b`` on one
    feature, one panel per learning rate side by side, each with the exact minimum marked and the
    path that full-batch gradient descent took from the same start (see
    :func:`descenso.landscape.two_parameter_landscape`). With ``model``: the loss on a 2-D slice
    through the model's weights along two filter-normalised random directions (Li et al., 2018),
    with the training ``path`` projected on it (see :func:`descenso.landscape.random_slice`).

    Parameters
    ----------
    X, y : array_like
        The training data; one feature when no ``model`` is given.
    loss : str or callable, default "mse"
        "mse" or "bce_with_logits" for the exact landscape; any loss for a model.
    model : nn.Module, optional
        A trained network: draw its random slice instead.
    path : sequence of numpy.ndarray
        With ``model``: flat weight vectors along training, e.g. ``PathRecorder().points``.
    learning_rates : sequence of float, optional
        Without ``model``: one panel each (by default four, from the curvature at the minimum).
    epochs : int, default 25
        Without ``model``: gradient-descent steps per panel.
    rng : int or numpy.random.Generator, default 0
        With ``model``: draws the two directions.
    resolution : int, optional
        Grid points per axis (121 for the exact landscape, 31 for a slice).
    directions : {"random", "pca"}, default "random"
        With ``model``: the slice's directions (``"pca"``: the plane the path moved in most).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        1000 x 780 pixels for four panels; 640 x 560 for a slice.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso import viz
    >>> x = np.linspace(-1.0, 2.0, 30)
    >>> fig = viz.loss_landscape(x[:, None], 2 * x - 1, epochs=10, resolution=21)
    >>> [ax.get_title().split(":")[0] for ax in fig.axes if ax.get_label() != "<colorbar>"]
    ['too small', 'good', 'too large', 'too large']
    """
    from descenso.landscape import random_slice, two_parameter_landscape

    if model is not None:
        scape = random_slice(model, X, y, loss=loss, path=path, rng=rng, resolution=resolution or 31,
                             directions=directions)  # fmt: skip
        return _slice_figure(scape, title)
    if not isinstance(loss, str):
        raise TypeError("the exact landscape needs loss='mse' or 'bce_with_logits'; pass a model for others")
    exact = two_parameter_landscape(X, y, loss, learning_rates, epochs, resolution=resolution or 121)
    return _exact_figure(exact, title)


def _levels(values: np.ndarray, floor: float) -> np.ndarray:
    """Contour levels spaced geometrically above ``floor``, dense near the minimum where the path ends."""
    top = float(np.nanmax(values))
    span = max(top - floor, 1e-12)
    return floor + span * np.concatenate([[0.0], np.geomspace(1e-4, 1.0, 14)])


def _surface(ax: Axes, a: np.ndarray, b: np.ndarray, values: np.ndarray, levels: np.ndarray) -> Any:
    from matplotlib.colors import BoundaryNorm

    norm = BoundaryNorm(levels, 256)
    image = ax.contourf(a, b, values, levels=levels, cmap="viridis", norm=norm)
    ax.contour(a, b, values, levels=levels, colors="white", linewidths=0.4, alpha=0.6)
    return image


def _draw_path(ax: Axes, points: np.ndarray, label: str) -> None:
    ax.plot(points[:, 0], points[:, 1], "-o", color=_PATH, markersize=3.5, markeredgecolor="white",
            markeredgewidth=0.5, linewidth=1.6, label=label)  # fmt: skip
    ax.plot(*points[0], "o", color=_START, markersize=7, markeredgecolor="white", label="start")


def _exact_figure(exact: Any, title: str | None) -> Figure:
    count = len(exact.paths)
    columns = 1 if count == 1 else 2
    rows = -(-count // columns)
    fig = _figure(5.0 * columns, 3.6 * rows + 0.6)
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False).ravel())
    levels = _levels(exact.values, exact.minimum_value)
    L = exact.curvature
    for ax, descent in zip(axes, exact.paths, strict=False):
        image = _surface(ax, exact.w, exact.b, exact.values, levels)
        inside = (np.abs(descent.points[:, 0] - exact.w.mean()) <= np.ptp(exact.w) / 2) & (
            np.abs(descent.points[:, 1] - exact.b.mean()) <= np.ptp(exact.b) / 2
        )
        # A diverging path is drawn until it leaves the plot: later steps only criss-cross it.
        shown = descent.points if inside.all() else descent.points[: int(np.argmin(inside)) + 1]
        _draw_path(ax, shown, f"{len(descent.points) - 1} steps of gradient descent")
        ax.plot(*exact.minimum, "*", color="white", markersize=15, markeredgecolor="black",
                label=f"exact minimum ({exact.minimum[0]:.3g}, {exact.minimum[1]:.3g})")  # fmt: skip
        if not inside.all():
            ax.text(0.02, 0.03, f"leaves the plot at step {int(np.argmin(inside))}",
                    transform=ax.transAxes, color="white", fontsize=9)  # fmt: skip
        ax.set(xlim=(exact.w[0], exact.w[-1]), ylim=(exact.b[0], exact.b[-1]))
        ax.set_title(f"{descent.label}\nlr = {descent.lr:.3g} = {descent.lr * L:.2g} / L", fontsize=10)
        ax.set_xlabel("slope w")
        ax.set_ylabel("intercept b")
    for ax in axes[count:]:
        ax.set_visible(False)
    axes[0].legend(loc="upper right", fontsize=7.5, framealpha=0.85)
    colorbar = fig.colorbar(image, ax=list(axes[:count]), format="%.3g", shrink=0.9)
    colorbar.set_label(f"loss J(w, b): {_LOSS_NAMES[exact.loss]}")
    heading = title or (
        f"Gradient descent on the exact loss of f(x) = w x + b\n"
        f"curvature at the minimum L = {L:.3g}: near it, steps are stable for lr < 2/L = {2 / L:.3g}"
    )
    fig.suptitle(heading, fontsize=11)
    return fig


def _slice_figure(scape: Any, title: str | None) -> Figure:
    fig = _figure(6.4, 5.6)
    ax = fig.add_subplot()
    floor = float(min(np.nanmin(scape.values), scape.center_value))
    image = _surface(ax, scape.alpha, scape.beta, scape.values, _levels(scape.values, floor))
    if len(scape.path):
        _draw_path(ax, scape.path, f"training path, projected ({len(scape.path) - 1} steps)")
    ax.plot(0, 0, "*", color="white", markersize=15, markeredgecolor="black",
            label=f"final weights (loss {scape.center_value:.3g})")  # fmt: skip
    ax.set(xlabel="alpha: along direction 1", ylabel="beta: along direction 2")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
    colorbar = fig.colorbar(image, ax=ax, format="%.4g")
    colorbar.set_label("training loss")
    kind = (
        "the path's two principal directions"
        if scape.kind == "pca"
        else "filter-normalised random directions"
    )
    note = f"; {scape.captured:.1%} of the path lies in it" if len(scape.path) else ""
    heading = title or "Loss on a 2-D slice through the final weights"
    ax.set_title(f"{heading}\n{kind} (Li et al. 2018){note}", fontsize=10)
    return fig
