"""When to stop gradient descent, and why: stopping criteria as small objects.

The notes' gradient descent repeats "until a minimum is reached or a stopping
criterion is met". Each criterion here answers one question after every epoch
and, when it fires, says why in a sentence with the numbers.

The interface (shared by ``fit`` and by any other step loop, e.g. the playground's):

- ``reset()``: forget what was seen; called once before training starts.
- ``check(history, model) -> str | None``: called after each epoch has been
  recorded in ``history``; returns the reason to stop, or ``None`` to go on.
- ``finalize(history, model) -> str | None``: called once when training ends,
  however it ends (a criterion fired, Ctrl-C, divergence); may change the model
  (``EarlyStopping`` restores the best weights) and returns a note for the
  stop reason, or ``None``.
- ``name``: the short tag stored in ``History.stopped_by``.
- ``monitor`` (optional): the History series the criterion reads, so ``fit``
  can refuse, before any work, to monitor a series that will not exist.

Divergence is not a criterion to switch off: a non-finite loss or weight, or a
finite loss that explodes (see :class:`descenso.divergence.Divergence`), always
stops training at once with :class:`DivergenceError`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from descenso.backend import array_module
from descenso.history import History


class DivergenceError(ValueError):
    """Training diverged: the loss or the weights became NaN or infinite, or the loss exploded.

    Attributes ``epoch``, ``lr``, ``suggested_lr`` (the one suggestion, ten times
    smaller), ``problem`` (what happened, without the suggestion), ``restored``
    (a note when the best weights were put back, else None) and ``history`` (the
    epochs completed before it happened, set by ``fit``) are kept for programs
    that want to retry or word the suggestion their own way (the CLI says ``--lr``).
    """

    def __init__(self, what: str, epoch: int, lr: float | None) -> None:
        self.epoch, self.lr = epoch, lr
        self.suggested_lr = None if lr is None else lr / 10
        self.history: History | None = None
        self.restored: str | None = None
        self.problem = f"{what} at epoch {epoch}" + ("" if lr is None else f" (lr={_short(lr)})")
        super().__init__(self.problem)

    @property
    def summary(self) -> str:
        """What happened and what was restored, without the suggestion (for callers that word their own)."""
        return "; ".join(part for part in (self.problem, self.restored) if part)

    def __str__(self) -> str:
        if self.suggested_lr is None:
            return f"{self.summary}; try a smaller learning rate"
        return f"{self.summary}; try a smaller learning rate, e.g. lr={_short(self.suggested_lr)}"


class TrainingInterrupted(UserWarning):
    """Warned when Ctrl-C stopped training early; the weights reached are kept."""


class ConvergenceWarning(UserWarning):
    """Warned when a solver stopped before meeting its convergence tolerance."""


def check_finite_loss(value: float, epoch: int, lr: float | None) -> None:
    """Raise :class:`DivergenceError` when a loss value is NaN or infinite.

    Examples
    --------
    >>> from descenso.stopping import check_finite_loss
    >>> check_finite_loss(float("nan"), epoch=3, lr=10.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    descenso.stopping.DivergenceError: the loss became NaN at epoch 3 (lr=10.0); try ... e.g. lr=1.0
    """
    if not math.isfinite(value):
        raise DivergenceError(f"the loss became {_name_of(value)}", epoch, lr)


def check_finite_weights(model: Any, epoch: int, lr: float | None, packed: Any = None) -> None:
    """Raise :class:`DivergenceError` naming the first parameter holding a NaN or infinite value.

    ``packed``: an optimizer's flat buffer (:class:`descenso.optim.flat.FlatParameters`) that holds
    every one of ``model``'s parameters; then one product ``w . w`` over it proves them all finite
    (NaN and inf propagate), and the parameters are only walked, by name, when it is not.
    """
    if packed is not None and _all_finite(packed):
        return
    for name, parameter in model.named_parameters():
        finite = array_module(parameter.data).isfinite(parameter.data)
        if not finite.all():
            bad = parameter.data[~finite].reshape(-1)[0]
            raise DivergenceError(f"the weights {name!r} became {_name_of(float(bad))}", epoch, lr)


def _all_finite(packed: Any) -> bool:
    """Whether the flat buffer's ``w . w`` is finite, every parameter still being a view of it."""
    data = packed.data
    if type(data) is not np.ndarray:
        return False
    if not packed.holds_data():
        return False
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is not an error: the walk decides
        return math.isfinite(float(np.dot(data, data)))


def _short(value: float) -> str:
    """A learning rate as a short Python literal: 10.0, 0.01, 1e-05 (three significant digits)."""
    return repr(float(f"{value:.3g}"))


def _name_of(value: float) -> str:
    return "NaN" if math.isnan(value) else ("inf" if value > 0 else "-inf")


class StoppingCriterion:
    """Base class: never stops. Subclasses override ``check`` (and ``reset``/``finalize`` if stateful)."""

    name = "criterion"
    monitor: str | None = None

    def reset(self) -> None:
        """Forget everything seen so far (called once before training)."""

    def check(self, history: History, model: Any) -> str | None:
        """Return why training should stop now, or ``None``."""
        return None

    def finalize(self, history: History, model: Any) -> str | None:
        """Called once when training ends, however it ends; return a note for the stop reason."""
        return None

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class MaxEpochs(StoppingCriterion):
    """Stop after ``epochs`` epochs (``fit(epochs=...)`` adds one of these).

    Examples
    --------
    >>> from descenso.history import History
    >>> from descenso.stopping import MaxEpochs
    >>> h = History()
    >>> h.record(epoch=1, train_loss=0.5, objective=0.5, lr=0.1, grad_norm=1.0, time=0.0)
    >>> MaxEpochs(1).check(h, model=None)
    'reached the maximum of 1 epochs (train_loss 0.5)'
    """

    name = "max_epochs"

    def __init__(self, epochs: int) -> None:
        self.epochs = _positive_int(epochs, "MaxEpochs(epochs)")

    def check(self, history: History, model: Any) -> str | None:
        if len(history) < self.epochs:
            return None
        return f"reached the maximum of {self.epochs} epochs (train_loss {history.train_loss[-1]:.6g})"


class TimeBudget(StoppingCriterion):
    """Stop at the end of the first epoch that finishes after ``seconds`` of training."""

    name = "time_budget"

    def __init__(self, seconds: float) -> None:
        self.seconds = _positive_float(seconds, "TimeBudget(seconds)")

    def check(self, history: History, model: Any) -> str | None:
        if not history.time or history.time[-1] < self.seconds:
            return None
        return (
            f"the time budget of {self.seconds:g} s ran out after {history.time[-1]:.3g} s "
            f"(epoch {history.epoch[-1]})"
        )


class TargetLoss(StoppingCriterion):
    """Stop as soon as ``monitor`` (default ``"train_loss"``) is at or below ``value``."""

    name = "target_loss"

    def __init__(self, value: float, monitor: str = "train_loss") -> None:
        self.value = float(value)
        self.monitor: str = monitor

    def check(self, history: History, model: Any) -> str | None:
        current = history.get(self.monitor)[-1]
        if current is None or current > self.value:
            return None
        return f"{self.monitor} {current:.6g} reached the target {self.value:g} at epoch {history.epoch[-1]}"


class Tolerance(StoppingCriterion):
    """Stop when ``monitor`` has not improved by more than ``tol`` for ``n_iter_no_change`` epochs.

    Parameters
    ----------
    tol : float, default 1e-4
        The improvement that counts: an epoch improves when ``value < best - tol``.
    n_iter_no_change : int, default 10
        Consecutive epochs without such an improvement before stopping.
    monitor : str, default "objective"
        The full objective (data loss + penalty) by default, as scikit-learn's ``tol``.

    Notes
    -----
    The same rule as scikit-learn's ``MLPRegressor(tol, n_iter_no_change)``:
    ``best`` is the lowest value seen, and the counter resets at each improvement.
    """

    name = "tolerance"

    def __init__(self, tol: float = 1e-4, n_iter_no_change: int = 10, monitor: str = "objective") -> None:
        self.tol = _non_negative_float(tol, "Tolerance(tol)")
        self.n_iter_no_change = _positive_int(n_iter_no_change, "Tolerance(n_iter_no_change)")
        self.monitor: str = monitor
        self.reset()

    def reset(self) -> None:
        self._best, self._best_epoch, self._waited = math.inf, 0, 0

    def check(self, history: History, model: Any) -> str | None:
        current = history.get(self.monitor)[-1]
        if current < self._best - self.tol:
            self._waited = 0
        else:
            self._waited += 1
        if current < self._best:
            self._best, self._best_epoch = current, history.epoch[-1]
        if self._waited < self.n_iter_no_change:
            return None
        return (
            f"{self.monitor} did not improve by more than tol={self.tol:g} for "
            f"{self.n_iter_no_change} epochs (best {self._best:.6g} at epoch {self._best_epoch}, "
            f"now {current:.6g})"
        )


class GradientNorm(StoppingCriterion):
    """Stop when the gradient norm falls below ``eps``: a stationary point, the notes' "minimum".

    Meaningful for full-batch gradient descent (``batch_size=None``), where
    ``History.grad_norm`` is the exact gradient; a mini-batch gradient stays noisy.
    """

    name = "gradient_norm"
    monitor = "grad_norm"

    def __init__(self, eps: float = 1e-6) -> None:
        self.eps = _positive_float(eps, "GradientNorm(eps)")

    def check(self, history: History, model: Any) -> str | None:
        norm = history.grad_norm[-1]
        if norm >= self.eps:
            return None
        return f"the gradient norm {norm:.3g} fell below eps={self.eps:g} at epoch {history.epoch[-1]}"


class EarlyStopping(StoppingCriterion):
    """Stop when ``monitor`` has not improved for ``patience`` epochs; keep the best weights.

    Parameters
    ----------
    monitor : str, default "val_loss"
        A History series or metric name.
    patience : int, default 10
        Epochs without improvement before stopping.
    min_delta : float, default 0.0
        An epoch improves when it beats the best value by more than this.
    start_from_epoch : int, default 0
        Epochs ``1 .. start_from_epoch`` are ignored (a warm-up).
    baseline : float, optional
        A value to beat: until the monitored value beats it, no epoch counts
        as an improvement, so training stops after ``patience`` epochs that fail to.
    restore_best_weights : bool, default True
        Load the best epoch's weights back into the model when training ends,
        however it ends (this criterion, another one, Ctrl-C or divergence).
    mode : {"auto", "min", "max"}, default "auto"
        Whether lower or higher is better; "auto" picks "max" for accuracy/r2 names.

    Notes
    -----
    Keras' rule: improvement when ``value < best - min_delta`` (or ``>`` in
    "max" mode); stop when ``epochs since the last improvement >= patience``.
    """

    name = "early_stopping"

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 10,
        min_delta: float = 0.0,
        start_from_epoch: int = 0,
        baseline: float | None = None,
        restore_best_weights: bool = True,
        mode: str = "auto",
    ) -> None:
        self.monitor: str = monitor
        self.patience = _positive_int(patience, "EarlyStopping(patience)")
        self.min_delta = _non_negative_float(min_delta, "EarlyStopping(min_delta)")
        self.start_from_epoch = int(start_from_epoch)
        self.baseline = baseline
        self.restore_best_weights = bool(restore_best_weights)
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping(mode) must be 'auto', 'min' or 'max'; got {mode!r}")
        self.mode = mode
        self.reset()

    def reset(self) -> None:
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.best_state: dict[str, np.ndarray] | None = None
        self._waited = 0

    def _sign(self) -> float:
        higher_is_better = ("accuracy", "r2", "auc", "f1", "precision", "recall")
        maximize = self.mode == "max" or (
            self.mode == "auto" and any(w in self.monitor for w in higher_is_better)
        )
        return -1.0 if maximize else 1.0

    def check(self, history: History, model: Any) -> str | None:
        epoch, current = history.epoch[-1], history.get(self.monitor)[-1]
        if epoch <= self.start_from_epoch:
            return None
        sign = self._sign()  # compare sign*value, so lower is always better below
        reference = self.best if self.best is not None else self.baseline
        if reference is None or sign * current < sign * reference - self.min_delta:
            self.best, self.best_epoch, self._waited = current, epoch, 0
            if self.restore_best_weights and model is not None:
                self.best_state = model.state_dict()  # copies
            return None
        self._waited += 1
        if self._waited < self.patience:
            return None
        if self.best is None:
            return (
                f"{self.monitor} did not beat the baseline {self.baseline:g} in {self.patience} epochs "
                f"(now {current:.6g} at epoch {epoch})"
            )
        return (
            f"{self.monitor} did not improve for {self.patience} epochs (best {self.best:.6g} at epoch "
            f"{self.best_epoch}, now {current:.6g} at epoch {epoch})"
        )

    def finalize(self, history: History, model: Any) -> str | None:
        if self.best_epoch is not None:
            history.best_epoch = self.best_epoch
        if not self.restore_best_weights or self.best_state is None or model is None:
            return None
        model.load_state_dict(self.best_state)
        return f"restored the best weights, from epoch {self.best_epoch} ({self.monitor} {self.best:.6g})"


def _positive_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{what} must be a positive integer; got {value!r}")
    return int(value)


def _positive_float(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not 0 < value < math.inf:
        raise ValueError(f"{what} must be a positive finite number; got {value!r}")
    return float(value)


def _non_negative_float(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not 0 <= value < math.inf:
        raise ValueError(f"{what} must be a non-negative finite number; got {value!r}")
    return float(value)
