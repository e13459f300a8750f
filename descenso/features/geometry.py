"""Geometric representations: Polar (radius and angle of two columns) and Radial (distance to a centre).

The course notes' example: concentric circles cannot be separated by a line in
cartesian coordinates ``(x1, x2)``, but in polar coordinates the class depends on
the radius alone, and one threshold separates them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.features.base import Transform, column_indices
from descenso.features.columns import as_columns, describe_columns

__all__ = ["Polar", "Radial"]


def _center_param(center: Any, size: int | None, who: str) -> Any:
    """Validate ``center``: None, "mean" (Polar only) or a list of numbers."""
    if center is None or center == "mean":
        return center
    values = [float(v) for v in np.ravel(np.asarray(center, dtype=np.float64))]
    if size is not None and len(values) != size:
        raise ValueError(f"{who}: center must have {size} numbers (one per column); got {center!r}")
    return values


class Polar(Transform):
    """Replace two columns by their polar coordinates: radius, angle, sin(angle), cos(angle).

    Parameters
    ----------
    columns : pair of int or str, optional
        The columns used as ``(x, y)``, by index or by name (names are resolved
        against the column names given to ``fit``, e.g. a table's). Required when X has
        more than two columns: the step never guesses which (on a table the first two
        columns may well be one-hot columns of a text column). ``"polar(x,y)"`` names
        them in a spec string.
    center : None, "mean" or pair of floats, default None
        The pole. ``None`` is the origin ``(0, 0)`` — polar coordinates as usually
        defined; standardise first, or pass ``"mean"`` to use the training mean of the
        two columns, or give the centre explicitly.

    Notes
    -----
    With ``dx = x - cx`` and ``dy = y - cy``: ``r = sqrt(dx^2 + dy^2)`` and
    ``angle = atan2(dy, dx)`` in ``(-pi, pi]``. The angle jumps from ``pi`` to
    ``-pi`` on the negative x axis (a seam); ``sin(angle) = dy / r`` and
    ``cos(angle) = dx / r`` carry the same direction without the jump (both 0 at
    ``r = 0``). Output columns: ``r, angle, sin, cos``, then the other input columns in
    their order.

    Examples
    --------
    >>> X = np.array([[3.0, 4.0], [0.0, -2.0]], dtype=np.float32)
    >>> Polar().fit_transform(X).round(4)
    array([[ 5.    ,  0.9273,  0.8   ,  0.6   ],
           [ 2.    , -1.5708, -1.    ,  0.    ]], dtype=float32)
    """

    name = "polar"
    state_names = ("center",)

    def __init__(self, columns: Any = None, center: Any = None) -> None:
        self.columns = as_columns(columns, "Polar")
        if self.columns is not None and (len(self.columns) != 2 or self.columns[0] == self.columns[1]):
            raise ValueError(f"Polar: columns must be two different columns; got {self.columns}")
        self.center = _center_param(center, 2, "Polar")

    def get_params(self) -> dict[str, Any]:
        return {"columns": None if self.columns is None else list(self.columns), "center": self.center}

    def _use_names(self, input_names: list[str] | None, n_features: int) -> None:
        if self.columns is None and n_features != 2:
            if input_names is None:  # an array: columns are known by their index only
                raise ValueError(
                    f"Polar needs to be told which two columns are (x, y): the data has {n_features} "
                    "unnamed columns; give their indices, e.g. polar(0,1) or Polar(columns=(0, 1))"
                )
            numeric = [name for name in input_names if "=" not in name][:2]
            example = ",".join(numeric) if len(numeric) == 2 else "x,y"
            raise ValueError(
                f"Polar needs to be told which two columns are (x, y): the data has {n_features} columns, "
                f"{describe_columns(input_names)}; name them, e.g. polar({example})"
            )
        super()._use_names(input_names, n_features)

    @property
    def pair(self) -> list[int]:
        """The (x, y) column indices: ``columns``, or (0, 1) for an input of two columns."""
        return [0, 1] if self.columns is None else [int(c) for c in self.columns]

    def _fit(self, X: np.ndarray) -> None:
        column_indices(self.pair, X.shape[1], "Polar")
        if self.center is None:
            self.center_ = np.zeros(2)
        elif self.center == "mean":
            self.center_ = X[:, self.pair].mean(axis=0, dtype=np.float64)
        else:
            self.center_ = np.asarray(self.center, dtype=np.float64)

    def _transform(self, X: np.ndarray) -> np.ndarray:
        center = self.center_.astype(X.dtype)
        first, second = self.pair
        dx = X[:, first] - center[0]
        dy = X[:, second] - center[1]
        radius = np.hypot(dx, dy)
        safe = np.where(radius > 0, radius, 1)  # the direction at the pole is undefined: use 0
        polar = np.stack([radius, np.arctan2(dy, dx), dy / safe, dx / safe], axis=1)  # (n, 4)
        return np.concatenate([polar, X[:, self._others()]], axis=1).astype(X.dtype, copy=False)

    def _others(self) -> list[int]:
        used = {c % self.n_features_in_ for c in self.pair}
        return [i for i in range(self.n_features_in_) if i not in used]

    def get_feature_names_out(self, input_names: list[str] | None = None) -> list[str]:
        names = self._input_names(input_names)
        x, y = (names[c] for c in self.pair)
        polar = [f"r({x},{y})", f"angle({x},{y})", f"sin_angle({x},{y})", f"cos_angle({x},{y})"]
        return polar + [names[i] for i in self._others()]


class Radial(Transform):
    """The Euclidean distance of each sample to a centre, as one new feature.

    Parameters
    ----------
    columns : list of int, optional
        The columns that span the space; default all of them.
    center : None or list of floats, default None
        ``None`` fits the centre as the training mean of ``columns``; a list fixes it.
    keep_input : bool, default False
        Output the input columns first, then the distance.

    Notes
    -----
    ``r = sqrt(sum_j (x_j - c_j)^2)`` over the chosen columns. A target or class that
    depends only on the distance to a point (rings, bumps) becomes a function of one
    feature.

    Examples
    --------
    >>> X = np.array([[1.0, 1.0], [3.0, 1.0]], dtype=np.float32)
    >>> Radial().fit_transform(X).ravel()      # centre fitted at (2, 1)
    array([1., 1.], dtype=float32)
    >>> Radial(center=[0, 0]).fit_transform(X).ravel().round(4)
    array([1.4142, 3.1623], dtype=float32)
    """

    name = "radial"
    state_names = ("center",)

    def __init__(
        self, columns: list[int] | None = None, center: Any = None, keep_input: bool = False
    ) -> None:
        self.columns = as_columns(columns, "Radial")
        if center == "mean":
            raise ValueError(
                "Radial: center=None already means the fitted mean; pass None or a list of numbers"
            )
        self.center = _center_param(center, None if columns is None else len(self.columns or []), "Radial")
        self.keep_input = bool(keep_input)

    def get_params(self) -> dict[str, Any]:
        return {"columns": self.columns, "center": self.center, "keep_input": self.keep_input}

    def _cols(self, d: int) -> list[int]:
        return column_indices(self.columns, d, "Radial")

    def _fit(self, X: np.ndarray) -> None:
        cols = self._cols(X.shape[1])
        if not cols:
            raise ValueError("Radial: columns is empty; give at least one column, or None for all")
        if self.center is None:
            self.center_ = X[:, cols].mean(axis=0, dtype=np.float64)
        elif len(self.center) != len(cols):
            raise ValueError(
                f"Radial: center has {len(self.center)} numbers but there are {len(cols)} columns"
            )
        else:
            self.center_ = np.asarray(self.center, dtype=np.float64)

    def _transform(self, X: np.ndarray) -> np.ndarray:
        diff = X[:, self._cols(X.shape[1])] - self.center_.astype(X.dtype)
        radius = np.sqrt(np.sum(diff * diff, axis=1, keepdims=True))  # (n, 1)
        return np.concatenate([X, radius], axis=1) if self.keep_input else radius.astype(X.dtype, copy=False)

    def get_feature_names_out(self, input_names: list[str] | None = None) -> list[str]:
        names = self._input_names(input_names)
        distance = "r(" + ",".join(names[c] for c in self._cols(len(names))) + ")"
        return [*names, distance] if self.keep_input else [distance]
