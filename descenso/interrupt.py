"""Stopping training cleanly on Ctrl-C (SIGINT) or SIGTERM: the signal becomes a flag read between steps.

A step is never cut in half, so the weights are always a real iterate and a checkpoint can be
written before training stops. The first signal only raises the flag and puts the previous
handler back, so a second Ctrl-C interrupts at once (``KeyboardInterrupt``) and a second SIGTERM
ends the process as it normally would.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

__all__ = ["InterruptFlag", "EXIT_CODES"]

#: The exit status a command-line program conventionally ends with after each signal (128 + number).
EXIT_CODES = {"SIGINT": 130, "SIGTERM": 143}


class InterruptFlag:
    """A context manager that turns the first SIGINT or SIGTERM into ``raised`` (main thread only).

    Attributes
    ----------
    raised : bool
        Whether a signal arrived.
    signal_name : str or None
        ``"SIGINT"`` or ``"SIGTERM"``: which one.

    Examples
    --------
    >>> import os, signal
    >>> with InterruptFlag() as flag:
    ...     os.kill(os.getpid(), signal.SIGTERM)
    ...     flag.raised, flag.signal_name
    (True, 'SIGTERM')
    """

    _SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.raised = False
        self.signal_name: str | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> InterruptFlag:
        if threading.current_thread() is threading.main_thread():
            for signum in self._SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.raised = True
        self.signal_name = signal.Signals(signum).name
        self._restore()

    def _restore(self) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
        self._previous.clear()

    def __exit__(self, *exc: object) -> None:
        self._restore()

    def describe(self) -> str:
        """How the run was stopped, for the stop reason."""
        return "by SIGTERM" if self.signal_name == "SIGTERM" else "by the user (Ctrl-C)"
