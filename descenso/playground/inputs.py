"""The playground's data and its representation: two input columns, a target, a train/test split.

Built-in sets come from :mod:`descenso.datasets`, uploaded CSV files from the
columns the user picked; the representation (x1, x2, x1², ..., r, θ) is a
:class:`descenso.features.Pipeline`, so it is fitted on the training points only
and saves with an exported model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from descenso import datasets, features
from descenso.playground.protocol import FEATURES, Config

# The representation's columns as formulas of descenso's expression language, over the input
# columns (x1, x2) and the polar columns (r, theta). "theta" is atan2(x2, x1), which the expression
# language lacks, so it comes from features.Polar.
_FORMULAS = {"x1^2": "x1**2", "x2^2": "x2**2", "x1*x2": "x1*x2", "sin(x1)": "sin(x1)", "sin(x2)": "sin(x2)"}
_POLAR_NAMES = ["r", "theta", "sin_theta", "cos_theta", "x1", "x2"]


@dataclass
class PlaygroundData:
    """Points, split and the plane they live on.

    Attributes
    ----------
    X_train, X_test : numpy.ndarray, shape (n, 2), float32
        The two raw input columns.
    y_train, y_test : numpy.ndarray, shape (n,), float32
        0/1 for classification, numbers for regression.
    task : {"classification", "regression"}
    column_names : list of str
        Names of the two inputs (``x1, x2`` or the CSV's columns).
    target_name : str
    classes : list or None
        The CSV's two original labels (label 0 first), for classification.
    bounds : tuple of 4 floats
        ``(x1_low, x1_high, x2_low, x2_high)`` of the plane drawn.
    target_range : tuple of 2 floats
        The values mapped to the two ends of the colour scale.
    standardize : bool
        Whether the inputs are standardised before the representation (uploaded data).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    task: str
    column_names: list[str]
    target_name: str
    classes: list[Any] | None
    bounds: tuple[float, float, float, float]
    target_range: tuple[float, float]
    standardize: bool


def builtin_points(config: Config) -> tuple[np.ndarray, np.ndarray]:
    """Draw the built-in dataset ``config.dataset`` with its noise, size and data seed.

    Parameters
    ----------
    config : protocol.Config

    Returns
    -------
    X : numpy.ndarray, shape (points, 2), float32
    y : numpy.ndarray, shape (points,), float32

    ``sine`` has one input; the playground draws on a plane, so a second input
    ``x2``, uniform on the same interval and unrelated to ``y``, is added: the
    network has to learn to ignore it.
    """
    rng = np.random.default_rng(config.data_seed)
    X, y, _ = datasets.load(config.dataset, n=config.points, noise=config.noise, rng=rng)
    if X.shape[1] == 1:
        low, high = float(X.min()), float(X.max())
        X = np.concatenate([X, rng.uniform(low, high, (len(X), 1)).astype(X.dtype)], axis=1)
    return X.astype(np.float32), y.astype(np.float32)


def split(X: np.ndarray, y: np.ndarray, test_ratio: float, seed: int) -> tuple[np.ndarray, ...]:
    """Shuffle with ``seed`` and cut off ``test_ratio`` of the rows as the test set (at least one each).

    Parameters
    ----------
    X, y : numpy.ndarray
    test_ratio : float in (0, 1)
    seed : int

    Returns
    -------
    X_train, y_train, X_test, y_test : numpy.ndarray

    Examples
    --------
    >>> X_train, y_train, X_test, y_test = split(np.zeros((10, 2)), np.arange(10.0), 0.3, seed=0)
    >>> len(X_train), len(X_test), sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(10))
    (7, 3, True)
    """
    order = np.random.default_rng([seed, 1]).permutation(len(X))  # a stream apart from the data's
    n_test = min(len(X) - 1, max(1, round(test_ratio * len(X))))
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]


def make_data(config: Config, table: Any = None) -> PlaygroundData:
    """Build the points of a run: a built-in set, or the chosen columns of an uploaded table.

    Parameters
    ----------
    config : protocol.Config
    table : pyarrow.Table, optional
        The uploaded table, when ``config.dataset == "csv"``.

    Returns
    -------
    PlaygroundData

    Raises
    ------
    ValueError
        For CSV columns that cannot serve (see :func:`descenso.playground.uploads.csv_columns`).
    """
    if config.dataset == "csv":
        from descenso.playground.uploads import csv_columns

        assert config.csv is not None
        X, y, classes = csv_columns(table, config.csv.x1, config.csv.x2, config.csv.target, config.task)
        names, target, standardize = [config.csv.x1, config.csv.x2], config.csv.target, True
    else:
        X, y = builtin_points(config)
        names, target, classes, standardize = ["x1", "x2"], "y", None, False
    X_train, y_train, X_test, y_test = split(X, y, config.test_ratio, config.data_seed)
    low, high = X.min(axis=0), X.max(axis=0)
    pad = 0.08 * np.maximum(high - low, 1e-6)
    bounds = (
        float(low[0] - pad[0]),
        float(high[0] + pad[0]),
        float(low[1] - pad[1]),
        float(high[1] + pad[1]),
    )
    if config.task == "classification":
        target_range = (0.0, 1.0)
    else:
        spread = max(float(y.max() - y.min()), 1e-6)
        target_range = (float(y.min() - 0.05 * spread), float(y.max() + 0.05 * spread))
    return PlaygroundData(X_train, y_train, X_test, y_test, config.task, names, target, classes, bounds,
                          target_range, standardize)  # fmt: skip


def representation(chosen: Sequence[str], standardize: bool) -> features.Pipeline:
    """The transform from the two raw inputs to the chosen feature columns, in ``FEATURES`` order.

    Parameters
    ----------
    chosen : list of str
        Names from ``protocol.FEATURES``: ``x1 x2 x1^2 x2^2 x1*x2 sin(x1) sin(x2) r theta``.
    standardize : bool
        Standardise the two inputs first (fitted on the training points).

    Returns
    -------
    descenso.features.Pipeline
        Unfitted.

    Notes
    -----
    Without r or θ: ``Expression(formulas, keep_input=False)``. With them the two
    inputs are copied (``Expression(["x1", "x2"])`` keeps the input and appends the
    copies), ``Polar`` turns the copies into ``r, θ, sin θ, cos θ`` and a last
    ``Expression`` over ``r, θ, sin θ, cos θ, x1, x2`` picks the chosen columns.

    Examples
    --------
    >>> X = np.array([[3.0, 4.0]], dtype=np.float32)
    >>> representation(["x1", "x1*x2", "r"], standardize=False).fit_transform(X)
    array([[ 3., 12.,  5.]], dtype=float32)
    """
    ordered = [name for name in FEATURES if name in chosen]
    formulas = [_FORMULAS.get(name, name) for name in ordered]
    steps: list[Any] = [features.Standardize()] if standardize else []
    if "r" in ordered or "theta" in ordered:
        steps += [features.Expression(["x1", "x2"]), features.Polar(columns=[2, 3])]
        steps.append(features.Expression(formulas, names=_POLAR_NAMES, keep_input=False))
    else:
        steps.append(features.Expression(formulas, keep_input=False))
    return features.Pipeline(steps)


def plane(bounds: tuple[float, float, float, float], size: int) -> np.ndarray:
    """A ``size x size`` grid over the plane as rows of (x1, x2), top row first (largest x2).

    Parameters
    ----------
    bounds : tuple of 4 floats
        ``(x1_low, x1_high, x2_low, x2_high)``.
    size : int

    Returns
    -------
    numpy.ndarray, shape (size * size, 2), float32

    Examples
    --------
    >>> plane((0.0, 1.0, 0.0, 1.0), 2).tolist()
    [[0.0, 1.0], [1.0, 1.0], [0.0, 0.0], [1.0, 0.0]]
    """
    x1 = np.linspace(bounds[0], bounds[1], size)
    x2 = np.linspace(bounds[3], bounds[2], size)
    grid1, grid2 = np.meshgrid(x1, x2)  # (size, size) each, row i is x2[i]
    return np.stack([grid1.ravel(), grid2.ravel()], axis=1).astype(np.float32)
