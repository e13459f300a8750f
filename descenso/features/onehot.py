"""One-hot encoding of numeric category codes: one indicator column per category seen in training."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.features.base import Transform, column_indices
from descenso.features.columns import as_columns

__all__ = ["OneHot"]


class OneHot(Transform):
    """Replace each chosen column by 0/1 indicators, one per value seen in training.

    Parameters
    ----------
    columns : list of int, optional
        The columns holding category codes; default all columns. The other columns
        pass through unchanged, in place.

    Notes
    -----
    A column with categories ``c_1 < ... < c_k`` (sorted training values) becomes
    ``k`` columns with ``1`` where ``x == c_j``. A value not seen in training becomes
    all zeros in that block (it matches no known category) instead of an error, so
    predictions on new data still run. Text categories are encoded by
    :func:`descenso.data.read`, which uses this same rule.

    Attributes
    ----------
    categories_ : list of numpy.ndarray
        The sorted categories of each encoded column.

    Examples
    --------
    >>> X = np.array([[0.0, 1.5], [2.0, 2.5], [0.0, 3.5]], dtype=np.float32)
    >>> encoder = OneHot(columns=[0]).fit(X)
    >>> encoder.transform(np.array([[2.0, 9.0], [7.0, 9.0]], dtype=np.float32))
    array([[0., 1., 9.],
           [0., 0., 9.]], dtype=float32)
    >>> encoder.get_feature_names_out()
    ['x1=0', 'x1=2', 'x2']
    """

    name = "onehot"

    def __init__(self, columns: list[int] | None = None) -> None:
        self.columns = as_columns(columns, "OneHot")

    def get_params(self) -> dict[str, Any]:
        return {"columns": self.columns}

    def _cols(self, d: int) -> list[int]:
        return column_indices(self.columns, d, "OneHot")

    def _fit(self, X: np.ndarray) -> None:
        self.categories_ = [np.unique(X[:, c]).astype(np.float64) for c in self._cols(X.shape[1])]

    def _transform(self, X: np.ndarray) -> np.ndarray:
        blocks = []
        encoded = dict(zip(self._cols(X.shape[1]), self.categories_, strict=True))
        for i in range(X.shape[1]):
            if i in encoded:
                blocks.append((X[:, i : i + 1] == encoded[i].astype(X.dtype)).astype(X.dtype))  # (n, k)
            else:
                blocks.append(X[:, i : i + 1])
        return np.concatenate(blocks, axis=1)

    def state_dict(self) -> dict[str, np.ndarray]:
        """One array per encoded column: ``"categories.0"``, ``"categories.1"``, ..."""
        return {f"categories.{j}": values.copy() for j, values in enumerate(self.categories_)}

    def load_state_dict(self, state: dict[str, np.ndarray], n_features_in: int) -> None:
        count = len(self._cols(n_features_in))
        missing = [f"categories.{j}" for j in range(count) if f"categories.{j}" not in state]
        if missing:
            raise ValueError(f"OneHot: the saved state lacks {', '.join(missing)}")
        self.categories_ = [np.array(state[f"categories.{j}"], dtype=np.float64) for j in range(count)]
        self.n_features_in_ = int(n_features_in)

    def get_feature_names_out(self, input_names: list[str] | None = None) -> list[str]:
        names = self._input_names(input_names)
        encoded = dict(zip(self._cols(len(names)), self.categories_, strict=True))
        out: list[str] = []
        for i, name in enumerate(names):
            out.extend([f"{name}={value:g}" for value in encoded[i]] if i in encoded else [name])
        return out
