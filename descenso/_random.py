"""The one way descenso turns a user's ``rng`` argument into a NumPy Generator.

Randomness is always passed in (never global seeding): an int seed gives a fresh,
reproducible generator; a Generator is used as is, so successive calls continue
its stream; ``None`` gives an unseeded one where the caller allows it.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def as_generator(rng: Any, *, allow_none: bool = True, where: str = "") -> np.random.Generator:
    """Return ``rng`` as a ``numpy.random.Generator``.

    Parameters
    ----------
    rng : numpy.random.Generator, int or None
        The user's argument.
    allow_none : bool, default True
        Whether ``None`` (fresh, not reproducible randomness) is accepted.
    where : str
        The function's name, to start the error message with.

    Raises
    ------
    TypeError
        For anything else, with the fix.

    Examples
    --------
    >>> int(as_generator(0).integers(10)) == int(as_generator(0).integers(10))
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    if rng is None and allow_none:
        return np.random.default_rng()
    accepted = (
        "a numpy.random.Generator, an int seed or None"
        if allow_none
        else ("a numpy.random.Generator or an int seed")
    )
    prefix = f"{where}: " if where else ""
    raise TypeError(
        f"{prefix}rng must be {accepted}; got {type(rng).__name__}. "
        "Pass e.g. rng=0 or rng=np.random.default_rng(0) so results are reproducible"
    )
