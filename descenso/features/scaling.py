"""Rescaling columns: Standardize (zero mean, unit variance) and MinMax (to a range)."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.features.base import Transform

__all__ = ["Standardize", "MinMax"]


class Standardize(Transform):
    """Shift and scale every column to mean 0 and standard deviation 1 (fitted on training data).

    Notes
    -----
    ``z = (x - mean) / scale`` with ``mean`` and ``scale = std`` (population, ``ddof=0``)
    of the training data, computed in float64. A constant column has ``std = 0``; its
    scale is set to 1 so it becomes all zeros instead of NaN (scikit-learn does the same).
    Gradient descent converges faster when features share a scale: the loss surface is
    rounder, so one learning rate suits every weight.

    Attributes
    ----------
    mean_, scale_ : numpy.ndarray of float64, shape (d,)

    Examples
    --------
    >>> X = np.array([[1.0, 5.0], [3.0, 5.0]], dtype=np.float32)
    >>> Standardize().fit_transform(X)
    array([[-1.,  0.],
           [ 1.,  0.]], dtype=float32)
    """

    name = "standardize"
    state_names = ("mean", "scale")

    def _fit(self, X: np.ndarray) -> None:
        self.mean_ = X.mean(axis=0, dtype=np.float64)
        std = X.std(axis=0, dtype=np.float64)
        self.scale_ = np.where(std > 0, std, 1.0)

    def _transform(self, X: np.ndarray) -> np.ndarray:
        return ((X - self.mean_.astype(X.dtype)) / self.scale_.astype(X.dtype)).astype(X.dtype, copy=False)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """Undo the scaling: ``x = z * scale + mean``."""
        Z = np.asarray(Z)
        dtype = Z.dtype if Z.dtype in (np.float32, np.float64) else np.dtype(np.float32)
        return (Z * self.scale_ + self.mean_).astype(dtype)

    def get_feature_names_out(self, input_names: list[str] | None = None) -> list[str]:
        return self._input_names(input_names)


class MinMax(Transform):
    """Map every column linearly so its training minimum and maximum land on ``feature_range``.

    Parameters
    ----------
    feature_range : tuple of two floats, default (0.0, 1.0)
        The target interval ``(low, high)``, ``low < high``.

    Notes
    -----
    ``x' = low + (x - min) * (high - low) / (max - min)``. A constant column
    (``max == min``) is only shifted: it maps to ``low``. New data outside the
    training range maps outside ``feature_range`` (it is not clipped).

    Examples
    --------
    >>> X = np.array([[0.0], [5.0], [10.0]], dtype=np.float32)
    >>> MinMax(feature_range=(-1, 1)).fit_transform(X).ravel()
    array([-1.,  0.,  1.], dtype=float32)
    """

    name = "minmax"
    state_names = ("min", "range")

    def __init__(self, feature_range: tuple[float, float] | list[float] = (0.0, 1.0)) -> None:
        low, high = (float(v) for v in feature_range)
        if not low < high:
            raise ValueError(
                f"MinMax: feature_range must be (low, high) with low < high; got {feature_range}"
            )
        self.feature_range = (low, high)

    def get_params(self) -> dict[str, Any]:
        return {"feature_range": list(self.feature_range)}

    def _fit(self, X: np.ndarray) -> None:
        self.min_ = X.min(axis=0).astype(np.float64)
        spread = X.max(axis=0).astype(np.float64) - self.min_
        self.range_ = np.where(spread > 0, spread, 1.0)

    def _transform(self, X: np.ndarray) -> np.ndarray:
        low, high = self.feature_range
        out = low + (X.astype(np.float64) - self.min_) * ((high - low) / self.range_)
        return out.astype(X.dtype)

    def get_feature_names_out(self, input_names: list[str] | None = None) -> list[str]:
        return self._input_names(input_names)
