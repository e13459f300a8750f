"""Learning-rate schedules: they change ``optimizer.lr`` and nothing else.

Weights and optimizer state are untouched, so a schedule can be attached to an
optimizer in the middle of training. Call ``scheduler.step()`` once per epoch
(``step(metric)`` for ReduceLROnPlateau); the sequence of rates equals PyTorch's.
"""

from __future__ import annotations

import math
from typing import Any

from descenso.optim.base import Optimizer, check_number


class LRScheduler:
    """Base class: ``lr = lr_at(epoch)`` from the learning rate the optimizer had at the start.

    Parameters
    ----------
    optimizer : Optimizer
    """

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an Optimizer; got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0

    def lr_at(self, epoch: int) -> float:
        """The learning rate after ``epoch`` calls to ``step()``."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and set ``optimizer.lr``."""
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def state_dict(self) -> dict[str, Any]:
        """``base_lr`` and ``last_epoch`` (enough to continue the schedule)."""
        return {"base_lr": self.base_lr, "last_epoch": self.last_epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned."""
        self.base_lr = float(state["base_lr"])
        self.last_epoch = int(state["last_epoch"])


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    Notes
    -----
    ``lr_e = lr_0 * gamma ** floor(e / step_size)``.

    Examples
    --------
    >>> import descenso as ds
    >>> from descenso.optim import SGD
    >>> opt = SGD([ds.tensor([1.0], requires_grad=True)], lr=1.0)
    >>> sched = StepLR(opt, step_size=2, gamma=0.5)
    >>> rates = []
    >>> for _ in range(4):
    ...     sched.step()
    ...     rates.append(opt.lr)
    >>> rates
    [1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(optimizer)
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int (epochs); got {step_size!r}")
        self.step_size = step_size
        self.gamma = check_number("StepLR", "gamma", gamma)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch.

    Notes
    -----
    ``lr_e = lr_0 * gamma ** e``.
    """

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        super().__init__(optimizer)
        self.gamma = check_number("ExponentialLR", "gamma", gamma)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    """Anneal the learning rate from its start value to ``eta_min`` along half a cosine.

    Notes
    -----
    ``lr_e = eta_min + (lr_0 - eta_min) (1 + cos(pi e / T_max)) / 2``: ``lr_0`` at
    epoch 0, ``eta_min`` at ``T_max`` (and rising again after, as in PyTorch).
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        super().__init__(optimizer)
        if isinstance(T_max, bool) or not isinstance(T_max, int) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive int (epochs); got {T_max!r}")
        self.T_max = T_max
        self.eta_min = check_number("CosineAnnealingLR", "eta_min", eta_min)

    def lr_at(self, epoch: int) -> float:
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2


class ReduceLROnPlateau:
    """Multiply the learning rate by ``factor`` when a metric stops improving for ``patience`` epochs.

    Parameters
    ----------
    optimizer : Optimizer
    mode : {"min", "max"}, default "min"
        Whether lower (a loss) or higher (an accuracy) is better.
    factor : float in (0, 1), default 0.1
    patience : int >= 0, default 10
        Epochs without improvement tolerated before reducing.
    threshold : float >= 0, default 1e-4
        Minimum change that counts as an improvement.
    threshold_mode : {"rel", "abs"}, default "rel"
        "rel": better than ``best * (1 -+ threshold)``; "abs": than ``best -+ threshold``.
    cooldown : int >= 0, default 0
        Epochs to wait after a reduction before counting again.
    min_lr : float >= 0, default 0
    eps : float, default 1e-8
        Reductions smaller than this are skipped.

    Notes
    -----
    Same rules as PyTorch's ``ReduceLROnPlateau``.

    Examples
    --------
    >>> import descenso as ds
    >>> from descenso.optim import SGD
    >>> opt = SGD([ds.tensor([1.0], requires_grad=True)], lr=1.0)
    >>> plateau = ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> for loss in [3.0, 2.0, 2.0, 2.0]:
    ...     plateau.step(loss)
    >>> opt.lr
    0.5
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float = 0.0,
        eps: float = 1e-8,
    ) -> None:
        owner = "ReduceLROnPlateau"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{owner}: expected an Optimizer; got {type(optimizer).__name__}")
        if mode not in ("min", "max") or threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"{owner}: mode must be 'min' or 'max' and threshold_mode 'rel' or 'abs'; "
                f"got mode={mode!r}, threshold_mode={threshold_mode!r}"
            )
        if not 0 < factor < 1:
            raise ValueError(f"{owner}: factor must be in (0, 1); got {factor!r}. Typical: factor=0.1")
        for name, value in (("patience", patience), ("cooldown", cooldown)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{owner}: {name} must be a non-negative int (epochs); got {value!r}")
        self.optimizer, self.mode, self.factor = optimizer, mode, float(factor)
        self.patience, self.cooldown, self.threshold_mode = patience, cooldown, threshold_mode
        self.threshold = check_number(owner, "threshold", threshold)
        self.min_lr = check_number(owner, "min_lr", min_lr)
        self.eps = float(eps)
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0

    def _is_better(self, value: float) -> bool:
        if self.mode == "min":
            bound = (
                self.best * (1 - self.threshold)
                if self.threshold_mode == "rel"
                else self.best - self.threshold
            )
            return value < bound
        bound = (
            self.best * (1 + self.threshold) if self.threshold_mode == "rel" else self.best + self.threshold
        )
        return value > bound

    def step(self, metric: float) -> None:
        """Record this epoch's ``metric`` and reduce the learning rate if it has plateaued."""
        value = float(metric)
        self.last_epoch += 1
        if self._is_better(value):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            old = self.optimizer.lr
            new = max(old * self.factor, self.min_lr)
            if old - new > self.eps:
                self.optimizer.lr = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0

    def state_dict(self) -> dict[str, Any]:
        """The counters and the best value so far."""
        return {
            "best": self.best,
            "num_bad_epochs": self.num_bad_epochs,
            "cooldown_counter": self.cooldown_counter,
            "last_epoch": self.last_epoch,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned."""
        self.best = float(state["best"])
        self.num_bad_epochs = int(state["num_bad_epochs"])
        self.cooldown_counter = int(state["cooldown_counter"])
        self.last_epoch = int(state["last_epoch"])
