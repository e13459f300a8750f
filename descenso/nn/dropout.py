"""``Dropout``: inverted dropout, active only in training mode."""

from __future__ import annotations

from typing import Any

import numpy as np

from descenso.backend import like
from descenso.nn.init import as_generator
from descenso.nn.module import Module
from descenso.ops.arithmetic import mul
from descenso.tensor import Tensor


class Dropout(Module):
    """Zero each input with probability ``p`` during training and scale the rest by ``1/(1-p)``.

    Parameters
    ----------
    p : float in [0, 1), default 0.5
        Probability of dropping each element.
    rng : None, int or numpy.random.Generator
        Source of the masks (None: fresh entropy, not reproducible).

    Raises
    ------
    ValueError
        If ``p`` is outside ``[0, 1)``.

    Notes
    -----
    Inverted dropout: ``y = x * m / (1 - p)`` with ``m_i ~ Bernoulli(1 - p)``, so
    ``E[y] = x`` and evaluation mode (``model.eval()``) is the identity. The
    gradient is ``m / (1 - p)``: dropped units pass no gradient. The mask is drawn on
    the host from ``rng``, so a seed drops the same units on every device (on a GPU
    that costs one copy of the mask per step).

    Examples
    --------
    >>> import descenso as ds
    >>> drop = Dropout(0.5, rng=0)
    >>> drop(ds.ones(6)).data
    array([2., 2., 2., 0., 0., 0.], dtype=float32)
    >>> drop.eval()(ds.ones(3)).data
    array([1., 1., 1.], dtype=float32)
    """

    def __init__(self, p: float = 0.5, rng: Any = None) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0 <= p < 1:
            raise ValueError(f"Dropout: p must be a probability in [0, 1); got {p!r}")
        self.p = float(p)
        self.rng = as_generator(rng)

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0:
            return x
        keep = self.rng.random(x.shape, dtype=x.dtype) >= self.p
        mask = keep.astype(x.dtype) * np.asarray(1.0 / (1.0 - self.p), dtype=x.dtype)
        return mul(x, Tensor(like(mask, x.data)))

    def extra_repr(self) -> str:
        return f"p={self.p}"

    def get_config(self) -> dict[str, Any]:
        """``{"type": "Dropout", "p": p}`` (the rng is not part of the architecture)."""
        return {"type": "Dropout", "p": self.p}
