"""The linear candidate solved exactly: ridge least squares, or logistic regression by Newton's method.

The estimators' linear candidate (:mod:`._members`) is the model with no hidden layer. Its objective,
the training rows' (weighted) mean loss plus ``l2/2 ||w||^2``, is convex, so instead of stopping
gradient descent early on it, it is solved to its minimum with :mod:`descenso.linear_models`, as
scikit-learn's ``RidgeCV`` and ``LogisticRegression`` are. Only the two losses with an exact solver
are solved so: ``"mse"`` (least squares) and ``"bce_with_logits"`` (Newton's method, IRLS); with
another loss (``"mae"``, ``"huber"``, ``"hinge"``) the candidate is trained by gradient descent like
the networks.

Its one selection on the validation rows is the ridge strength, as early stopping's choice of an
epoch is the network's: on each of the ensemble's splits the objective is solved for every strength
``l2 = m / n``, ``m`` in :data:`PATH` (``n`` rows), and the strength with the lowest validation loss
averaged over the splits is kept (``RidgeCV`` chooses its strength the same way, by leave-one-out).
The path is scaled by ``1/n``, as scikit-learn's defaults are, and not by the networks' ``alpha``:
a linear model of ``n`` rows needs about ``1/n`` of shrinkage, a network's weight decay is chosen for
a network. When the
linear kind wins the choice, it is solved once more at that strength on every row, validation rows
included: nothing is left to stop early, so no row needs to be held out any more.

Each split's run is recorded as a :class:`~descenso.history.History` of one epoch (at that split's
best strength), and the fit's callbacks see it as one epoch, so the reports treat it as any other
run: its validation loss comes from the same loss function as the networks' (``val_loss``), its
metrics from the same functions, and ``grad_norm`` is the norm of autodiff's gradient of the
objective at the solution, about 0.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

__all__ = ["EXACT_LOSSES", "PATH", "solvable", "ExactLinear"]

#: The training losses whose linear model is solved exactly, and the method that solves it.
EXACT_LOSSES = {"mse": "least squares", "bce_with_logits": "Newton's method (IRLS)"}

#: The ridge strengths tried, times ``1/n`` (``n`` rows): ``l2 = 1/n`` is scikit-learn's
#: ``LogisticRegression(C=1)`` and ``RidgeCV``'s alphas (0.1, 1, 10) are ``0.2/n`` to ``20/n``; the
#: path goes from ``C=10`` down to ``C=1e-4``, a strength that leaves little but the intercept (the
#: prior the networks start from).
PATH = (0.1, 1.0, 10.0, 100.0, 1_000.0, 10_000.0)


def solvable(loss: Any) -> bool:
    """Whether the linear candidate with this training loss is solved exactly.

    Examples
    --------
    >>> solvable("mse"), solvable("bce_with_logits"), solvable("huber")
    (True, True, False)
    """
    return isinstance(loss, str) and loss in EXACT_LOSSES


class ExactLinear:
    """The linear candidate of one fit: solved on each split, then (if kept) on every row.

    Parameters
    ----------
    Z : numpy.ndarray, shape (n, d)
        The represented inputs (standardised), of every row.
    y_fit : numpy.ndarray, shape (n,)
        The target as training sees it (standardised for regression, 0/1 for classification).
    weights : numpy.ndarray or None
        The rows' weights (sample and class weights combined), or None.
    loss : str
        The training loss, one of :data:`EXACT_LOSSES`.
    parallel : object
        The fit's ranks (``agree``): rank 0's solutions are used on every rank, so they hold the
        same bits.
    metrics : list, optional
        The fit's ``metrics`` (names or callables, as :func:`descenso.train.fit` takes them),
        recorded for the training and the validation rows as a trained run records them.
    callbacks : list, optional
        The fit's callbacks: each solved split is one epoch to them (``on_train_begin``,
        ``on_epoch_end``, ``on_train_end``), as it is one epoch in its History.
    """

    def __init__(self, Z: np.ndarray, y_fit: np.ndarray, weights: np.ndarray | None, loss: str, parallel: Any,
                 metrics: Any = (), callbacks: Any = ()) -> None:  # fmt: skip
        from descenso import losses
        from descenso._fit_checks import metric_functions

        self.Z, self.y_fit, self.weights, self.loss = Z, y_fit, weights, loss
        self.strengths = [m / len(y_fit) for m in PATH]
        self.parallel = parallel
        self._loss_fn = losses.get(loss)
        self._metrics = metric_functions(list(metrics), self._loss_fn)
        self._callbacks = list(callbacks)
        self._splits: list[tuple[Any, list[tuple[Any, ...]], list[float]]] = []

    # ------------------------------------------------------------------ one split
    def fit_split(self, model: Any, rows: np.ndarray, validation: np.ndarray) -> Any:
        """Solve the path on ``rows``, score it on ``validation``; ``model`` gets this split's best.

        Returns the split's History: one epoch, at the strength of the lowest validation loss on
        this split (:meth:`finish` then picks one strength for every split).
        """
        from descenso.grad_mode import no_grad
        from descenso.history import History

        started = time.perf_counter()
        history = History()
        self._call("on_train_begin", model, history)
        w_rows = None if self.weights is None else self.weights[rows]
        solutions = self.parallel.agree([self._solve(rows, l2, w_rows) for l2 in self.strengths])
        scores = []
        for solution in solutions:
            _put(model, solution)
            with no_grad():
                scores.append(float(self._mean_loss(model, validation)[0].item()))
        self._splits.append((model, solutions, scores))
        best = int(np.argmin(scores))  # the first (weakest) of equal ones
        _put(model, solutions[best])
        l2 = self.strengths[best]
        model.zero_grad()
        data_loss, output = self._mean_loss(model, rows)
        layer = model.layers[-1]
        objective = data_loss + 0.5 * l2 * (layer.weight * layer.weight).sum()
        objective.backward()
        squares = [float(np.sum(p.grad.astype(np.float64) ** 2)) for p in model.parameters()]
        model.zero_grad()
        with no_grad():
            row = {name: metric(self.y_fit[rows], output.data) for name, metric in self._metrics.items()}
            val_output = model(_tensor(self.Z[validation])).data
            row.update({f"val_{name}": metric(self.y_fit[validation], val_output)
                        for name, metric in self._metrics.items()})  # fmt: skip
        history.record(epoch=1, train_loss=float(data_loss.item()), objective=float(objective.item()),
                       val_loss=scores[best], lr=0.0, grad_norm=float(np.sqrt(sum(squares))),
                       time=time.perf_counter() - started, metrics=row)  # fmt: skip
        history.n_steps = int(sum(solution[2] for solution in solutions))
        history.stopped_by = "exact"
        steps = f" ({solutions[best][2]} steps)" if self.loss != "mse" else ""
        history.stop_reason = (
            f"solved exactly by {EXACT_LOSSES[self.loss]}{steps} for {len(self.strengths)} ridge strengths; "
            f"on these validation rows l2={l2:g} was best (validation loss {scores[best]:.6g})"
        )
        self._call("on_epoch_end", 1, history.last_row(), model)
        self._call("on_train_end", history, model)
        return history

    def _solve(self, rows: np.ndarray, l2: float, weights: np.ndarray | None) -> tuple[Any, ...]:
        from descenso.linear_models import least_squares, logistic_newton

        X, y = self.Z[rows], self.y_fit[rows]
        if self.loss == "mse":
            return (*least_squares(X, y, l2=l2, sample_weight=weights), 1)
        return logistic_newton(X, y, l2=l2, tol=1e-8, max_iter=100, sample_weight=weights)

    def _mean_loss(self, model: Any, index: np.ndarray) -> tuple[Any, Any]:
        """The rows' (weighted) mean loss, a Tensor, and the model's output on them."""
        output = model(_tensor(self.Z[index]))
        target = self.y_fit[index]
        if self.weights is None:
            return self._loss_fn(output, target), output
        return self._loss_fn(output, target, sample_weight=self.weights[index]), output

    def _call(self, hook: str, *args: Any) -> None:
        for callback in self._callbacks:
            method = getattr(callback, hook, None)
            if method is not None:
                method(*args)

    # ------------------------------------------------------------------ every split
    @property
    def best(self) -> int:
        """The index in the path of the strength with the lowest validation loss averaged over the splits."""
        return int(np.argmin(np.mean([scores for *_, scores in self._splits], axis=0)))

    @property
    def strength(self) -> float:
        """The ridge strength kept: ``l2`` of the lowest mean validation loss over the splits."""
        return float(self.strengths[self.best])

    def finish(self) -> list[float]:
        """Set every split's model to the strength kept; return their validation losses there."""
        best = self.best
        for model, solutions, _ in self._splits:
            _put(model, solutions[best])
        return [scores[best] for *_, scores in self._splits]

    def refit(self, model: Any) -> Any:
        """``model`` (one ``Linear`` layer on the host) solved at the kept strength on every row."""
        every = np.arange(len(self.y_fit))
        solution = self.parallel.agree(self._solve(every, self.strength, self.weights))
        _put(model, solution)
        return model


def _tensor(array: np.ndarray) -> Any:
    from descenso.tensor import Tensor

    return Tensor(array)


def _put(model: Any, solution: tuple[Any, ...]) -> None:
    """A solution ``(weight, bias, ...)`` into the model's one layer, in the model's dtype."""
    layer = model.layers[-1]
    layer.weight.data[...] = np.asarray(solution[0], dtype=np.float64).reshape(layer.weight.shape)
    layer.bias.data[...] = solution[1]
