"""Polynomial features: every product of input columns up to a degree."""

from __future__ import annotations

import math
from itertools import combinations, combinations_with_replacement
from typing import Any

import numpy as np

from descenso.features.base import Transform

__all__ = ["Polynomial"]


MAX_COLUMNS = 100_000  # 400 MB per 1 000 float32 rows; beyond it a fit would stall (or a forged file)


class Polynomial(Transform):
    """All monomials of the inputs of total degree 1 to ``degree``.

    Parameters
    ----------
    degree : int, default 2
        The highest total degree (>= 1).
    interaction_only : bool, default False
        Only products of distinct columns (``x1*x2``, not ``x1**2``).
    include_bias : bool, default False
        Put a column of ones first (usually not needed: the model has a bias).

    Notes
    -----
    The columns come in scikit-learn's ``PolynomialFeatures`` order: by degree, and
    within a degree in lexicographic order of the column indices. With ``d`` inputs
    there are ``C(d + degree, degree) - 1`` monomials (plus the bias). A linear model on
    them fits any polynomial of that degree; ``x1**2 + x2**2`` is the squared radius,
    so degree 2 already separates concentric circles.

    Examples
    --------
    >>> X = np.array([[2.0, 3.0]], dtype=np.float32)
    >>> Polynomial(degree=2).fit_transform(X)
    array([[2., 3., 4., 6., 9.]], dtype=float32)
    >>> Polynomial(degree=2).fit(X).get_feature_names_out()
    ['x1', 'x2', 'x1^2', 'x1*x2', 'x2^2']
    """

    name = "polynomial"

    def __init__(self, degree: int = 2, interaction_only: bool = False, include_bias: bool = False) -> None:
        if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)) or degree < 1:
            raise ValueError(f"Polynomial: degree must be an int >= 1; got {degree!r}")
        self.degree = int(degree)
        self.interaction_only = bool(interaction_only)
        self.include_bias = bool(include_bias)

    def get_params(self) -> dict[str, Any]:
        return {
            "degree": self.degree,
            "interaction_only": self.interaction_only,
            "include_bias": self.include_bias,
        }

    def _terms(self) -> list[tuple[int, ...]]:
        """Column-index tuples, one per output column; ``()`` is the bias."""
        d = self.n_features_in_
        degree = min(self.degree, d) if self.interaction_only else self.degree  # no longer products exist
        count = (
            sum(math.comb(d, k) for k in range(1, degree + 1))
            if self.interaction_only
            else math.comb(d + degree, degree) - 1
        )
        if count > MAX_COLUMNS:
            raise ValueError(
                f"Polynomial: degree {self.degree} on {d} features gives {count} columns, more than "
                f"{MAX_COLUMNS}; lower the degree or pick fewer columns first"
            )
        pick = combinations if self.interaction_only else combinations_with_replacement
        terms: list[tuple[int, ...]] = [()] if self.include_bias else []
        for k in range(1, degree + 1):
            terms.extend(pick(range(self.n_features_in_), k))
        return terms

    def _transform(self, X: np.ndarray) -> np.ndarray:
        terms = self._terms()
        out = np.empty((X.shape[0], len(terms)), dtype=X.dtype)  # (n, number of monomials)
        for j, term in enumerate(terms):
            column = np.ones(X.shape[0], dtype=X.dtype)
            for i in term:
                column = column * X[:, i]
            out[:, j] = column
        return out

    def get_feature_names_out(self, input_names: list[str] | None = None) -> list[str]:
        names = self._input_names(input_names)
        out = []
        for term in self._terms():
            parts = [
                names[i] if term.count(i) == 1 else f"{names[i]}^{term.count(i)}" for i in sorted(set(term))
            ]
            out.append("*".join(parts) or "1")
        return out
