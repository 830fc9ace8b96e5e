"""The weekly discussion's decisions, independent of Discord: what to post, close, skip or nudge, and when.

The Discord cog implements `Publisher` (send, find, close, nudge) and calls `tick` every minute and on start-up
with the current time; tests call it with any time they like. Blocking work (the database, the tutor) runs in
worker threads so the event loop keeps its heartbeat.

Several bot processes can share the database (shards, or an old and a new process overlapping during a failover):
whatever is done for a server (recovering an interrupted post, posting, closing, nudging) is done under that server's
cross-process lock (`DiscussionStore.acting`: an advisory lock in PostgreSQL, a file lock beside an SQLite file),
so two processes never both take up the same week: the second finds the lock taken and leaves the server to the
first, and once the first has finished it finds the week posted. A process killed mid-post releases the lock with
its death, and the next one to act finds the "posting" record and completes it (looking for the post first).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.database import Lock
from bot.discussion.posts import Opening, compose_opening, nudge_question
from bot.discussion.rotation import next_topic
from bot.discussion.schedule import Due, Schedule, due, next_run, week_key
from bot.discussion.store import DiscussionStore, Post
from bot.discussion.summary import Contribution, summarize, weekly_text
from bot.tutor.argmap import Claim
from bot.tutor.engine import Tutor

log = logging.getLogger(__name__)
QUIET = timedelta(hours=48)
BUSY = "busy"  # another process is acting for the server: nothing was done
COMMAND_WAIT = 10.0  # seconds `post_now` waits for another process to finish what it is doing for the server


class Publisher(Protocol):
    async def find_post(self, channel_id: int, week_key: str) -> tuple[int, int | None] | None:
        """The (message id, thread id) of this week's opening post if it is already in the channel."""

    async def publish(self, channel_id: int, opening: Opening) -> tuple[int, int | None]:
        """Send the opening post and open its thread."""

    async def contributions(self, thread_id: int) -> tuple[list[Contribution], list[str]]:
        """The humans' messages in a thread, and the questions the bot asked there."""

    async def close(self, thread_id: int, summary: str) -> None:
        """Post the summary, then lock and archive the thread."""

    async def nudge(self, thread_id: int, question: str) -> None: ...


@dataclass(frozen=True)
class Status:
    schedule: Schedule
    next_post: datetime
    next_topic: Claim | None


class WeeklyDiscussion:
    """`tutors(guild_id)` is the tutor over the library that server reads."""

    def __init__(self, tutors: Callable[[int], Tutor], store: DiscussionStore, publisher: Publisher) -> None:
        self.tutors = tutors
        self.store = store
        self.publisher = publisher
        # one action at a time per server in this process: a tick must not take a post that /discussion now is
        # still sending for an interrupted one (and send it again)
        self._acting: dict[int, asyncio.Lock] = {}

    def _lock(self, guild_id: int) -> asyncio.Lock:
        return self._acting.setdefault(guild_id, asyncio.Lock())

    @contextlib.asynccontextmanager
    async def _acting_for(self, guild_id: int, *, wait: float = 0.0) -> AsyncIterator[bool]:
        """Act for a server alone: in this process (an asyncio lock) and across processes (the store's lock, tried
        from a worker thread every quarter second for up to `wait` seconds). Yields whether it was had."""
        async with self._lock(guild_id):
            lock = self.store.acting(guild_id)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + wait
            while not (held := await _try(lock)):
                if loop.time() >= deadline:
                    break
                await asyncio.sleep(0.25)
            try:
                yield held
            finally:
                if held:
                    await asyncio.to_thread(lock.release)

    # ---- reading ---------------------------------------------------------------------------------------------
    async def status(self, guild_id: int, now: datetime) -> Status | None:
        found = await asyncio.to_thread(self.store.schedule, guild_id)
        if found is None or not found[0].enabled:
            return None
        return Status(found[0], next_run(found[0], now), await self.upcoming_topic(guild_id))

    async def upcoming_topic(self, guild_id: int) -> Claim | None:
        posts = await asyncio.to_thread(self.store.posts, guild_id)
        return await asyncio.to_thread(self._next_claim, guild_id, posts)

    def _next_claim(self, guild_id: int, posts: Sequence[Post]) -> Claim | None:
        tutor = self.tutors(guild_id)
        history = [p.claim_id for p in posts if p.status != "skipped"]
        return next_topic(tutor.argmap, tutor.library.essays(), history)

    def claim_of(self, post: Post) -> Claim | None:
        """The claim a week's post is about (None once its essay was removed)."""
        return self.tutors(post.guild_id).argmap.claim(post.claim_id)

    async def preview(self, guild_id: int, now: datetime) -> Opening | None:
        found = await asyncio.to_thread(self.store.schedule, guild_id)
        claim = await self.upcoming_topic(guild_id)
        if claim is None:
            return None
        slot = next_run(found[0], now) if found else now
        return await asyncio.to_thread(self._opening, guild_id, claim,
                                       week_key(found[0], slot) if found else "preview")

    def _opening(self, guild_id: int, claim: Claim, key: str) -> Opening:
        tutor = self.tutors(guild_id)
        return compose_opening(claim, tutor.library.index.passages, key, tutor.rarity)

    # ---- acting ----------------------------------------------------------------------------------------------
    async def tick(self, guild_id: int, now: datetime) -> str:
        """Do whatever is due for a server now: recover, post (or skip a stale slot), nudge a quiet thread. "busy"
        when another process is doing it."""
        async with self._acting_for(guild_id) as held:
            return await self._tick(guild_id, now) if held else BUSY

    async def _tick(self, guild_id: int, now: datetime) -> str:
        found = await asyncio.to_thread(self.store.schedule, guild_id)
        if found is None or not found[0].enabled:
            return "no schedule"
        schedule, created_at = found
        posts = await asyncio.to_thread(self.store.posts, guild_id)
        for post in posts:
            if post.status == "posting":
                await self._finish_interrupted(post, now)
        posts = await asyncio.to_thread(self.store.posts, guild_id)
        decision, slot = due(schedule, now, {p.week_key for p in posts}, created_at)
        key = week_key(schedule, slot)
        if decision is Due.POST:
            await self._post(schedule, key, posts, now)
            return f"posted {key}"
        if decision is Due.SKIP:
            log.warning("weekly discussion for guild %s, %s: missed by %s (over 6 hours), skipped", guild_id, key,
                        now - slot)
            await asyncio.to_thread(self.store.record_skip, guild_id, key, schedule.channel_id, now)
            return f"skipped {key}"
        await self._nudge_if_quiet(posts, now)
        return "waiting"

    async def post_now(self, guild_id: int, now: datetime) -> str:
        """/discussion now: post the next topic at once (closing the previous thread), as this week's post. "busy"
        when another process kept acting for the server for COMMAND_WAIT seconds."""
        async with self._acting_for(guild_id, wait=COMMAND_WAIT) as held:
            return await self._post_now(guild_id, now) if held else BUSY

    async def _post_now(self, guild_id: int, now: datetime) -> str:
        found = await asyncio.to_thread(self.store.schedule, guild_id)
        if found is None:
            return "no schedule"
        schedule, _ = found
        posts = await asyncio.to_thread(self.store.posts, guild_id)
        key = week_key(schedule, now)
        taken = {p.week_key for p in posts}
        suffix = 2
        while key in taken:  # a second post in the same week gets its own key
            key = f"{week_key(schedule, now)}.{suffix}"
            suffix += 1
        await self._post(schedule, key, posts, now)
        return f"posted {key}"

    async def _post(self, schedule: Schedule, key: str, posts: Sequence[Post], now: datetime) -> None:
        claim = await asyncio.to_thread(self._next_claim, schedule.guild_id, posts)
        if claim is None:
            log.warning("weekly discussion for guild %s: no claims to discuss (no essays?)", schedule.guild_id)
            return
        if not await asyncio.to_thread(self.store.begin_post, schedule.guild_id, key, claim.id,
                                       schedule.channel_id, now):
            return  # another tick already claimed this week
        for previous in posts:
            if previous.status == "posted" and previous.thread_id is not None:
                await self._close(previous)
        opening = await asyncio.to_thread(self._opening, schedule.guild_id, claim, key)
        message_id, thread_id = await self.publisher.publish(schedule.channel_id, opening)
        await asyncio.to_thread(self.store.complete_post, schedule.guild_id, key, message_id, thread_id, now)

    async def _finish_interrupted(self, post: Post, now: datetime) -> None:
        """A post recorded as "posting" whose completion was never written: adopt it if it was sent, else send it."""
        found = await self.publisher.find_post(post.channel_id, post.week_key)
        if found is None:
            claim = self.claim_of(post)
            if claim is None:
                await asyncio.to_thread(self.store.set_status, post.guild_id, post.week_key, "skipped")
                return
            opening = await asyncio.to_thread(self._opening, post.guild_id, claim, post.week_key)
            found = await self.publisher.publish(post.channel_id, opening)
        log.info("weekly discussion for guild %s, %s: completed an interrupted post", post.guild_id, post.week_key)
        await asyncio.to_thread(self.store.complete_post, post.guild_id, post.week_key, found[0], found[1], now)

    async def _close(self, post: Post) -> None:
        tutor = self.tutors(post.guild_id)
        claim = self.claim_of(post)
        if claim is None or post.thread_id is None:
            await asyncio.to_thread(self.store.set_status, post.guild_id, post.week_key, "closed")
            return
        contributions, asked = await self.publisher.contributions(post.thread_id)
        # the question left open: a challenge to the claim that the thread has not been asked yet
        open_question = await asyncio.to_thread(nudge_question, claim, asked, tutor.rarity, len(asked))
        summary = await asyncio.to_thread(summarize, claim, contributions, tutor.detector, open_question)
        await self.publisher.close(post.thread_id, weekly_text(summary))
        await asyncio.to_thread(self.store.set_status, post.guild_id, post.week_key, "closed")

    async def _nudge_if_quiet(self, posts: Sequence[Post], now: datetime) -> None:
        """One fresh counter-question in a live thread quiet for 48 hours (once per quiet spell)."""
        for post in posts:
            if post.status != "posted" or post.thread_id is None or post.last_activity_at is None:
                continue
            quiet = now - post.last_activity_at >= QUIET
            already = post.nudged_at is not None and post.nudged_at >= post.last_activity_at
            claim = self.claim_of(post)
            if quiet and not already and claim is not None:
                _, asked = await self.publisher.contributions(post.thread_id)
                rarity = self.tutors(post.guild_id).rarity
                question = await asyncio.to_thread(nudge_question, claim, asked, rarity, len(asked))
                await self.publisher.nudge(post.thread_id, question)
                await asyncio.to_thread(self.store.touch, post.thread_id, now, nudged=True)


async def _try(lock: Lock) -> bool:
    """`lock.acquire(wait=False)` in a worker thread. If the caller is cancelled meanwhile, a lock the thread still
    got is released, never left held."""
    attempt = asyncio.ensure_future(asyncio.to_thread(lock.acquire, wait=False))
    try:
        return await asyncio.shield(attempt)
    except asyncio.CancelledError:
        attempt.add_done_callback(lambda done: done.cancelled() or done.exception() or not done.result()
                                  or lock.release())
        raise
