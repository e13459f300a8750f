"""Linear and logistic regression: the notes' starting point, solved exactly and by gradient descent.

A linear model ``f(x) = x . w + b`` has a convex objective, so there is one
minimum and it can be computed exactly: least squares in closed form for
regression, Newton's method (IRLS) for logistic regression. The same models
trained by :func:`descenso.train.fit` must reach that minimum; the exact
solution is the reference that ``History.optimum_gap`` measures against.

The objectives are exactly those ``fit`` minimises with ``l2``:

    regression:      J(w, b) = 1/n sum (x_i . w + b - y_i)^2                   + l2/2 ||w||^2
    classification:  J(w, b) = 1/n sum log(1 + e^z_i) - y_i z_i,  z_i = x_i.w+b   + l2/2 ||w||^2

With ``sample_weight`` the mean ``1/n sum_i`` becomes the weighted mean ``sum_i v_i (.) / sum_i v_i``,
as in the losses of :mod:`descenso.losses`.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from descenso.history import History
from descenso.stopping import ConvergenceWarning, GradientNorm

__all__ = [
    "LinearRegression",
    "LogisticRegression",
    "least_squares",
    "logistic_newton",
    "logistic_objective",
    "mse_objective",
]


def _design(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """X with a column of ones appended (the intercept), and y, as float64 after shape checks."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if X.ndim != 2:
        raise ValueError(f"expected X of shape (n_samples, n_features); got shape {X.shape}")
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(f"X has {len(X)} rows and y has {len(y)} values; expected the same, at least one")
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise ValueError("X and y must be finite; drop or fill the NaN and infinite values first")
    return np.hstack([X, np.ones((len(X), 1))]), y


def mse_objective(weight: Any, bias: float, X: Any, y: Any, l2: float = 0.0) -> float:
    """The least-squares objective ``1/n ||Xw + b - y||^2 + l2/2 ||w||^2`` in float64."""
    A, y = _design(X, y)
    w = np.asarray(weight, dtype=np.float64).reshape(-1)
    residual = A @ np.append(w, bias) - y
    return float(np.mean(residual**2) + l2 / 2 * w @ w)


def logistic_objective(weight: Any, bias: float, X: Any, y: Any, l2: float = 0.0) -> float:
    """The logistic objective ``1/n sum softplus(z) - y z + l2/2 ||w||^2`` in float64 (stable for large z)."""
    A, y = _design(X, y)
    w = np.asarray(weight, dtype=np.float64).reshape(-1)
    z = A @ np.append(w, bias)
    return float(np.mean(np.logaddexp(0.0, z) - y * z) + l2 / 2 * w @ w)


def _relative_weights(sample_weight: Any, n: int) -> np.ndarray | None:
    """``sample_weight`` scaled to sum to ``n`` (so the weighted mean is ``1/n sum v_i (.)``), checked."""
    if sample_weight is None:
        return None
    v = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
    if v.shape != (n,):
        raise ValueError(f"sample_weight has {v.size} values for {n} rows; expected one weight per row")
    if not np.isfinite(v).all() or (v < 0).any() or v.sum() <= 0:
        raise ValueError("sample_weight must be finite and non-negative, with a positive sum")
    return v * (n / v.sum())


def least_squares(X: Any, y: Any, l2: float = 0.0, sample_weight: Any = None) -> tuple[np.ndarray, float]:
    """The exact minimiser of the (ridge) least-squares objective, in float64.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
    y : array_like, shape (n_samples,)
    l2 : float, default 0
        Ridge strength on the weights (not on the intercept), as in ``fit(l2=...)``.
    sample_weight : array_like, shape (n_samples,), optional
        Non-negative weights: the weighted mean of the squared residuals is minimised.

    Returns
    -------
    weight : numpy.ndarray, shape (n_features,)
    bias : float

    Notes
    -----
    Setting the gradient of ``J`` to zero gives ``(A^T A + n l2/2 D) theta = A^T y``
    with ``A = [X 1]`` and ``D = diag(1, ..., 1, 0)``. Rather than forming
    ``A^T A`` (which squares the condition number), it solves the equivalent
    stacked least-squares problem ``[A; sqrt(n l2/2) D] theta ~ [y; 0]`` with
    ``np.linalg.lstsq`` (SVD-based, also fine for rank-deficient ``X``). Weights scale each row of
    ``A`` and ``y`` by ``sqrt(v_i)``, ``v`` the weights scaled to sum to ``n``.

    Examples
    --------
    >>> from descenso.linear_models import least_squares
    >>> w, b = least_squares([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
    >>> print(w.round(6), round(b, 6))
    [2.] 1.0
    """
    A, y = _design(X, y)
    n, d = A.shape
    v = _relative_weights(sample_weight, n)
    if v is not None:
        root = np.sqrt(v)
        A, y = A * root[:, None], y * root
    if l2:
        penalty = np.sqrt(n * l2 / 2) * np.eye(d)[:-1]  # (d - 1, d): no row for the intercept
        A, y = np.vstack([A, penalty]), np.concatenate([y, np.zeros(d - 1)])
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    return theta[:-1], float(theta[-1])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # exact identity, and no overflow for large |z|


def logistic_newton(
    X: Any, y: Any, l2: float = 0.0, tol: float = 1e-10, max_iter: int = 100, sample_weight: Any = None
) -> tuple[np.ndarray, float, int]:
    """The exact minimiser of the logistic objective by Newton's method (IRLS), in float64.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
    y : array_like, shape (n_samples,)
        0/1 labels.
    l2 : float, default 0
        Penalty on the weights; needed when the classes are linearly separable
        (then no finite minimum exists without it).
    tol : float, default 1e-10
        Stop when the Newton decrement ``sqrt(g^T H^-1 g)``, the distance to the
        optimum as the Hessian measures it, is below ``tol``.
    max_iter : int, default 100
    sample_weight : array_like, shape (n_samples,), optional
        Non-negative weights: the weighted mean of the log-losses is minimised.

    Returns
    -------
    weight : numpy.ndarray, shape (n_features,)
    bias : float
    n_iter : int
        Newton steps taken.

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` steps did not reach ``tol`` (e.g. separable data with ``l2=0``).

    Notes
    -----
    With ``p = sigmoid(A theta)`` and ``v`` the weights scaled to sum to ``n`` (all ones without
    them): gradient ``g = A^T v (p - y) / n + l2 D theta``, Hessian
    ``H = A^T diag(v p (1 - p)) A / n + l2 D``; the step is ``theta <- theta - t H^-1 g``,
    with ``t`` halved until the objective decreases enough (Armijo), so it never overshoots.
    Each step is a weighted least-squares solve, hence "iteratively reweighted least squares".

    Examples
    --------
    >>> from descenso.linear_models import logistic_newton
    >>> w, b, steps = logistic_newton([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1])
    >>> print(w.round(4), round(b, 4))
    [0.9082] -1.3623
    """
    A, y = _design(X, y)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("logistic_newton: y must hold 0/1 labels; map your two classes to 0 and 1 first")
    n, d = A.shape
    v = _relative_weights(sample_weight, n)
    v = np.ones(n) if v is None else v
    reg = np.full(d, float(l2))
    reg[-1] = 0.0  # the intercept is not penalised

    def objective(theta: np.ndarray) -> float:
        z = A @ theta
        return float(np.mean(v * (np.logaddexp(0.0, z) - y * z)) + 0.5 * theta @ (reg * theta))

    theta = np.zeros(d)
    for step in range(1, max_iter + 1):
        p = _sigmoid(A @ theta)
        gradient = A.T @ (v * (p - y)) / n + reg * theta
        hessian = (A.T * (v * p * (1 - p))) @ A / n + np.diag(reg)
        direction = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        decrement = float(gradient @ direction)  # g^T H^-1 g >= 0
        if np.sqrt(max(decrement, 0.0)) <= tol:
            return theta[:-1], float(theta[-1]), step - 1
        t, current = 1.0, objective(theta)
        while objective(theta - t * direction) > current - 0.25 * t * decrement and t > 1e-10:
            t /= 2
        theta = theta - t * direction
    warnings.warn(
        f"logistic_newton did not converge in {max_iter} steps (tol={tol:g}); the classes may be linearly "
        "separable, where no finite minimum exists. Fix: pass l2 > 0, e.g. l2=1e-3",
        ConvergenceWarning,
        stacklevel=2,
    )
    return theta[:-1], float(theta[-1]), max_iter


class _LinearModel:
    """Shared parts: store arguments, build the one-layer network, train it with ``fit``."""

    _loss = "mse"
    _exact_solver = "lstsq"
    _objective: Callable[..., float]

    def _exact(self, X: Any, y: Any) -> tuple[np.ndarray, float]:
        raise NotImplementedError

    def __init__(
        self,
        solver: str | None = None,
        l2: float = 0.0,
        lr: float | None = None,
        epochs: int = 5000,
        tol: float = 1e-8,
        dtype: str = "float64",
    ) -> None:
        self.solver = solver or self._exact_solver
        self.l2, self.lr, self.epochs, self.tol, self.dtype = l2, lr, epochs, tol, dtype

    def fit(self, X: Any, y: Any) -> Any:
        """Fit exactly or by full-batch gradient descent from zero weights; return self."""
        if self.solver not in (self._exact_solver, "gd"):
            raise ValueError(f"solver must be {self._exact_solver!r} or 'gd'; got {self.solver!r}")
        weight, bias = self._exact(X, y)
        self.objective_ = self._objective(weight, bias, X, y, self.l2)
        self.history_: History | None = None
        if self.solver == "gd":
            weight, bias = self._gradient_descent(X, y, reference=self.objective_)
            self.objective_ = self._objective(weight, bias, X, y, self.l2)
        self.coef_, self.intercept_ = np.asarray(weight, dtype=self.dtype), float(bias)
        return self

    def _gradient_descent(self, X: Any, y: Any, reference: float) -> tuple[np.ndarray, float]:
        from descenso.nn import Linear
        from descenso.optim import SGD
        from descenso.train import fit

        X = np.asarray(X, dtype=self.dtype)
        model = Linear(X.shape[1], 1, rng=0, dtype=self.dtype)
        for p in model.parameters():
            p.data[...] = 0  # start at the origin: deterministic, and the same for every run
        lr = self.lr if self.lr is not None else 1.0 / self.lipschitz(X)
        self.history_ = fit(
            model,
            X,
            np.asarray(y, dtype=self.dtype),
            loss=self._loss,
            optimizer=SGD(model.parameters(), lr=lr),
            epochs=self.epochs,
            batch_size=None,
            stop=[GradientNorm(self.tol)],
            l2=self.l2,
            reference_loss=reference,
        )
        assert model.bias is not None
        return model.weight.data.reshape(-1).astype(np.float64), float(model.bias.data[0])

    def lipschitz(self, X: Any) -> float:
        """The largest curvature ``L`` of the objective: ``lr = 1/L`` makes every GD step decrease it.

        Notes
        -----
        For least squares ``L = lambda_max(2/n A^T A + l2 D)``; for logistic
        regression the Hessian is bounded by ``1/(4n) A^T A + l2 D`` because ``p(1-p) <= 1/4``.
        """
        A, _ = _design(X, np.zeros(len(X)))
        scale = 2.0 if self._loss == "mse" else 0.25
        reg = np.full(A.shape[1], float(self.l2))
        reg[-1] = 0.0
        return float(np.linalg.eigvalsh(scale * A.T @ A / len(A) + np.diag(reg))[-1])

    def decision_function(self, X: Any) -> np.ndarray:
        """``X . coef_ + intercept_``."""
        return np.asarray(X, dtype=self.dtype) @ self.coef_ + self.intercept_

    def __repr__(self) -> str:
        return f"{type(self).__name__}(solver={self.solver!r}, l2={self.l2})"


class LinearRegression(_LinearModel):
    """Least-squares linear regression, exactly (``solver="lstsq"``) or by gradient descent (``"gd"``).

    Parameters
    ----------
    solver : {"lstsq", "gd"}, default "lstsq"
        ``"gd"``: full-batch gradient descent from zero weights with ``lr = 1/L``
        (see ``lipschitz``) until the gradient norm is below ``tol`` or ``epochs`` ran out.
    l2 : float, default 0
        Ridge penalty ``l2/2 ||w||^2``.
    lr, epochs, tol : gradient-descent settings.
    dtype : {"float64", "float32"}, default "float64"
        float64 so gradient descent can meet the exact optimum to ~1e-10.

    Attributes
    ----------
    coef_, intercept_ : the fitted weights.
    objective_ : float
        The objective at the fitted weights.
    history_ : History or None
        For ``"gd"``: the training record, with ``optimum_gap`` against the exact solution.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso.linear_models import LinearRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = 2 * X[:, 0] - 1
    >>> gd = LinearRegression(solver="gd").fit(X, y)
    >>> print(gd.coef_.round(6), round(gd.intercept_, 6), gd.history_.stopped_by)
    [2.] -1.0 gradient_norm
    """

    def _exact(self, X: Any, y: Any) -> tuple[np.ndarray, float]:
        return least_squares(X, y, self.l2)

    _objective = staticmethod(mse_objective)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values, shape (n_samples,)."""
        return self.decision_function(X)


class LogisticRegression(_LinearModel):
    """Logistic regression for 0/1 labels, exactly (``solver="newton"``) or by gradient descent (``"gd"``).

    Parameters and attributes are those of :class:`LinearRegression`; ``solver``
    is ``"newton"`` (IRLS, :func:`logistic_newton`) or ``"gd"``.

    Examples
    --------
    >>> from descenso.linear_models import LogisticRegression
    >>> X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1]
    >>> exact = LogisticRegression().fit(X, y)
    >>> gd = LogisticRegression(solver="gd").fit(X, y)
    >>> print(exact.coef_.round(4), gd.coef_.round(4), gd.history_.optimum_gap[-1] < 1e-12)
    [0.9082] [0.9082] True
    """

    _loss = "bce_with_logits"
    _exact_solver = "newton"

    def _exact(self, X: Any, y: Any) -> tuple[np.ndarray, float]:
        weight, bias, self.n_iter_ = logistic_newton(X, y, self.l2)
        return weight, bias

    _objective = staticmethod(logistic_objective)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ``[P(y=0), P(y=1)]``, shape (n_samples, 2), as in scikit-learn."""
        positive = _sigmoid(self.decision_function(X))
        return np.stack([1 - positive, positive], axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """0/1 predictions (probability above one half)."""
        return (self.decision_function(X) > 0).astype(np.int64)
