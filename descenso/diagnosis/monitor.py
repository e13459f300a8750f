"""``fit(..., doctor=True)``: the doctor as a callback that watches a training run."""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

import descenso.diagnosis.network as network
from descenso.diagnosis.data import check_data
from descenso.diagnosis.findings import Diagnosis, DiagnosisWarning, Finding

BINARY_LOSSES = ("bce_with_logits", "bce", "hinge")


class TrainingDoctor:
    """Watch a training run and report what went wrong, with the numbers and the fix.

    Before the first step it checks the data; after the first step, the gradient norm of each
    layer; after ``window`` epochs (or at the end of a shorter run), whether the loss is rising,
    oscillating or barely moving, and which share of ReLU units is dead. At the end the findings are
    in ``history.diagnosis`` and, when there are any, one :class:`DiagnosisWarning` lists them.

    It is a callback (the hooks of :class:`descenso.train.Callback`) that ``fit`` adds for you.

    Parameters
    ----------
    X, y : numpy.ndarray
        The training data, as the model sees it.
    loss_fn : callable
        The training loss (its name decides whether the target is binary).
    window : int, default 10
        Epochs after which the loss's trend is judged.
    sample : int, default 512
        Rows on which the units are checked for being dead.

    Examples
    --------
    >>> import numpy as np, warnings
    >>> from descenso import fit
    >>> from descenso.nn import Linear
    >>> rng = np.random.default_rng(0)
    >>> X = np.c_[rng.normal(size=50), np.full(50, 2.0)].astype(np.float32)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # the finding is also a DiagnosisWarning
    ...     history = fit(Linear(2, 1, rng=0), X, X[:, 0] + rng.normal(size=50), epochs=3, doctor=True)
    >>> history.diagnosis.codes
    ['constant_column']
    """

    def __init__(
        self, X: np.ndarray, y: np.ndarray, loss_fn: Callable[..., Any], window: int = 10, sample: int = 512
    ) -> None:
        self.X, self.y, self.loss_fn = X, y, loss_fn
        self.window, self.sample = window, sample
        self.binary = getattr(loss_fn, "__name__", "") in BINARY_LOSSES
        self.findings: list[Finding] = []
        self._history: Any = None
        self._judged = False

    def on_train_begin(self, model: Any, history: Any) -> None:
        """Check the data."""
        self._history, self._judged = history, False
        target = np.asarray(self.y, dtype=np.float64).reshape(len(self.y), -1)[:, 0]
        self.findings = check_data(np.asarray(self.X, dtype=np.float64), target, self.binary)

    def on_step_end(self, step: int, logs: dict[str, float], model: Any) -> None:
        """After the first step, judge the gradient norms of each layer (the step leaves ``.grad``)."""
        if step == 1:
            self.findings += network.gradient_findings(network.layer_gradient_norms(model))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], model: Any) -> None:
        """After ``window`` epochs, judge the loss and the units."""
        if epoch == self.window:
            self._judge(model)

    def on_train_end(self, history: Any, model: Any) -> None:
        """Judge a run shorter than ``window``; keep the findings on the History; warn once."""
        if not self._judged:
            self._judge(model)
        history.diagnosis = Diagnosis(list(self.findings))
        if self.findings:
            warnings.warn(str(history.diagnosis), DiagnosisWarning, stacklevel=4)  # at fit's caller

    def _judge(self, model: Any) -> None:
        self._judged = True
        losses = self._history.train_loss
        trend = network.loss_trend(losses)
        lr = self._history.lr[-1] if self._history.lr else float("nan")
        if trend in ("rising", "oscillating"):
            self.findings.append(
                Finding(
                    "lr_too_large",
                    f"the learning rate looks too large: with lr={lr:g} the training loss is {trend} over "
                    f"the first {len(losses)} epochs ({losses[0]:.4g} -> {losses[-1]:.4g})",
                    f"try lr={lr / 10:g}",
                    {"lr": lr, "losses": list(losses)},
                )
            )
        elif trend == "barely moving" and self._history.grad_norm[-1] > 0.5 * self._history.grad_norm[0]:
            self.findings.append(
                Finding(
                    "lr_too_small",
                    f"the learning rate looks too small: with lr={lr:g} the training loss barely moves over "
                    f"the first {len(losses)} epochs ({losses[0]:.5g} -> {losses[-1]:.5g}) while the "
                    "gradient does not shrink",
                    f"try lr={lr * 10:g}",
                    {"lr": lr, "losses": list(losses)},
                )
            )
        self.findings += network.dead_units(model, self.X[: self.sample])


def training_doctor(doctor: Any, X: np.ndarray, y: np.ndarray, loss_fn: Callable[..., Any]) -> list[Any]:
    """The callbacks ``fit(doctor=...)`` adds: none for False, a :class:`TrainingDoctor` for True."""
    if isinstance(doctor, TrainingDoctor):
        return [doctor]
    if not isinstance(doctor, bool):
        raise TypeError(f"fit: doctor must be True, False or a TrainingDoctor; got {type(doctor).__name__}")
    return [TrainingDoctor(X, y, loss_fn)] if doctor else []
