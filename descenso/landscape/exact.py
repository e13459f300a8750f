"""The exact loss surface of a two-parameter model ``f(x) = w x + b``, and gradient descent on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from descenso.landscape.path import DescentPath, PathRecorder

_LOSSES = ("mse", "bce_with_logits")


@dataclass
class TwoParameterLandscape:
    """The objective ``J(w, b)`` over a grid, its exact minimum, and gradient-descent paths.

    Attributes
    ----------
    loss : {"mse", "bce_with_logits"}
    w, b : numpy.ndarray, shape (resolution,)
        The grid's slope and intercept values.
    values : numpy.ndarray, shape (resolution, resolution)
        ``values[i, j] = J(w[j], b[i])`` (rows follow ``b``, as ``contour`` expects).
    minimum : numpy.ndarray, shape (2,)
        The exact minimiser ``(w*, b*)``: least squares, or Newton's method for the logistic loss.
    minimum_value : float
        ``J(w*, b*)``.
    curvature : float
        ``L``, the largest eigenvalue of the Hessian at the minimum (constant for ``mse``); plain
        gradient descent is stable near the minimum for ``lr < 2 / L``.
    paths : list of DescentPath
        One per learning rate, in the order given.
    """

    loss: str
    w: np.ndarray
    b: np.ndarray
    values: np.ndarray
    minimum: np.ndarray
    minimum_value: float
    curvature: float
    paths: list[DescentPath]


def objective(w: Any, b: Any, x: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
    """``J(w, b) = 1/n sum loss(y_i, w x_i + b)`` in float64, for arrays ``w`` and ``b`` of one shape."""
    w, b = np.broadcast_arrays(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))
    out = np.empty(w.shape)
    for index in np.ndindex(w.shape[:-1] if w.ndim else ()):  # one grid row at a time bounds memory
        z = np.multiply.outer(w[index], x) + np.asarray(b[index])[..., None]  # (columns, n)
        if loss == "mse":
            out[index] = np.mean((z - y) ** 2, axis=-1)
        else:  # logaddexp(0, z) is softplus without overflow
            out[index] = np.mean(np.logaddexp(0.0, z) - y * z, axis=-1)
    return out


def exact_minimum(x: np.ndarray, y: np.ndarray, loss: str) -> tuple[np.ndarray, np.ndarray]:
    """The exact minimiser ``(w*, b*)`` of ``J(w, b)`` on one feature, and the Hessian there.

    Parameters
    ----------
    x, y : numpy.ndarray, shape (n,), float64
        The feature and the target (0/1 labels for ``bce_with_logits``).
    loss : {"mse", "bce_with_logits"}

    Returns
    -------
    minimum : numpy.ndarray, shape (2,)
        Least squares for ``mse``; Newton's method for the logistic loss.
    hessian : numpy.ndarray, shape (2, 2)

    Warns
    -----
    ConvergenceWarning
        For the logistic loss on separable data, whose minimum lies at infinity.

    Examples
    --------
    >>> x = np.array([0.0, 1.0, 2.0])
    >>> np.round(exact_minimum(x, 2 * x + 1, "mse")[0], 6).tolist()
    [2.0, 1.0]
    """
    from descenso.linear_models import least_squares, logistic_newton

    A = np.column_stack([x, np.ones_like(x)])  # (n, 2): one column per parameter
    if loss == "mse":
        weight, bias = least_squares(x[:, None], y)
        weights = np.full(len(x), 2.0)
    else:
        weight, bias, _ = logistic_newton(x[:, None], y)
        p = 0.5 * (1 + np.tanh(0.5 * (weight[0] * x + bias)))
        weights = p * (1 - p)
    hessian = (A * weights[:, None]).T @ A / len(x)
    return np.array([weight[0], bias]), hessian


def _descend(x: np.ndarray, y: np.ndarray, loss: str, lr: float, epochs: int, start: np.ndarray) -> Any:
    """Full-batch gradient descent by :func:`descenso.fit` itself, in float64; the points it visited."""
    from descenso.nn import Linear
    from descenso.stopping import DivergenceError
    from descenso.train import fit

    model = Linear(1, 1, dtype="float64", rng=0)
    weight, bias = model.parameters()
    weight.data[...], bias.data[...] = start[0], start[1]
    recorder = PathRecorder()
    try:
        fit(model, x[:, None], y, loss=loss, optimizer="sgd", lr=lr, epochs=epochs, batch_size=None,
            callbacks=[recorder], rng=0)  # fmt: skip
    except DivergenceError:
        pass  # the points up to the divergence are the picture
    return np.array(recorder.points)  # (steps + 1, 2): parameters() is [weight, bias]


def _label(points: np.ndarray, losses: np.ndarray, minimum: np.ndarray, top: np.ndarray, best: float) -> str:
    """What the path did, judged from the path itself (not from theory, which is exact only for mse)."""
    finite = np.isfinite(losses)
    if not finite.all() or losses[-1] > losses[0]:
        return "too large: diverges"
    along = (points - minimum) @ top  # the coordinate along the steepest direction
    big = np.abs(along) > 1e-3 * abs(along[0])
    pairs = big[1:] & big[:-1]  # sign changes of coordinates that are not yet rounding noise
    flips = np.sign(along[1:]) * np.sign(along[:-1]) < 0
    if pairs.sum() >= 2 and flips[pairs].mean() > 0.5:
        return "too large: oscillates"
    if np.linalg.norm(points[-1] - minimum) > 0.1 * np.linalg.norm(points[0] - minimum):
        return "too small: crawls"
    return "good: reaches the minimum"


def two_parameter_landscape(
    X: Any,
    y: Any,
    loss: str = "mse",
    learning_rates: Sequence[float] | None = None,
    epochs: int = 25,
    start: Sequence[float] | None = None,
    resolution: int = 121,
) -> TwoParameterLandscape:
    """The exact objective of ``f(x) = w x + b`` over the ``(w, b)`` plane, with gradient-descent paths.

    Parameters
    ----------
    X : array_like, shape (n_samples, 1) or (n_samples,)
        One feature.
    y : array_like, shape (n_samples,)
        Numbers for ``loss="mse"``; 0/1 labels for ``loss="bce_with_logits"`` (logistic regression).
    loss : {"mse", "bce_with_logits"}, default "mse"
    learning_rates : sequence of float, optional
        One path per rate. By default four, from the curvature ``L`` at the minimum: ``0.1/L`` (too
        small), ``1/L`` (good), ``1.8/L`` (oscillates) and ``2.2/L`` (diverges, for mse).
    epochs : int, default 25
        Full-batch steps per path, each one taken by :func:`descenso.fit` with ``optimizer="sgd"``.
    start : (w, b), optional
        Where every path starts; by default ``(0, 0)``, or ``(w* - 1.5, b* - 1.5)`` when the
        minimum is within 0.5 of the origin.
    resolution : int, default 121
        Grid points per axis.

    Returns
    -------
    TwoParameterLandscape

    Raises
    ------
    ValueError
        For more than one feature, an unknown loss, non-0/1 labels with the logistic loss, or a
        learning rate that is not positive.

    Notes
    -----
    For mse, ``J(w, b) = 1/n sum (w x_i + b - y_i)^2`` is a quadratic bowl with Hessian
    ``H = 2/n A^T A``, ``A = [x 1]``: gradient descent shrinks the distance to the minimum along each
    eigenvector by ``|1 - lr lambda|`` per step, so it crawls for small ``lr``, oscillates for
    ``1/L < lr < 2/L`` and diverges past ``2/L``. The labels on the paths are read off the paths.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, 1.0, 2.0, 3.0])
    >>> scape = two_parameter_landscape(x, 2 * x - 1, epochs=40)
    >>> [path.label for path in scape.paths]
    ['too small: crawls', 'good: reaches the minimum', 'too large: oscillates', 'too large: diverges']
    """
    x = np.asarray(X, dtype=np.float64)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise ValueError(
            f"a two-parameter landscape needs one feature; got X of shape {np.shape(X)}. "
            "Fix: pick one column, or use descenso.landscape.random_slice for a network"
        )
    target = np.asarray(y, dtype=np.float64).reshape(-1)
    if target.shape != x.shape or x.size < 2:
        raise ValueError(f"X has {x.size} rows and y has {target.size} values; expected the same, at least 2")
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {', '.join(_LOSSES)}; got {loss!r}")
    minimum, hessian = exact_minimum(x, target, loss)
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)
    curvature, top = float(eigenvalues[-1]), eigenvectors[:, -1]
    rates = [f / curvature for f in (0.1, 1.0, 1.8, 2.2)] if learning_rates is None else list(learning_rates)
    if not all(np.isfinite(r) and r > 0 for r in rates):
        raise ValueError(f"learning rates must be positive numbers; got {rates}")
    origin = np.zeros(2)
    if start is not None:
        origin = np.asarray(start, dtype=np.float64).reshape(2)
    elif np.all(np.abs(minimum) < 0.5):
        origin = minimum - 1.5
    best = float(objective(minimum[0], minimum[1], x, target, loss))
    paths = []
    for lr in rates:
        points = _descend(x, target, loss, float(lr), epochs, origin)
        values = objective(points[:, 0], points[:, 1], x, target, loss)
        big = np.nonzero(~np.isfinite(values) | (values > 1e12))[0]
        label = _label(points, values, minimum, top, best)
        paths.append(DescentPath(float(lr), label, points, values, int(big[0]) if big.size else None))
    # The grid holds the start and every path that does not diverge (an oscillating one overshoots).
    kept = [origin[None], *(p.points for p in paths if not p.label.endswith("diverges"))]
    reach = np.max(np.abs(np.concatenate(kept) - minimum), axis=0)
    half = np.maximum(1.15 * reach, 0.5)
    w = np.linspace(minimum[0] - half[0], minimum[0] + half[0], resolution)
    b = np.linspace(minimum[1] - half[1], minimum[1] + half[1], resolution)
    W, B = np.meshgrid(w, b)
    values = objective(W, B, x, target, loss)
    return TwoParameterLandscape(loss, w, b, values, minimum, best, curvature, paths)
