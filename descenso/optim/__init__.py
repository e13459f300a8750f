"""Optimizers (SGD/GD, Adam, AdamW, RMSprop), learning-rate schedules and gradient clipping.

Examples
--------
>>> import descenso as ds
>>> from descenso import optim
>>> w = ds.tensor([3.0], requires_grad=True)
>>> opt = optim.get("gd", [w], lr=0.25)
>>> for _ in range(3):
...     opt.zero_grad()
...     (w * w).sum().backward()          # grad 2w: each step halves w
...     opt.step()
>>> w.data
array([0.375], dtype=float32)
"""

from __future__ import annotations

from typing import Any, Iterable

from descenso.optim.adam import Adam, AdamW
from descenso.optim.base import Optimizer
from descenso.optim.clip import clip_grad_norm
from descenso.optim.flat import FlatParameters
from descenso.optim.rmsprop import RMSprop
from descenso.optim.schedules import CosineAnnealingLR, ExponentialLR, LRScheduler, ReduceLROnPlateau, StepLR
from descenso.optim.sgd import GD, SGD

OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "gd": GD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
}


def get(name: Any, params: Iterable[Any], **kwargs: Any) -> Optimizer:
    """Build the optimizer called ``name`` ("sgd", "gd", "adam", "adamw", "rmsprop") over ``params``.

    Parameters
    ----------
    name : str or Optimizer class
    params : iterable of Parameter
    **kwargs
        Hyperparameters, e.g. ``lr=0.01, momentum=0.9``.

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.

    Examples
    --------
    >>> import descenso as ds
    >>> get("adam", [ds.tensor([1.0], requires_grad=True)], lr=0.01)
    Adam(lr=0.01, betas=[0.9, 0.999], eps=1e-08, weight_decay=0.0, amsgrad=False)
    """
    if isinstance(name, type) and issubclass(name, Optimizer):
        return name(params, **kwargs)
    if not isinstance(name, str) or name.lower() not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}")
    return OPTIMIZERS[name.lower()](params, **kwargs)


__all__ = [
    "GD", "SGD", "Adam", "AdamW", "CosineAnnealingLR", "ExponentialLR", "FlatParameters", "LRScheduler",
    "Optimizer", "RMSprop", "ReduceLROnPlateau", "StepLR", "clip_grad_norm", "get",
]  # fmt: skip
