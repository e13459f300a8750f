"""A 2-D slice of any network's loss through its weights (Li et al., 2018), with the path projected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from descenso.landscape.path import flat_parameters


@dataclass
class RandomSlice:
    """The loss on the plane ``theta* + alpha d1 + beta d2`` and the training path projected on it.

    Attributes
    ----------
    alpha, beta : numpy.ndarray, shape (resolution,)
        Coordinates along the two directions (1 means a step as long as each filter's own weights).
    values : numpy.ndarray, shape (resolution, resolution)
        ``values[i, j]`` is the loss at ``theta* + alpha[j] d1 + beta[i] d2``.
    center_value : float
        The loss at ``theta*``, the final weights (the origin of the slice).
    directions : numpy.ndarray, shape (2, n_parameters)
        ``d1`` and ``d2``, flat in ``model.parameters()`` order.
    path : numpy.ndarray, shape (points, 2) or (0, 2)
        Least-squares coordinates of each recorded point ``theta_k - theta*`` on the two directions.
    path_values : numpy.ndarray, shape (points,)
        The loss at each recorded point itself (not at its projection).
    kind : {"random", "pca"}
        How the directions were chosen.
    captured : float
        The share of the path's squared distance to ``theta*`` that lies in the plane (1 means the
        path is exactly in the slice; random directions in many dimensions capture little of it).
    """

    alpha: np.ndarray
    beta: np.ndarray
    values: np.ndarray
    center_value: float
    directions: np.ndarray
    path: np.ndarray
    path_values: np.ndarray
    captured: float
    kind: str = "random"


def filter_normalized_directions(model: Any, rng: Any = 0, include_biases: bool = False) -> np.ndarray:
    """Two random directions in weight space, each filter scaled to the norm of that filter's weights.

    Parameters
    ----------
    model : nn.Module
    rng : int or numpy.random.Generator, default 0
    include_biases : bool, default False
        Li et al.'s code leaves 1-D parameters (biases) unperturbed by default; with True their
        direction is the bias itself, as in that code's other option.

    Returns
    -------
    numpy.ndarray, shape (2, n_parameters)

    Notes
    -----
    For a weight matrix ``W`` of shape ``(out, in)``, each row (one unit's filter) of a Gaussian
    direction ``d`` is rescaled: ``d_i <- d_i / ||d_i|| * ||W_i||``. A network whose weights are
    scaled (which ReLU networks allow without changing the function) then gets a slice of the same
    shape, so slices of different networks can be compared.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.nn import Linear
    >>> layer = Linear(3, 2, rng=0)
    >>> d = filter_normalized_directions(layer, rng=1)
    >>> W = layer.weight.data
    >>> np.allclose(np.linalg.norm(d[0, :6].reshape(2, 3), axis=1), np.linalg.norm(W, axis=1)), d[0, 6:]
    (True, array([0., 0.]))
    """
    from descenso._random import as_generator

    generator = as_generator(rng)
    directions = []
    for _ in range(2):
        parts = []
        for p in model.parameters():
            theta = np.asarray(p.data, dtype=np.float64)
            if theta.ndim >= 2:
                d = generator.standard_normal(theta.shape)
                rows, d_rows = theta.reshape(len(theta), -1), d.reshape(len(d), -1)
                scale = np.linalg.norm(rows, axis=1) / np.maximum(np.linalg.norm(d_rows, axis=1), 1e-300)
                parts.append((d_rows * scale[:, None]).ravel())
            else:
                parts.append(theta.ravel().copy() if include_biases else np.zeros(theta.size))
        directions.append(np.concatenate(parts))
    return np.array(directions)


def path_directions(center: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The two unit directions along which the path ``points - center`` varies most (its PCA).

    Li et al. (2018, section 7) draw training paths on these: random directions in many dimensions
    are nearly orthogonal to any path, so a path projected on them barely moves.
    """
    offsets = points - center
    if len(offsets) < 2 or not np.any(offsets):
        raise ValueError(
            "directions='pca' needs a path of at least 2 distinct points, e.g. PathRecorder().points"
        )
    _, _, vt = np.linalg.svd(offsets - offsets.mean(axis=0), full_matrices=False)
    return vt[:2] if len(vt) >= 2 else np.vstack([vt[0], np.zeros_like(vt[0])])


def set_flat_parameters(model: Any, vector: np.ndarray) -> None:
    """Write a flat vector (``model.parameters()`` order) into the model's parameters, in their dtype."""
    offset = 0
    for p in model.parameters():
        p.data[...] = vector[offset : offset + p.data.size].reshape(p.data.shape)
        offset += p.data.size


def _loss_at(model: Any, loss_fn: Callable[..., Any], X: Any, y: Any, vector: np.ndarray) -> float:
    set_flat_parameters(model, vector)
    return float(loss_fn(model(X), y).item())


def random_slice(
    model: Any,
    X: Any,
    y: Any,
    loss: str | Callable[..., Any] = "mse",
    path: Sequence[np.ndarray] = (),
    rng: Any = 0,
    resolution: int = 31,
    span: float | None = None,
    include_biases: bool = False,
    directions: str = "random",
) -> RandomSlice:
    """The loss on a random 2-D slice through ``model``'s weights, with a training path projected on it.

    Parameters
    ----------
    model : nn.Module
        A trained network; its weights ``theta*`` are the slice's origin (they are left unchanged).
    X, y : array_like
        The data the loss is measured on (usually the training data).
    loss : str or callable, default "mse"
        A name from :mod:`descenso.losses`, or ``loss(prediction, target)``; the data loss only
        (no penalty).
    path : sequence of numpy.ndarray
        Flat weight vectors along training, e.g. ``PathRecorder().points``; the last is usually
        ``theta*``.
    rng : int or numpy.random.Generator, default 0
        Draws the two directions.
    resolution : int, default 31
        Grid points per axis (the loss is evaluated ``resolution**2`` times on all of ``X``).
    span : float, optional
        The grid covers ``[-span, span]`` on both axes; by default 1, or more to hold the whole path.
    include_biases : bool, default False
        See :func:`filter_normalized_directions`.
    directions : {"random", "pca"}, default "random"
        Filter-normalised random directions (the slice of the loss around the minimum), or the
        path's two principal directions (:func:`path_directions`: the plane the path moved in
        most, where the projected path is visible; coordinates are then distances in weight space).

    Returns
    -------
    RandomSlice

    Raises
    ------
    ValueError
        When a path point does not have the model's number of parameters, or ``directions`` is
        unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso import fit
    >>> from descenso.landscape import PathRecorder
    >>> from descenso.nn import MLP
    >>> X = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    >>> y = X[:, 0] * X[:, 1]
    >>> model, recorder = MLP(2, hidden=(8,), rng=0), PathRecorder()
    >>> _ = fit(model, X, y, epochs=20, rng=0, callbacks=[recorder])
    >>> scape = random_slice(model, X, y, path=recorder.points, resolution=5)
    >>> scape.values.shape, bool(np.abs(scape.path[-1]).max() < 1e-9)   # the path ends at the origin
    ((5, 5), True)
    """
    from descenso import losses
    from descenso.grad_mode import no_grad

    loss_fn = losses.get(loss)
    center = flat_parameters(model)
    points = np.array([np.asarray(p, dtype=np.float64).ravel() for p in path]).reshape(-1, center.size)
    if len(path) and points.shape[1] != center.size:
        raise ValueError(
            f"path points have {np.size(path[0])} values; the model has {center.size} parameters"
        )
    if directions not in ("random", "pca"):
        raise ValueError(f"directions must be 'random' or 'pca'; got {directions!r}")
    kind = directions
    basis = filter_normalized_directions(model, rng, include_biases) if kind == "random" else (
        path_directions(center, points))  # fmt: skip
    offsets = points - center  # (points, n_parameters)
    coords = np.linalg.lstsq(basis.T, offsets.T, rcond=None)[0].T  # (points, 2)
    total = float(np.sum(offsets**2))
    captured = float(np.sum((coords @ basis) ** 2) / total) if total > 0 else 1.0
    if span is None:
        span = max(1.0, 1.1 * float(np.abs(coords).max())) if coords.size else 1.0
    alpha = np.linspace(-span, span, resolution)
    beta = np.linspace(-span, span, resolution)
    was_training = getattr(model, "training", True)
    model.eval()
    try:
        with no_grad():
            values = np.array([[_loss_at(model, loss_fn, X, y, center + a * basis[0] + b * basis[1])
                                for a in alpha] for b in beta])  # fmt: skip
            path_values = np.array([_loss_at(model, loss_fn, X, y, p) for p in points])
            center_value = _loss_at(model, loss_fn, X, y, center)
    finally:
        set_flat_parameters(model, center)
        model.train(was_training)
    return RandomSlice(alpha, beta, values, center_value, basis, coords, path_values, captured, kind)
