"""The flood limit: at most REPLIES_PER_MINUTE tutor replies per person per minute, on discord.py's own
`CooldownMapping` (one fixed-window bucket per user id).

discord.py's cooldowns *refuse* what comes over the rate (`CommandOnCooldown`). Here nothing is refused: a reply
over the rate waits until the window lifts (`wait_turn`), and whoever is waiting is told once per spell. The
messages that arrive meanwhile are kept by the inbox and answered together when the wait is over.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable

import discord
from discord.ext import commands

log = logging.getLogger(__name__)
MINUTE = 60.0


def limited_notice(seconds: float) -> str:
    return (f"You're writing faster than I can think it through. I have everything you sent and will answer it "
            f"together in about {math.ceil(seconds)} s.")


class ReplyRateLimit:
    """`rate` replies per `per` seconds for each user id; `rate` 0 means no limit."""

    def __init__(self, rate: int, per: float = MINUTE, *, clock: Callable[[], float] = time.time) -> None:
        self.rate = rate
        self.per = per
        self._clock = clock
        self._buckets: commands.CooldownMapping[int] = commands.CooldownMapping.from_cooldown(
            max(rate, 1), per, lambda user_id: user_id)
        self._told: set[int] = set()  # users told of the current spell of waiting
        self._waiting: dict[int, int] = {}  # user -> replies of theirs waiting now

    def retry_after(self, user_id: int) -> float:
        """0 if `user_id` may have a reply now (and it is counted), else the seconds until the limit lifts."""
        if self.rate <= 0:
            return 0.0
        retry = self._buckets.update_rate_limit(user_id, self._clock())
        return 0.0 if retry is None else max(retry, 0.01)

    async def wait_turn(self, user_id: int, tell: Callable[[float], Awaitable[object]]) -> None:
        """Return once `user_id` may have a reply; if they must wait, `tell(seconds)` is awaited first, once per
        spell: a spell lasts while any reply of theirs is waiting, however many there are."""
        self._waiting[user_id] = self._waiting.get(user_id, 0) + 1
        try:
            while retry := self.retry_after(user_id):
                if user_id not in self._told:
                    self._told.add(user_id)
                    try:
                        await tell(retry)
                    except discord.HTTPException:
                        log.warning("could not tell user %s about the flood limit", user_id, exc_info=True)
                await asyncio.sleep(retry)
        finally:
            self._waiting[user_id] -= 1
            if not self._waiting[user_id]:
                del self._waiting[user_id]
                self._told.discard(user_id)
