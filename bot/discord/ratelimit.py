"""A per-user cooldown: at most one question every N seconds."""

from __future__ import annotations

import time
from collections.abc import Callable


class Cooldown:
    """Remembers when each key (a user id) was last let through; refused attempts do not restart the wait."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._last: dict[int, float] = {}

    def retry_after(self, key: int) -> float:
        """0 if `key` may go ahead now (and its wait starts), else the seconds it still has to wait."""
        if self.seconds <= 0:
            return 0.0
        now = self._clock()
        left = self.seconds - (now - self._last.get(key, -self.seconds))
        if left > 0:
            return left
        self._last[key] = now
        if len(self._last) > 10_000:  # forget users whose wait is over, so the table stays small
            self._last = {k: t for k, t in self._last.items() if now - t < self.seconds}
        return 0.0
