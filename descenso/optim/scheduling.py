"""Learning-rate schedules by name, and the callback through which ``fit`` steps one every epoch.

``fit(..., schedule="cosine")``, the estimators' ``schedule=`` and the CLI's ``--schedule`` all go
through :func:`make_schedule`: a name builds a schedule over the run's optimizer with defaults scaled
to the number of epochs; an object already bound to that optimizer is used as it is; a callable
``factory(optimizer)`` builds one (the estimators build their optimizer inside ``fit``, so that is how
to hand them a schedule of your own).
"""

from __future__ import annotations

from typing import Any, Callable

from descenso.optim.schedules import CosineAnnealingLR, LRScheduler, ReduceLROnPlateau, StepLR

__all__ = ["SCHEDULES", "EpochSchedule", "make_schedule"]


def _cosine(optimizer: Any, epochs: int) -> CosineAnnealingLR:
    return CosineAnnealingLR(optimizer, T_max=epochs)


def _step(optimizer: Any, epochs: int) -> StepLR:
    return StepLR(optimizer, step_size=max(1, epochs // 3), gamma=0.1)


def _plateau(optimizer: Any, epochs: int) -> ReduceLROnPlateau:
    return ReduceLROnPlateau(optimizer, factor=0.5, patience=5, threshold=1e-4)


#: The names users pass (``schedule="cosine"``) and what each builds over ``(optimizer, epochs)``.
SCHEDULES: dict[str, Callable[[Any, int], Any]] = {"cosine": _cosine, "step": _step, "plateau": _plateau}


class EpochSchedule:
    """A ``fit`` callback that steps a schedule after every epoch: ``ReduceLROnPlateau`` with the loss.

    Parameters
    ----------
    scheduler : LRScheduler or ReduceLROnPlateau
        Bound to the optimizer ``fit`` uses.

    Notes
    -----
    The plateau rule watches ``val_loss`` when there is validation data, else the training objective.
    The epoch's row in the History holds the rate that epoch trained with; the next epoch gets the new one.
    """

    def __init__(self, scheduler: Any) -> None:
        self.scheduler = scheduler

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], model: Any) -> None:
        """Advance the schedule after the epoch whose row ``logs`` is."""
        if isinstance(self.scheduler, ReduceLROnPlateau):
            val_loss = logs.get("val_loss")
            self.scheduler.step(logs["objective"] if val_loss is None else val_loss)
        else:
            self.scheduler.step()

    def state_dict(self) -> dict[str, Any]:
        """The schedule's position (checkpointed with the run; the rate itself is the optimizer's)."""
        return self.scheduler.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        self.scheduler.load_state_dict(state)


def make_schedule(schedule: Any, optimizer: Any, epochs: int) -> EpochSchedule | None:
    """The :class:`EpochSchedule` for ``schedule`` over ``optimizer``, or None for no schedule.

    Parameters
    ----------
    schedule : None, str, LRScheduler, ReduceLROnPlateau or callable
        ``None`` or ``"none"``: a constant rate. ``"cosine"``: :class:`CosineAnnealingLR` with
        ``T_max=epochs`` (the rate reaches 0 at the last epoch). ``"step"``: :class:`StepLR`, the rate
        divided by 10 after each third of the epochs. ``"plateau"``: :class:`ReduceLROnPlateau` halving the
        rate when the monitored loss has not improved for 5 epochs. An object must be bound to
        ``optimizer``; a callable gets ``optimizer`` and returns such an object.
    optimizer : Optimizer
        The optimizer of the run.
    epochs : int
        The most epochs of the run (what the named schedules are scaled to).

    Raises
    ------
    ValueError
        For an unknown name (listing the known ones), or a schedule bound to another optimizer.
    TypeError
        For anything else.

    Examples
    --------
    >>> import descenso as ds
    >>> from descenso.optim import SGD
    >>> opt = SGD([ds.tensor([1.0], requires_grad=True)], lr=1.0)
    >>> type(make_schedule("cosine", opt, epochs=10).scheduler).__name__
    'CosineAnnealingLR'
    >>> make_schedule("none", opt, epochs=10) is None
    True
    """
    if schedule is None or (isinstance(schedule, str) and schedule.strip().lower() == "none"):
        return None
    if isinstance(schedule, str):
        key = schedule.strip().lower()
        if key not in SCHEDULES:
            raise ValueError(
                f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}, 'none', or pass a "
                "schedule object such as CosineAnnealingLR(optimizer, T_max=100)"
            )
        return EpochSchedule(SCHEDULES[key](optimizer, epochs))
    if not isinstance(schedule, (LRScheduler, ReduceLROnPlateau)) and callable(schedule):
        schedule = schedule(optimizer)
    if not isinstance(schedule, (LRScheduler, ReduceLROnPlateau)):
        raise TypeError(
            f"schedule must be None, one of {', '.join(SCHEDULES)}, an LRScheduler or ReduceLROnPlateau, or "
            f"a callable optimizer -> schedule; got {type(schedule).__name__}"
        )
    if schedule.optimizer is not optimizer:
        raise ValueError(
            "the schedule is bound to another optimizer than the one training uses, so it would change "
            "nothing; build it over the same optimizer (fit(..., optimizer=opt, schedule=StepLR(opt, 10))) "
            "or pass its name, e.g. schedule='step'"
        )
    return EpochSchedule(schedule)
