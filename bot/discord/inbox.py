"""Incoming messages, collected and answered a burst at a time: no message is lost, none is answered twice.

People split a thought over several quick messages and add to it while the bot is thinking. So messages are
collected per *key* (a person in a conversation; a whole weekly thread) and a burst is answered once its key has
been quiet for `quiet` seconds, or at once for a message put with `now=True`. Messages that arrive while a burst
is being answered are collected the same way and form the next burst: a follow-up is never dropped, and never
gets a reply of its own beside the one it belongs to. The caller's `answer` turns a burst into one tutor turn.

Floods: before a burst is answered, its sender's reply rate (`ReplyRateLimit`) is checked; over the rate, the
burst waits, still collecting, until the limit lifts, and the sender is told once.

Restarts: each message's ids are held in the `PendingStore` until its burst was answered, so a restarted bot
reads the held messages again from Discord and answers them (`restore`), or says it could not. With several
processes sharing the store, each restores only the messages of the servers it `serves` (its shards).

discord.py has cooldowns that refuse and `max_concurrency` that queues *commands*; nothing in it collects plain
messages into one turn and answers them later, hence this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import discord

from bot.discord.ratelimit import ReplyRateLimit, limited_notice
from bot.state import PendingMessage, PendingStore

log = logging.getLogger(__name__)

#: A message held longer than this when the bot restarts is not answered out of the blue: its sender is told.
RESTORE_WITHIN = timedelta(hours=6)
TOO_LATE = ("I was offline when you sent this and could not answer it then. "
            "Send it again, or mention me, if it is still on your mind.")


@dataclass
class Burst:
    """Messages of one key to be answered with one reply, oldest first."""

    key: Hashable
    messages: list[discord.Message]
    state: dict[str, Any]  # shared by the bursts of one busy spell of the key (e.g. the thread a mention opened)

    @property
    def last(self) -> discord.Message:
        return self.messages[-1]


@dataclass
class _Slot:
    messages: list[discord.Message] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    last_arrival: float = 0.0
    flush: bool = False
    task: asyncio.Task[None] | None = None
    answering: list[discord.Message] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)  # set when no burst is being answered
    state: dict[str, Any] = field(default_factory=dict)


class Inbox:
    """`answer(burst)` must handle its own failures (apologise); an exception escaping it is logged."""

    def __init__(self, name: str, client: discord.Client, store: PendingStore, rate: ReplyRateLimit, *,
                 quiet: float, answer: Callable[[Burst], Awaitable[None]],
                 serves: Callable[[int | None], bool] | None = None) -> None:
        self.name = name
        self.client = client
        self.serves = serves or (lambda guild_id: guild_id is None or client.get_guild(guild_id) is not None)
        self.store = store
        self.rate = rate
        self.quiet = quiet
        self._answer = answer
        self._slots: dict[Hashable, _Slot] = {}
        self._holds: dict[int, asyncio.Future[None]] = {}  # message id -> its write to the store
        self._registry: dict[str, Inbox] | None = None
        self._restoring: asyncio.Task[None] | None = None

    def open(self, take: Callable[[discord.Message], object], registry: dict[str, Inbox]) -> None:
        """Start: listed in `registry` (where `/forget` finds every inbox), and once the client is ready, the
        messages held before the last stop are taken again (`restore`)."""
        self._registry = registry
        registry[self.name] = self
        self._restoring = asyncio.create_task(self._restore_when_ready(take), name=f"inbox-{self.name}-restore")

    async def _restore_when_ready(self, take: Callable[[discord.Message], object]) -> None:
        await self.client.wait_until_ready()
        await self.restore(take)

    @property
    def idle(self) -> bool:
        """Nothing waiting, nothing being answered."""
        return not self._slots

    def put(self, key: Hashable, message: discord.Message, *, now: bool = False) -> None:
        """Take a message in. Synchronous, so that messages keep their order of arrival."""
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = _Slot()
            slot.done.set()
        slot.messages.append(message)
        slot.last_arrival = asyncio.get_running_loop().time()
        slot.flush = slot.flush or now
        slot.arrived.set()
        if message.id not in self._holds:
            self._holds[message.id] = asyncio.ensure_future(asyncio.to_thread(self.store.hold, PendingMessage(
                message.id, message.channel.id, message.guild.id if message.guild else None, message.author.id,
                self.name, message.created_at)))
        if slot.task is None:
            slot.task = asyncio.create_task(self._run(key, slot), name=f"inbox-{self.name}-{key}")

    async def _run(self, key: Hashable, slot: _Slot) -> None:
        try:
            while slot.messages:
                await self._until_quiet(slot)
                if slot.messages:
                    sender = slot.messages[-1]
                    await self.rate.wait_turn(sender.author.id, functools.partial(self._tell, sender))
                if not slot.messages:  # forgotten meanwhile
                    break
                batch, slot.messages, slot.flush = slot.messages, [], False
                slot.answering = batch
                slot.done.clear()
                try:
                    await self._answer(Burst(key, batch, slot.state))
                except Exception:
                    log.exception("answering %d messages (%s) failed", len(batch), key)
                finally:
                    slot.answering = []
                    slot.done.set()
                await self._release(batch)
        finally:
            if self._slots.get(key) is slot:
                del self._slots[key]

    async def _until_quiet(self, slot: _Slot) -> None:
        loop = asyncio.get_running_loop()
        while not slot.flush and slot.messages:
            wait = slot.last_arrival + self.quiet - loop.time()
            if wait <= 0:
                return
            slot.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(slot.arrived.wait(), wait)

    @staticmethod
    async def _tell(message: discord.Message, seconds: float) -> None:
        await message.reply(limited_notice(seconds), mention_author=False)

    async def _release(self, messages: list[discord.Message]) -> None:
        holds = [self._holds.pop(m.id) for m in messages if m.id in self._holds]
        await asyncio.gather(*holds, return_exceptions=True)  # a release must not overtake its hold
        await asyncio.to_thread(self.store.release, [m.id for m in messages])

    # ---- forgetting, restarting, stopping ---------------------------------------------------------------------
    async def forget(self, user_id: int) -> None:
        """Drop this person's waiting messages and wait for any reply to them in progress, so that nothing of theirs
        is written after this returns (then delete what the stores hold)."""
        in_flight = []
        for slot in list(self._slots.values()):
            slot.messages = [m for m in slot.messages if m.author.id != user_id]
            slot.arrived.set()  # a waiting worker with nothing left stops
            if any(m.author.id == user_id for m in slot.answering):
                in_flight.append(slot.done.wait())
        await asyncio.gather(*in_flight)
        await asyncio.gather(*self._holds.values(), return_exceptions=True)

    async def restore(self, take: Callable[[discord.Message], object]) -> None:
        """Messages held before a restart: read each again from Discord and `take` it (as on arrival), or tell its
        sender it came too long ago; a message deleted meanwhile needs nothing."""
        now = datetime.now(UTC)
        for pending in await asyncio.to_thread(self.store.held, self.name):
            if not self.serves(pending.guild_id):
                continue  # another process's: a server (or, for DMs, shard 0) on a shard this one does not run
            message = await self._fetch(pending)
            if message is not None and now - pending.received_at <= RESTORE_WITHIN:
                take(message)
                continue
            if message is not None:
                with contextlib.suppress(discord.HTTPException):
                    await message.reply(TOO_LATE, mention_author=False)
            await asyncio.to_thread(self.store.release, [pending.message_id])

    async def _fetch(self, pending: PendingMessage) -> discord.Message | None:
        try:
            channel = self.client.get_channel(pending.channel_id) or await self.client.fetch_channel(
                pending.channel_id)
            assert isinstance(channel, discord.abc.Messageable)
            return await channel.fetch_message(pending.message_id)
        except discord.NotFound:
            return None
        except discord.HTTPException:
            log.warning("could not read held message %s in channel %s again", pending.message_id,
                        pending.channel_id, exc_info=True)
            return None

    async def close(self) -> None:
        """Stop every worker; held messages stay in the store for the next start."""
        if self._registry is not None:
            self._registry.pop(self.name, None)
        if self._restoring is not None:
            self._restoring.cancel()
        tasks = [slot.task for slot in self._slots.values() if slot.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*self._holds.values(), return_exceptions=True)
