"""A per-session limit on WebSocket messages: a token bucket, so a flood is dropped, not queued.

The page sends a message per click or per settled slider, a few a second at most. A script (or a
bug) can send thousands; handling each would take the session's lock and a worker thread in turn,
so a pause or a new learning rate sent after the flood would wait behind it. Messages over the
limit are dropped unread and the page is told once per flood.
"""

from __future__ import annotations

import time
from typing import Callable

__all__ = ["MESSAGES_PER_SECOND", "MESSAGE_BURST", "RateLimit"]

MESSAGES_PER_SECOND = 20.0
MESSAGE_BURST = 40


class RateLimit:
    """Allow ``burst`` messages at once and ``per_second`` on average; say when a flood begins.

    Parameters
    ----------
    per_second : float, default 20
        Messages allowed per second, sustained.
    burst : int, default 40
        Messages allowed at once after a quiet moment (the bucket's size).
    clock : callable, default time.monotonic
        Seconds; tests pass their own.

    Notes
    -----
    The bucket holds up to ``burst`` tokens and gains ``per_second`` a second; a message takes one
    or is dropped. :meth:`take` tells the first drop of a flood apart from the others, and a flood
    ends when the bucket is full again, so a steady flood gets one notice, not one per message.

    Examples
    --------
    >>> now = [0.0]
    >>> limit = RateLimit(per_second=2, burst=3, clock=lambda: now[0])
    >>> [limit.take() for _ in range(5)]
    ['allow', 'allow', 'allow', 'first drop', 'drop']
    >>> now[0] = 0.5  # one token back
    >>> [limit.take() for _ in range(2)]
    ['allow', 'drop']
    >>> now[0] = 10.0  # full again: the flood is over
    >>> limit.take(), limit.dropped
    ('allow', 3)
    """

    def __init__(
        self,
        per_second: float = MESSAGES_PER_SECOND,
        burst: int = MESSAGE_BURST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not per_second > 0 or burst < 1:
            raise ValueError(f"RateLimit needs per_second > 0 and burst >= 1; got {per_second}, {burst}")
        self.per_second, self.burst, self.clock = float(per_second), int(burst), clock
        self.tokens, self.last = float(burst), clock()
        self.flooding = False
        self.dropped = 0

    def take(self) -> str:
        """Account for one message: ``"allow"``, or ``"first drop"`` / ``"drop"`` when over the limit."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.per_second)
        self.last = now
        if self.tokens >= self.burst:
            self.flooding = False
        if self.tokens >= 1:
            self.tokens -= 1
            return "allow"
        self.dropped += 1
        if self.flooding:
            return "drop"
        self.flooding = True
        return "first drop"

    def refusal(self) -> str:
        """The sentence the page is sent at the first drop of a flood."""
        return (
            f"too many messages: a tab may send {self.per_second:g} a second (bursts of {self.burst}); "
            "the extra ones are dropped until it slows down"
        )
