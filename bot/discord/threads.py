"""Which Discord threads are tutor conversations, so the bot answers every message there without a mention.

Kept in the state store (`ThreadStore`), so a restarted bot still knows its threads, and mirrored in memory, so
the check made for every incoming message needs no disk access. The store is written from worker threads. Another
process sharing the store may open threads after this one started (two processes overlapping on a shard while one
takes over from the other), or forget them (`/forget` run there): `reload` re-reads the store (the conversation
cog calls it every minute), and `knows` asks the store about a thread the memory does not hold meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from bot.state import ThreadStore


class ThreadRegistry:
    def __init__(self, store: ThreadStore) -> None:
        self.store = store
        self._ids = store.ids()  # blocking: construct the registry in a worker thread

    def __contains__(self, thread_id: object) -> bool:
        return thread_id in self._ids

    async def knows(self, thread_id: int) -> bool:
        """Whether the thread is one of the bot's conversations, also if another process opened it."""
        if thread_id in self._ids:
            return True
        if await asyncio.to_thread(self.store.has, thread_id):
            self._ids.add(thread_id)
            return True
        return False

    async def reload(self) -> None:
        """Re-read the store, for the threads other processes opened or forgot; a thread this process adds
        meanwhile stays."""
        before = set(self._ids)
        stored = await asyncio.to_thread(self.store.ids)
        self._ids = stored | (self._ids - before)

    async def add(self, thread_id: int, *, guild_id: int, user_id: int) -> None:
        """Remember a thread the bot opened for `user_id`'s conversation."""
        self._ids.add(thread_id)
        await asyncio.to_thread(self.store.add, thread_id, guild_id=guild_id, user_id=user_id)

    async def forget_user(self, user_id: int) -> list[int]:
        """Forget the threads opened for this person (the bot stops answering there unless mentioned)."""
        ids = await asyncio.to_thread(self.store.forget_user, user_id)
        self._ids.difference_update(ids)
        return ids

    async def remove(self, thread_ids: Iterable[int]) -> None:
        ids = set(thread_ids)
        self._ids.difference_update(ids)
        await asyncio.to_thread(self.store.remove, ids)
