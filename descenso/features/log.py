"""Log scaling of non-negative columns with a long right tail (prices, counts, areas)."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.features.base import Transform, column_indices
from descenso.features.columns import as_columns

__all__ = ["Log"]


class Log(Transform):
    """``log(1 + x)`` of the chosen non-negative columns; other columns pass through.

    Parameters
    ----------
    columns : list of int, optional
        The columns to transform; default all.

    Raises
    ------
    ValueError
        In ``fit`` or ``transform``, if a chosen column holds a negative value (the message
        names the column, the row and the value).

    Notes
    -----
    ``log1p(x) = log(1 + x)`` is defined at ``x = 0`` and accurate for small ``x``. It turns
    multiplicative differences into additive ones, so a linear model can fit
    ``y ~ a * log(x)`` and a few huge values stop dominating the squared loss.

    Examples
    --------
    >>> X = np.array([[0.0, -5.0], [np.e - 1, 2.0]], dtype=np.float32)
    >>> Log(columns=[0]).fit_transform(X)
    array([[ 0., -5.],
           [ 1.,  2.]], dtype=float32)
    """

    name = "log"

    def __init__(self, columns: list[int] | None = None) -> None:
        self.columns = as_columns(columns, "Log")

    def get_params(self) -> dict[str, Any]:
        return {"columns": self.columns}

    def _cols(self, d: int) -> list[int]:
        return column_indices(self.columns, d, "Log")

    def _check(self, X: np.ndarray) -> None:
        for c in self._cols(X.shape[1]):
            negative = np.flatnonzero(X[:, c] < 0)
            if negative.size:
                row = int(negative[0])
                raise ValueError(
                    f"Log: column {c} has {negative.size} negative values (the first is X[{row}, {c}] = "
                    f"{X[row, c]:g}); log1p needs x >= 0. Leave that column out with columns=[...] "
                    "or shift it to be non-negative first"
                )

    def _fit(self, X: np.ndarray) -> None:
        self._check(X)

    def _transform(self, X: np.ndarray) -> np.ndarray:
        self._check(X)
        out = X.copy()
        cols = self._cols(X.shape[1])
        out[:, cols] = np.log1p(X[:, cols])
        return out

    def get_feature_names_out(self, input_names: list[str] | None = None) -> list[str]:
        names = self._input_names(input_names)
        cols = set(self._cols(len(names)))
        return [f"log1p({name})" if i in cols else name for i, name in enumerate(names)]
