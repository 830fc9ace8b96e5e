"""Past one machine, end to end: real bot processes (`python -m tests.bot_process`, real discord.py) on one fake
Discord that speaks shards, sharing one PostgreSQL database (the test session's real server) and one index.

Real subprocesses rather than two clients in the test's process, because what is tested belongs to processes:
advisory locks held by separate server sessions, `kill -9` in the middle of a conversation, and an index build
that reaches another process only through INDEX_DIR (no shared memory, no shared Python objects).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from bot.database import open_database
from bot.discussion.schedule import Schedule, parse_time
from bot.discussion.store import DiscussionStore
from bot.library import Library
from bot.state import ConversationStore, PendingStore
from tests.conftest import ROOT, SECOND_ESSAY
from tests.discord_helpers import TIMEOUT, assert_never_pings, final_answer, is_reply, question_of
from tests.fakediscord import FakeChannel, FakeDiscord, FakeGuild, FakeUser, SentMessage
from tests.fakediscord.models import MANAGE_GUILD

pytestmark = pytest.mark.asyncio

START_TIMEOUT = 180.0  # a process loads the model, the index and the parser: generous, the machine may be busy
QUIET = 1.5  # BURST_QUIET_SECONDS: long enough to kill a process between a message and its reply
TICK = 0.5  # DISCUSSION_TICK_SECONDS and INDEX_REFRESH_SECONDS
QUESTION = "What does Joel want to erase from his memory, and why does he change his mind?"
SUNSHINE = "Eternal Sunshine"


class BotProcess:
    """One bot process, logging to a file."""

    def __init__(self, name: str, env: dict[str, str], log: Path, cwd: Path) -> None:
        self.name = name
        self.log_path = log
        self._log = open(log, "w")  # noqa: SIM115 - the child writes to it until it ends
        self.popen = subprocess.Popen([sys.executable, "-m", "tests.bot_process"], env=env, cwd=cwd,
                                      stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def user_agent(self) -> str:
        return f"bot-process/{self.name}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while "logged in as" not in self.log():
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.popen.returncode}:\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} not ready in {START_TIMEOUT} s:\n{self.log()[-3000:]}")
            await asyncio.sleep(0.1)

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(60)
        self._log.close()

    async def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)  # what Ctrl-C does: discord.py closes the client
            with contextlib.suppress(subprocess.TimeoutExpired):
                await asyncio.to_thread(self.popen.wait, 30)
        self.kill()


@dataclass
class World:
    """Two servers, one on each of two shards, with their #general; an admin (Manage Server in the first, which
    owns the library) and a member of both. `start` runs a bot process on given shards."""

    fake: FakeDiscord
    root: Path
    library: Library
    database_url: str
    guilds: list[FakeGuild]
    channels: list[FakeChannel]
    admin: FakeUser
    member: FakeUser
    processes: list[BotProcess] = field(default_factory=list)

    def start(self, name: str, shard_ids: str, shard_count: int = 2) -> BotProcess:
        settings = self.library.settings
        env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_PATH", "SHARD_IDS")}
        env |= {
            "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
            "FAKE_DISCORD_URL": self.fake.url, "BOT_PROCESS_NAME": name, "DISCORD_TOKEN": self.fake.token,
            "CORPUS_DIR": str(settings.corpus_dir), "INDEX_DIR": str(settings.index_dir),
            "DATABASE_URL": self.database_url, "SHARD_COUNT": str(shard_count), "SHARD_IDS": shard_ids,
            "ADMIN_GUILD_IDS": str(self.guilds[0].id), "REPLIES_PER_MINUTE": "0", "BURST_QUIET_SECONDS": str(QUIET),
            "DISCUSSION_TICK_SECONDS": str(TICK), "INDEX_REFRESH_SECONDS": str(TICK), "LOG_LEVEL": "INFO",
        }
        process = BotProcess(name, env, self.root / f"{name}.log", self.root)
        self.processes.append(process)
        return process

    def schedule_due_now(self, guild: int) -> None:
        """A weekly discussion whose slot was a minute ago (set a day before): due on the next tick."""
        slot = datetime.now(UTC) - timedelta(minutes=1)
        store = DiscussionStore(open_database(self.database_url))
        store.set_schedule(Schedule(self.guilds[guild].id, self.channels[guild].id, slot.weekday(),
                                    parse_time(slot.strftime("%H:%M")), "UTC"), slot - timedelta(days=1))

    def openings(self, guild: int) -> list[SentMessage]:
        return [m for m in self.fake.sent if m.channel_id == self.channels[guild].id and m.action == "create"
                and any((e.get("footer") or {}).get("text", "").startswith("Weekly discussion") for e in m.embeds)]

    def posted_by(self, guild: int) -> list[str]:
        """The processes (by User-Agent) whose message posts into the server's channel succeeded."""
        path = f"/api/v10/channels/{self.channels[guild].id}/messages"
        return [r.user_agent.rsplit(" ", 1)[-1] for r in self.fake.requests
                if r.method == "POST" and r.path == path and r.status == 200]


@pytest_asyncio.fixture
async def world(library_factory: Callable[..., Library], postgres_url: str,
                tmp_path: Path) -> AsyncIterator[World]:
    library = library_factory()
    async with FakeDiscord(heartbeat_interval=1.0, default_world=False) as fake:
        state = fake.state
        owner, admin, member = state.add_user("owner"), state.add_user("admin"), state.add_user("member")
        guilds = [state.add_guild(f"Readers {n}", owner=owner, shard=(n, 2)) for n in (0, 1)]
        for guild in guilds:
            state.add_member(guild, admin, roles=[state.add_role(guild, "Admin", MANAGE_GUILD)])
            state.add_member(guild, member)
        state.application_owner = owner
        channels = [state.add_text_channel(g, "general") for g in guilds]
        world = World(fake, tmp_path, library, postgres_url, guilds, channels, admin, member)
        try:
            yield world
        finally:
            for process in world.processes:
                await process.stop()
                print(f"---- log of {process.name} (shown when the test fails) ----\n{process.log()[-6000:]}")
        fake.assert_clean()
        assert_never_pings(fake)


async def eventually(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT * 3) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.1)


async def ask(world: World, guild: int, question: str, *, user: FakeUser | None = None) -> SentMessage:
    fake = world.fake
    call = await fake.invoke_slash("ask", {"question": question}, user=user or world.member,
                                   channel=world.channels[guild])
    return await fake.wait_for_message(lambda m: m.interaction_id == call.id and is_reply(m), timeout=TIMEOUT * 3)


def quotes(reply: SentMessage) -> str:
    return next((f["value"] for f in reply.embeds[0]["fields"] if f["name"] == "Quoted from"), "")


async def test_two_processes_one_shard_each(world: World) -> None:
    """Each process posts the weekly discussion of the server on its shard, once; an essay added through one
    process is quoted by the other within seconds, without a restart, and no question fails meanwhile."""
    for guild in (0, 1):
        world.schedule_due_now(guild)
    first, second = world.start("p0", "0"), world.start("p1", "1")
    await asyncio.gather(first.ready(), second.ready())
    for guild in (0, 1):
        await eventually(lambda g=guild: bool(world.openings(g)), f"the weekly post in server {guild}")
    await asyncio.sleep(TICK * 6)  # later ticks, in both processes, post nothing more
    assert [len(world.openings(g)) for g in (0, 1)] == [1, 1]
    assert world.posted_by(0) == [first.user_agent] and world.posted_by(1) == [second.user_agent]

    before = await ask(world, 1, QUESTION)  # the second server, served by the second process
    assert SUNSHINE not in quotes(before)
    attachment = world.fake.add_attachment(SECOND_ESSAY.name, SECOND_ESSAY.read_bytes())
    call = await world.fake.invoke_slash("essay add", {"file": attachment}, user=world.admin,
                                         channel=world.channels[0])
    added = await final_answer(world.fake, call, lambda text: text.startswith(("Added", "Could not")))
    assert added.startswith("Added **The Stain That Stays"), added
    added_at = time.monotonic()
    replies = []
    while SUNSHINE not in quotes(replies[-1] if replies else before):
        assert time.monotonic() - added_at < 30, "the second process never swapped the new build in"
        replies.append(await ask(world, 1, QUESTION))  # every question meanwhile gets a proper reply
    took = time.monotonic() - added_at
    print(f"the new essay was quoted by the other process {took:.1f} s after it was added ({len(replies)} asks)")
    assert "swapped in the index build another process made: 2 essays" in second.log()
    assert first.popen.poll() is None and second.popen.poll() is None


async def test_a_failover_overlap_posts_the_week_once(world: World) -> None:
    """The process taking over shard 0 starts while the old one still runs it, at the same moment, with Discord slow
    to accept the post: both race for the week, and exactly one posts it."""
    opening = f"/api/v10/channels/{world.channels[0].id}/messages"
    world.fake.slow_down(lambda method, path: method == "POST" and path == opening, 3.0)
    old, new = world.start("old", "0"), world.start("new", "0")
    await asyncio.gather(old.ready(), new.ready())
    world.schedule_due_now(0)  # due for both at once: their next ticks race for it
    await eventually(lambda: bool(world.openings(0)), "the weekly post")
    await asyncio.sleep(TICK * 8)  # both keep ticking after it
    assert len(world.openings(0)) == 1 and len(world.posted_by(0)) == 1
    busy = "another process is acting for it"  # the loser of the race found the server's lock taken
    assert busy in old.log() or busy in new.log()
    assert world.openings(1) == []  # nobody runs shard 1
    [post] = DiscussionStore(open_database(world.database_url)).posts(world.guilds[0].id)
    assert post.status == "posted"


async def test_a_process_killed_mid_post_is_completed_not_repeated(world: World) -> None:
    """kill -9 while the week's post is on its way to Discord (recorded as "posting", not yet as posted): the next
    process gets the dead one's lock, finds the record, looks in the channel and completes the week, once."""
    world.schedule_due_now(0)
    opening = f"/api/v10/channels/{world.channels[0].id}/messages"
    world.fake.slow_down(lambda method, path: method == "POST" and path == opening, 3.0)
    first = world.start("p0", "0")
    await first.ready()
    store = DiscussionStore(open_database(world.database_url))
    await eventually(lambda: [p.status for p in store.posts(world.guilds[0].id)] == ["posting"], "the post begun")
    first.kill()
    second = world.start("p0-again", "0")
    await second.ready()
    await eventually(lambda: [p.status for p in store.posts(world.guilds[0].id)] == ["posted"], "the week posted")
    await asyncio.sleep(TICK * 6)
    [sent] = world.openings(0)  # Discord took the dead process's post, or the new one sent it: one either way
    [post] = store.posts(world.guilds[0].id)
    assert post.message_id == sent.message_id and post.thread_id is not None
    assert "completed an interrupted post" in second.log()


async def test_killing_a_process_mid_conversation_and_starting_again_continues_it(world: World) -> None:
    """kill -9 between a message and its reply; a process that takes over (here with a different shard layout:
    one process for both shards) answers that message in the same thread and goes on with the same conversation."""
    fake = world.fake
    first = world.start("p0", "0")
    await first.ready()
    opened = await ask(world, 0, "Why does Mark's innie choose to stay inside Lumon?")
    joined = f"/channels/{opened.message_id}/thread-members/"  # the thread is open and the asker in it
    await fake.wait_for_request(lambda r: r.method == "PUT" and joined in r.path, timeout=TIMEOUT * 3)
    thread = fake.state.channels[opened.message_id]
    mark = fake.checkpoint()
    await fake.send_user_message(thread, world.member, "I think he stays because the innie finally has a life.")
    second = await fake.wait_for_message(lambda m: m.channel_id == thread.id and is_reply(m), after=mark,
                                         timeout=TIMEOUT * 3)

    pending = PendingStore(open_database(world.database_url))
    mark = fake.checkpoint()
    held = await fake.send_user_message(thread, world.member, "But isn't the outie just as much a victim of Lumon?")
    await eventually(lambda: bool(pending.held("conversation")), "the message held in the database")
    first.kill()  # within the burst window: the message was received, not answered
    assert not [m for m in fake.sent.since(mark) if m.channel_id == thread.id and is_reply(m)]

    taking_over = world.start("q", "0,1")
    await taking_over.ready()
    third = await fake.wait_for_message(lambda m: m.channel_id == thread.id and is_reply(m), after=mark,
                                        timeout=TIMEOUT * 3)  # the held message, answered after the restart
    mark = fake.checkpoint()
    await fake.send_user_message(thread, world.member, "I disagree: splitting yourself is a way to survive grief.")
    fourth = await fake.wait_for_message(lambda m: m.channel_id == thread.id and is_reply(m), after=mark,
                                         timeout=TIMEOUT * 3)  # no mention needed: still the bot's thread
    assert str(third.payload["message_reference"]["message_id"]) == held["id"]  # it answers the message held over
    conversation = ConversationStore(open_database(world.database_url)).load(str(thread.id))
    assert [t.role for t in conversation.turns] == ["user", "tutor"] * 4
    assert [t.text for t in conversation.turns if t.role == "user"][1:] == [
        "I think he stays because the innie finally has a life.",
        "But isn't the outie just as much a victim of Lumon?",
        "I disagree: splitting yourself is a way to survive grief."]
    questions = [question_of(m) for m in (opened, second, third, fourth)]
    assert len(set(questions)) == 4  # one conversation: the tutor remembers what it asked before the kill
    await eventually(lambda: pending.held("conversation") == [], "every message released once answered")
