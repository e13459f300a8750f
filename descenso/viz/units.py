"""Hidden-unit maps: what every unit of a 2-input network computes over the input plane."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from descenso.viz._canvas import _figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_MAX_COLUMNS = 8  # wider layers wrap onto more rows of squares
_MAX_UNITS = 32  # per layer: beyond this a figure stops being readable
_MAX_INCHES = 12.0  # 1200 pixels a side at most, the size a report can show


def unit_maps(
    model: Any,
    X: Any,
    y: Any = None,
    transform: Callable[[np.ndarray], Any] | None = None,
    feature_names: tuple[str, str] = ("x1", "x2"),
    resolution: int = 60,
    title: str | None = None,
) -> Figure:
    """Each hidden unit's output over the plane of the two inputs, layer by layer, then the output.

    Like the playground's neuron squares, as one static figure: one small map per unit, a row of maps
    per hidden layer (first layer on top), and the network's output last. Each map has its own colour
    scale, symmetric around 0 (orange positive, purple negative, white 0, so a ReLU unit's dead zone
    is white); its title gives the unit's range over the plane. Layers wider than 32 units show
    their first 32; the figure is at most 1200 pixels a side.

    Parameters
    ----------
    model : Sequential or MLP
        A network whose layers can be walked (see :func:`descenso.nn.activity.hidden_activations`).
    X : array_like of shape (n, 2)
        Points that set the plotted region (with a 5 % margin); drawn on the output's map.
    y : array_like of shape (n,), optional
        Their labels (0/1) or values, for the points' colours.
    transform : callable, optional
        Maps an (m, 2) array of plane points to the network's inputs (a fitted representation,
        e.g. ``estimator.representation_.transform``); by default the points themselves.
    feature_names : tuple of two str, default ("x1", "x2")
        Axis labels.
    resolution : int, default 60
        Grid points per axis.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When ``X`` does not have 2 columns, or the model's layers cannot be walked.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso import viz
    >>> from descenso.nn import MLP
    >>> fig = viz.unit_maps(MLP(2, hidden=(4, 3), rng=0), np.random.default_rng(0).normal(size=(20, 2)))
    >>> [ax.get_title() for ax in fig.axes][:1], len([a for a in fig.axes if a.get_visible()])
    (['unit 1\\n[0, 0.372]'], 8)
    """
    from descenso.grad_mode import no_grad
    from descenso.nn.activity import hidden_activations

    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"unit maps need exactly 2 input features; got X of shape {X.shape}")
    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.05 * np.where(high > low, high - low, 1.0)
    a = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    b = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    A, B = np.meshgrid(a, b)
    plane = np.column_stack([A.ravel(), B.ravel()])  # (resolution**2, 2)
    inputs = np.asarray(transform(plane) if transform is not None else plane)
    layers = hidden_activations(model, inputs)
    if not layers:
        raise ValueError(f"unit maps need a Sequential network (e.g. an MLP); got {type(model).__name__}")
    model.eval()
    with no_grad():
        output = np.asarray(model(inputs.astype(layers[0][2].dtype)).data)[:, :1]
    rows = [
        (f"hidden layer {k + 1} ({kind})", values[:, :_MAX_UNITS])
        for k, (_, kind, values) in enumerate(layers)
    ]
    rows.append(("output", output))
    grid_rows = [-(-values.shape[1] // _MAX_COLUMNS) for _, values in rows]
    columns = min(_MAX_COLUMNS, max(values.shape[1] for _, values in rows))
    fig = _figure(min(1.45 * columns + 0.9, _MAX_INCHES), min(1.55 * sum(grid_rows) + 0.7, _MAX_INCHES))
    grid = fig.add_gridspec(sum(grid_rows), columns)
    top = 0
    for (label, values), height in zip(rows, grid_rows, strict=True):
        for unit in range(values.shape[1]):
            ax = fig.add_subplot(grid[top + unit // columns, unit % columns])
            Z = values[:, unit].reshape(A.shape)
            bound = float(np.abs(Z).max()) or 1.0
            ax.pcolormesh(A, B, Z, cmap="PuOr_r", vmin=-bound, vmax=bound, shading="auto")
            name = "output" if label == "output" else f"unit {unit + 1}"
            ax.set_title(f"{name}\n[{Z.min():.3g}, {Z.max():.3g}]", fontsize=8)
            ax.set_xticks([])
            ax.set_yticks([])
            if unit % columns == 0:
                points = "\n(dots: the data)" if label == "output" and y is not None else ""
                ax.set_ylabel(label.replace(" (", "\n(") + points, fontsize=8)
            if label == "output" and y is not None:
                ax.scatter(X[:, 0], X[:, 1], c=np.asarray(y, dtype=float).ravel(), cmap="cividis", s=4,
                           edgecolors="black", linewidths=0.2)  # fmt: skip
        top += height
    fig.suptitle(title or f"What each unit computes over ({feature_names[0]}, {feature_names[1]})",
                 fontsize=10)  # fmt: skip
    fig.supxlabel(f"{feature_names[0]} (left to right) and {feature_names[1]} (bottom to top) "
                  "in every square; orange > 0 > purple, white = 0", fontsize=8)  # fmt: skip
    return fig
