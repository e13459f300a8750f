"""The landscape panel: for a model with two parameters, the exact loss surface the page draws.

A run whose model is one weight and one bias, ``f(x) = w z + b`` on one feature
column ``z`` (no hidden layer, one feature: a line, or logistic regression on one
feature), has a loss surface over the whole ``(w, b)`` plane that can be computed
exactly. The server sends it once per run with the ``data`` message: a grid of
the training objective (the data loss, without L1/L2), its contour lines and the
exact minimum (:mod:`descenso.landscape`); every snapshot then sends the path
the run's steps have taken, and the page draws both.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from descenso.landscape.exact import exact_minimum, objective

GRID = 41  # points per axis of the grid that is sent
LEVELS = 12  # contour lines
MAX_PATH_POINTS = 300


def has_two_parameters(model: Any) -> bool:
    """Whether ``model`` is one weight and one bias (``f(x) = w z + b`` on one column).

    Parameters
    ----------
    model : nn.Module

    Returns
    -------
    bool
    """
    shapes = [tuple(p.data.shape) for p in model.parameters()]
    return shapes == [(1, 1), (1,)]


def point(model: Any) -> tuple[float, float]:
    """The model's ``(w, b)``: its weight and its bias (``parameters()`` order is weight, bias)."""
    weight, bias = model.parameters()
    return float(weight.data.reshape(-1)[0]), float(bias.data.reshape(-1)[0])


def _separable(z: np.ndarray, y: np.ndarray) -> bool:
    """Whether one threshold on ``z`` splits the two classes (or there is only one class)."""
    ones, zeros = z[y == 1], z[y == 0]
    if ones.size == 0 or zeros.size == 0:
        return True
    return bool(zeros.max() < ones.min() or ones.max() < zeros.min())


def _levels(low: float, high: float) -> np.ndarray:
    # Quadratically spaced: on a bowl J = J* + r^2 these are ellipses equally spaced in r.
    return low + (high - low) * (np.arange(1, LEVELS + 1) / LEVELS) ** 2


def _contours(w: np.ndarray, b: np.ndarray, values: np.ndarray, levels: np.ndarray) -> list[dict[str, Any]]:
    import contourpy  # installed with matplotlib (the playground extra needs the plot extra)

    generator = contourpy.contour_generator(w, b, values, line_type=contourpy.LineType.Separate)
    out = []
    for level in levels:
        lines: Any = generator.lines(float(level))  # LineType.Separate: a list of (n, 2) arrays
        for line in lines:
            out.append({"level": float(f"{level:.5g}"), "points": np.round(np.asarray(line), 4).tolist()})
    return out


def landscape(session: Any) -> dict[str, Any] | None:
    """The exact surface of a two-parameter run, or None for any other model.

    Parameters
    ----------
    session : playground.session.Session

    Returns
    -------
    dict or None
        JSON-able: ``loss``, ``w`` and ``b`` (the grid's axes), ``values`` (``values[i][j]`` is
        the objective at ``(w[j], b[i])``), ``contours`` (lines of ``level`` and ``points``),
        ``minimum`` (``[w*, b*]``, or None when it lies at infinity: separable classes),
        ``minimum_value`` and ``start`` (the run's initial ``(w, b)``).
    """
    if not has_two_parameters(session.model):
        return None
    loss = "bce_with_logits" if session.data.task == "classification" else "mse"
    z = session.Z_train[:, 0].astype(np.float64)
    y = session.data.y_train.astype(np.float64)
    minimum: np.ndarray | None = None
    if not (loss == "bce_with_logits" and _separable(z, y)):  # separable: the minimum is at infinity
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                minimum = exact_minimum(z, y, loss)[0]
            except Warning:  # Newton did not converge
                minimum = None
    start = np.array(session.path[0]) if session.path else np.array(point(session.model))
    centre = minimum if minimum is not None else start
    half = np.maximum(1.3 * np.abs(start - centre), 0.5)
    w = np.linspace(centre[0] - half[0], centre[0] + half[0], GRID)
    b = np.linspace(centre[1] - half[1], centre[1] + half[1], GRID)
    W, B = np.meshgrid(w, b)
    values = objective(W, B, z, y, loss)
    best = (
        float(objective(minimum[0], minimum[1], z, y, loss)) if minimum is not None else float(values.min())
    )
    return {
        "loss": loss,
        "w": np.round(w, 6).tolist(),
        "b": np.round(b, 6).tolist(),
        "values": [[float(f"{v:.6g}") for v in row] for row in values],
        "contours": _contours(w, b, values, _levels(best, float(values.max()))),
        "minimum": None if minimum is None else [float(minimum[0]), float(minimum[1])],
        "minimum_value": best,
        "start": [float(start[0]), float(start[1])],
    }


def path(session: Any) -> list[list[float]] | None:
    """The ``(w, b)`` the run has visited, at most ``MAX_PATH_POINTS`` of them, the last one included.

    Parameters
    ----------
    session : playground.session.Session

    Returns
    -------
    list of [w, b], or None for a model that is not two-parameter
    """
    if not session.path:
        return None
    points = session.path
    if len(points) > MAX_PATH_POINTS:
        keep = np.unique(np.linspace(0, len(points) - 1, MAX_PATH_POINTS).astype(int))
        points = [points[i] for i in keep]
    return [[float(f"{w:.6g}"), float(f"{b:.6g}")] for w, b in points if np.isfinite(w) and np.isfinite(b)]
