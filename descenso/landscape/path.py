"""Record the weights along training, and the path gradient descent took."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from descenso.train import Callback


def flat_parameters(model: Any) -> np.ndarray:
    """All of ``model``'s parameters in one float64 vector, in ``parameters()`` order."""
    return np.concatenate([np.asarray(p.data, dtype=np.float64).ravel() for p in model.parameters()])


class PathRecorder(Callback):
    """A callback for :func:`descenso.fit` that keeps the weights at the start and after every step.

    Attributes
    ----------
    points : list of numpy.ndarray
        One flat float64 vector of all parameters (in ``model.parameters()`` order) before the first
        step, then one after each step.

    Examples
    --------
    >>> import numpy as np
    >>> from descenso import fit
    >>> from descenso.nn import Linear
    >>> recorder = PathRecorder()
    >>> _ = fit(Linear(1, 1, rng=0), np.ones((4, 1)), np.ones(4), optimizer="sgd", lr=0.1,
    ...         epochs=3, batch_size=None, callbacks=[recorder])
    >>> len(recorder.points)                       # the start, then one per step
    4
    """

    def __init__(self) -> None:
        self.points: list[np.ndarray] = []

    def on_train_begin(self, model: Any, history: Any) -> None:
        """Keep the initial weights."""
        self.points = [flat_parameters(model)]

    def on_step_end(self, step: int, logs: dict[str, float], model: Any) -> None:
        """Keep the weights the step reached."""
        self.points.append(flat_parameters(model))


@dataclass
class DescentPath:
    """Gradient descent's path over a landscape, in the landscape's two coordinates.

    Attributes
    ----------
    lr : float
        The learning rate that made it.
    label : str
        What a learner should see in it ("too small: crawls", ...).
    points : numpy.ndarray, shape (steps + 1, 2)
        The start, then the point after each step.
    losses : numpy.ndarray, shape (steps + 1,)
        The objective at each point.
    diverged_at : int or None
        The step after which the objective stopped being finite (or grew past 1e12), if it did.
    """

    lr: float
    label: str
    points: np.ndarray
    losses: np.ndarray
    diverged_at: int | None = field(default=None)
