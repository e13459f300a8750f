"""History: what happened during training, epoch by epoch, and why it stopped.

``fit`` appends one row per completed epoch. Every list has one entry per
epoch (``val_loss`` holds ``None`` when there is no validation data), so the
lists line up for plotting and for the stopping criteria that read them.
"""

from __future__ import annotations

import math
from typing import Any

#: The per-epoch lists every History has, in the order ``to_dict`` writes them.
_SERIES = ("epoch", "train_loss", "objective", "val_loss", "lr", "grad_norm", "time")


class History:
    """The record of one call to ``fit``.

    Attributes
    ----------
    epoch : list of int
        Epoch numbers, counted from 1.
    train_loss : list of float
        The mean data loss over the epoch's steps, each step at the weights it
        started from (for full-batch gradient descent: the exact training loss
        before the epoch's update).
    objective : list of float
        ``train_loss`` plus the weight penalty ``l2/2 sum(w^2) + l1 sum|w|``:
        the function gradient descent actually minimises.
    val_loss : list of float or None
        The data loss on the validation set at the end of the epoch.
    lr : list of float
        The learning rate used in the epoch's last step.
    grad_norm : list of float
        The L2 norm of the objective's gradient over all parameters, at the
        epoch's last step (for full-batch gradient descent: the exact gradient).
    time : list of float
        Seconds since ``fit`` started, at the end of each epoch.
    metrics : dict of str to list of float
        One list per metric, e.g. ``"accuracy"`` and ``"val_accuracy"``.
    optimum_gap : list of float or None
        ``objective(theta_epoch) - reference_loss`` at the end of each epoch,
        when ``fit`` was given ``reference_loss=`` (the exact optimum's objective).
    stop_reason : str
        A sentence with the numbers saying why training stopped.
    stopped_by : str
        A short tag for the cause: the firing criterion's ``name`` (``"max_epochs"``,
        ``"time_budget"``, ``"target_loss"``, ``"tolerance"``, ``"gradient_norm"``,
        ``"early_stopping"``), ``"interrupt"`` (Ctrl-C) or ``"divergence"``.
    best_epoch : int or None
        The epoch whose weights were kept by early stopping, or else the epoch
        with the lowest ``val_loss`` (``train_loss`` without validation).
    n_steps : int
        Optimizer steps taken.
    interrupted_by : str or None
        ``"SIGINT"`` (Ctrl-C) or ``"SIGTERM"`` when a signal stopped training, else None.

    Examples
    --------
    >>> from descenso.history import History
    >>> h = History()
    >>> h.record(epoch=1, train_loss=0.5, objective=0.5, lr=0.1, grad_norm=1.0, time=0.01)
    >>> h.record(epoch=2, train_loss=0.25, objective=0.25, lr=0.1, grad_norm=0.5, time=0.02)
    >>> h.get("train_loss")
    [0.5, 0.25]
    >>> h.best_epoch
    2
    """

    def __init__(self) -> None:
        self.epoch: list[int] = []
        self.train_loss: list[float] = []
        self.objective: list[float] = []
        self.val_loss: list[float | None] = []
        self.lr: list[float] = []
        self.grad_norm: list[float] = []
        self.time: list[float] = []
        self.metrics: dict[str, list[float]] = {}
        self.optimum_gap: list[float] | None = None
        self.stop_reason: str = "training has not run"
        self.stopped_by: str = ""
        self.n_steps: int = 0
        self.interrupted_by: str | None = None
        self._best_epoch: int | None = None
        self.diagnosis: Any = None  # fit(doctor=True): a descenso.diagnosis.Diagnosis
        self.gradcheck: Any = None  # fit(gradcheck=True): a descenso.gradient_check.GradcheckResult
        self.seed: int | None = None  # the estimators: the int seed of the run (random_state_)

    def __len__(self) -> int:
        return len(self.epoch)

    def record(
        self,
        *,
        epoch: int,
        train_loss: float,
        objective: float,
        lr: float,
        grad_norm: float,
        time: float,
        val_loss: float | None = None,
        metrics: dict[str, float] | None = None,
        optimum_gap: float | None = None,
    ) -> None:
        """Append one epoch's numbers (called by ``fit`` and by step loops such as the playground's).

        Parameters
        ----------
        epoch : int
        train_loss, objective, lr, grad_norm, time : float
            As described in the class attributes.
        val_loss : float, optional
            None when there is no validation data.
        metrics : dict of str to float, optional
            A new name starts a new list.
        optimum_gap : float, optional
            The first value given makes ``optimum_gap`` a list.
        """
        self.epoch.append(int(epoch))
        self.train_loss.append(float(train_loss))
        self.objective.append(float(objective))
        self.val_loss.append(None if val_loss is None else float(val_loss))
        self.lr.append(float(lr))
        self.grad_norm.append(float(grad_norm))
        self.time.append(float(time))
        for name, value in (metrics or {}).items():
            self.metrics.setdefault(name, []).append(float(value))
        if optimum_gap is not None:
            if self.optimum_gap is None:
                self.optimum_gap = []
            self.optimum_gap.append(float(optimum_gap))

    def get(self, name: str) -> list[Any]:
        """The per-epoch list called ``name``: a series (``"val_loss"``) or a metric (``"val_accuracy"``).

        Raises
        ------
        KeyError
            Naming the series that exist.
        """
        return list(self._series(name))

    def _series(self, name: str) -> list[Any]:
        """The list called ``name`` itself (not a copy), or the KeyError of :meth:`get`."""
        if name in _SERIES:
            return getattr(self, name)  # type: ignore[no-any-return]
        if name == "optimum_gap" and self.optimum_gap is not None:
            return self.optimum_gap
        if name in self.metrics:
            return self.metrics[name]
        raise KeyError(f"history has no series {name!r}; it has: {', '.join(self.names())}")

    def last_row(self) -> dict[str, Any]:
        """The last epoch's value of every series :meth:`names` lists (what ``on_epoch_end`` gets).

        The same as ``{name: h.get(name)[-1] for name in h.names()}``, without copying the lists.

        Examples
        --------
        >>> h = History()
        >>> h.record(epoch=1, train_loss=0.5, objective=0.5, lr=0.1, grad_norm=1.0, time=0.01)
        >>> h.last_row()
        {'epoch': 1, 'train_loss': 0.5, 'objective': 0.5, 'lr': 0.1, 'grad_norm': 1.0, 'time': 0.01}
        """
        return {name: self._series(name)[-1] for name in self.names()}

    def names(self) -> list[str]:
        """The names ``get`` accepts for this history."""
        validated = self.val_loss.count(None) < len(self.val_loss)  # some epoch has a val_loss
        names = [n for n in _SERIES if n != "val_loss" or validated]
        return names + (["optimum_gap"] if self.optimum_gap is not None else []) + list(self.metrics)

    @property
    def best_epoch(self) -> int | None:
        """The epoch of the kept weights (early stopping) or of the lowest validation/training loss."""
        if self._best_epoch is not None:
            return self._best_epoch
        has_validation = any(v is not None for v in self.val_loss)
        values = self.val_loss if has_validation else self.train_loss
        finite = [
            (v, e) for v, e in zip(values, self.epoch, strict=True) if v is not None and math.isfinite(v)
        ]
        return min(finite)[1] if finite else None

    @best_epoch.setter
    def best_epoch(self, epoch: int | None) -> None:
        self._best_epoch = epoch

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-able Python values (lists, numbers, strings, None).

        Examples
        --------
        >>> from descenso.history import History
        >>> sorted(History().to_dict())[:4]
        ['best_epoch', 'epoch', 'grad_norm', 'lr']
        """
        out: dict[str, Any] = {name: list(getattr(self, name)) for name in _SERIES}
        out["metrics"] = {name: list(values) for name, values in self.metrics.items()}
        out["optimum_gap"] = None if self.optimum_gap is None else list(self.optimum_gap)
        out.update(
            stop_reason=self.stop_reason,
            stopped_by=self.stopped_by,
            best_epoch=self.best_epoch,
            n_steps=self.n_steps,
            seed=self.seed,
        )
        return out

    def __repr__(self) -> str:
        if not self.epoch:
            return "History(0 epochs)"
        last = f"train_loss={self.train_loss[-1]:.6g}"
        if self.val_loss[-1] is not None:
            last += f", val_loss={self.val_loss[-1]:.6g}"
        return f"History({len(self)} epochs, {last}, stopped_by={self.stopped_by!r})"
