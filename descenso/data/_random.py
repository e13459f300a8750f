"""One way to turn a user's ``rng`` argument into a NumPy Generator."""

from __future__ import annotations

from typing import Any

import numpy as np


def as_generator(rng: Any) -> np.random.Generator:
    """Return ``rng`` as a ``numpy.random.Generator``.

    An int seed gives a fresh, reproducible generator; a Generator is used as is
    (so successive calls continue its stream); ``None`` gives an unseeded one.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"rng must be a numpy.random.Generator, an int seed or None; got {type(rng).__name__}. "
        "Pass e.g. rng=0 or rng=np.random.default_rng(0) so results are reproducible"
    )
