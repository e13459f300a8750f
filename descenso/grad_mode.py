"""Switching graph recording on and off: ``no_grad`` and ``enable_grad``.

While recording is off, ops compute values only: no parents and no backward
closures are kept, so inference and weight updates cost no memory for a graph.

The switch is per thread, as in PyTorch: a ``no_grad()`` in one thread (say, a
web handler drawing predictions) never turns off recording in another thread's
training step. Every thread starts with recording on.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradState(threading.local):
    """One flag per thread, read by every op.

    The class attribute is the default each new thread sees until it sets its
    own, so the read in ``Tensor.from_op`` is one attribute lookup on a
    thread-local object (no function call, no ``getattr`` default).
    """

    enabled = True


_grad_state = _GradState()


def is_grad_enabled() -> bool:
    """Return whether ops currently record the graph for ``backward()``.

    Examples
    --------
    >>> import descenso as ds
    >>> with ds.no_grad():
    ...     ds.is_grad_enabled()
    False
    """
    return _grad_state.enabled


class _SetGradMode:
    def __init__(self, mode: bool) -> None:
        self.mode = mode
        self.previous = True

    def __enter__(self) -> None:
        self.previous = _grad_state.enabled
        _grad_state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _grad_state.enabled = self.previous

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _SetGradMode(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_SetGradMode):  # noqa: N801 - named like torch.no_grad, used like a function
    """Context manager (or decorator) inside which ops build no graph.

    Examples
    --------
    >>> import descenso as ds
    >>> w = ds.tensor([1.0, 2.0], requires_grad=True)
    >>> with ds.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(_SetGradMode):  # noqa: N801
    """Context manager (or decorator) that turns graph recording back on inside ``no_grad``.

    Examples
    --------
    >>> import descenso as ds
    >>> w = ds.tensor([1.0], requires_grad=True)
    >>> with ds.no_grad(), ds.enable_grad():
    ...     y = w * 2
    >>> y.requires_grad
    True
    """

    def __init__(self) -> None:
        super().__init__(True)
