"""Divergence: the loss became NaN or infinite, or exploded while staying finite.

A learning rate far too large does not always overflow. A classifier's
binary cross-entropy from logits stays finite (about ``|logit|``) while its
weights grow without bound, so the loss can read ``6e19`` for ever and
training "succeeds" with a model that predicts one class for every row. Like
Lightning's ``EarlyStopping(divergence_threshold=...)`` and Keras'
``TerminateOnNaN``, :class:`Divergence` stops such a run, with a threshold
*relative* to the loss at the start, so one setting serves every task and scale.

``fit`` always uses one (``Divergence()`` unless one is passed in ``stop``);
the playground's step loop uses one too.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from descenso.history import History
from descenso.stopping import DivergenceError, StoppingCriterion, check_finite_loss

__all__ = ["Divergence"]


class Divergence(StoppingCriterion):
    """Stop with :class:`DivergenceError` when the loss explodes; keep the best weights.

    Parameters
    ----------
    factor : float, default 1e4
        Training has diverged when an epoch's objective exceeds ``factor`` times the
        first step's objective (the loss at the initial weights, before any update).
        Gradient descent that works lowers the loss; four orders of magnitude above
        where it started is not noise.
    restore_best_weights : bool, default True
        Keep a copy of the weights at the end of the epoch with the lowest mean objective
        (and of the initial weights) and load them back when training diverges, so the model
        is never left at the exploded weights. In ``fit``, an ``EarlyStopping`` that
        kept a best epoch (on the validation loss) restores its weights instead.

    Notes
    -----
    Every step's objective is checked first: NaN or infinite stops at once, before
    the step is applied (:func:`descenso.stopping.check_finite_loss`). The relative
    rule is checked at the end of each epoch on its mean objective, so one unlucky
    batch does not stop a run.

    Examples
    --------
    >>> from descenso.divergence import Divergence
    >>> from descenso.history import History
    >>> guard = Divergence(factor=100)
    >>> guard.reset()
    >>> guard.observe_step(0.69, epoch=1, lr=1e6, model=None)  # the loss before any update
    >>> h = History()
    >>> h.record(epoch=1, train_loss=6e19, objective=6e19, lr=1e6, grad_norm=1.0, time=0.0)
    >>> guard.check(h, model=None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    descenso.stopping.DivergenceError: the loss grew from 0.69 to 6e+19, more than 100 times ...
    """

    name = "divergence"

    def __init__(self, factor: float = 1e4, restore_best_weights: bool = True) -> None:
        if (
            isinstance(factor, bool)
            or not isinstance(factor, (int, float, np.number))
            or not 1 < factor < math.inf
        ):
            raise ValueError(f"Divergence(factor) must be a finite number above 1, e.g. 1e4; got {factor!r}")
        self.factor = float(factor)
        self.restore_best_weights = bool(restore_best_weights)
        self.reset()

    def reset(self) -> None:
        self.first: float | None = None
        self.best: float = math.inf
        self.best_epoch: int = 0
        self.best_state: dict[str, np.ndarray] | None = None

    def observe_step(self, value: float, epoch: int, lr: Any, model: Any) -> None:
        """Check one step's objective before the step is applied; remember the first one.

        ``lr`` is the learning rate the message names (or None), or the optimizer that holds it:
        then its ``lr`` is read only when it is needed, at the first step or a non-finite loss
        (``fit`` calls this at every step, and a property read is ~40 ns of it).

        Raises
        ------
        DivergenceError
            When ``value`` is NaN or infinite.
        """
        if self.first is not None and math.isfinite(value):
            return  # every step after the first, with a finite loss: nothing to do (this runs every step)
        check_finite_loss(value, epoch, getattr(lr, "lr", lr))
        self.first = value
        if self.restore_best_weights and model is not None:
            self.best_state = model.state_dict()  # the initial weights: better than exploded ones

    def check(self, history: History, model: Any) -> str | None:
        """Raise :class:`DivergenceError` when the epoch's objective exploded; else remember the best."""
        current, epoch = history.objective[-1], history.epoch[-1]
        if self.first is not None and current > self.factor * max(abs(self.first), np.finfo(np.float64).tiny):
            raise DivergenceError(
                f"the loss grew from {self.first:.3g} to {current:.3g}, more than {self.factor:g} times its "
                f"first value,",
                epoch,
                history.lr[-1],
            )
        if current < self.best:
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights and model is not None:
                self.best_state = model.state_dict()  # copies
        return None

    def finalize(self, history: History, model: Any) -> str | None:
        """After a divergence (``history.stopped_by == "divergence"``), load the best weights back."""
        if history.stopped_by != "divergence" or self.best_state is None or model is None:
            return None
        model.load_state_dict(self.best_state)
        if self.best_epoch == 0:
            return "restored the initial weights (no epoch had finished before it diverged)"
        return (
            f"restored the weights from the end of epoch {self.best_epoch}, the epoch with the lowest "
            f"objective ({self.best:.6g})"
        )
