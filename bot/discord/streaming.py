"""Showing an LLM reply on Discord as it is written: one message, edited as text streams in.

Discord rate-limits message edits (about five per five seconds per channel), so the draft is shown at most once
every EDIT_INTERVAL seconds, always with the newest text. The checked reply is the final edit, made by the caller
after `close()`, which waits for an edit in flight so that no draft can land after it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import discord

log = logging.getLogger(__name__)

EDIT_INTERVAL = 1.5  # seconds between two edits of a streaming reply


class Drafts:
    """Text pushed from the tutor's worker thread, shown through `show` (an edit), throttled."""

    def __init__(self, show: Callable[[str], Awaitable[object]], *, interval: float = EDIT_INTERVAL) -> None:
        self._show = show
        self._interval = interval
        self._loop = asyncio.get_running_loop()
        self._latest: str | None = None
        self._last_shown_at = float("-inf")
        self._task: asyncio.Task[None] | None = None
        self._closed = asyncio.Event()
        self.shown = 0  # how many drafts reached Discord

    def push(self, text: str) -> None:
        """The text so far; callable from any thread."""
        self._loop.call_soon_threadsafe(self._arrived, text)

    def _arrived(self, text: str) -> None:
        self._latest = text
        if self._task is None and not self._closed.is_set():
            self._task = self._loop.create_task(self._pump())

    async def _pump(self) -> None:
        try:
            while not self._closed.is_set():
                wait = self._last_shown_at + self._interval - self._loop.time()
                if wait > 0:
                    try:  # sleep until the next edit is allowed, or until closed
                        await asyncio.wait_for(self._closed.wait(), timeout=wait)
                        return
                    except TimeoutError:
                        pass
                text = self._latest or ""
                await self._show(text)
                self.shown += 1
                self._last_shown_at = self._loop.time()
                if self._latest == text:
                    return  # up to date: the next push starts a new pump
        except discord.HTTPException:
            log.warning("could not show a streaming draft; the reply will appear when complete", exc_info=True)
            self._closed.set()
        finally:
            self._task = None

    async def close(self) -> None:
        """No more drafts: returns once any edit in flight is done."""
        self._closed.set()
        task = self._task
        if task is not None:
            await task
