"""End to end: bursts, follow-ups, floods and restarts. Every message a person sends gets covered by exactly one
reply, the tutor sees a burst as one turn, and the event loop keeps its heartbeat throughout."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from bot.discord.client import TutorBot
from bot.discord.inbox import TOO_LATE
from bot.discord.ratelimit import limited_notice
from bot.library import Library
from bot.state import ConversationStore, PendingStore
from bot.tutor.composer import Reply
from bot.tutor.engine import Tutor
from tests.discord_helpers import TIMEOUT, ask, is_reply, make_bot
from tests.fakediscord import FakeChannel, FakeDiscord, SentMessage

pytestmark = pytest.mark.asyncio
pytest_plugins = ("tests.discord_fixtures",)
STEADY = True  # the `fake` fixture checks the heartbeat: no gap over 1.5 intervals

WINDOW = 1.5  # the burst window of these tests; messages of a burst are sent well within it
NOTICE = limited_notice(1).split(" in about")[0]


class RecordingTutor(Tutor):
    """The real tutor, remembering each message it was given (one per turn) and able to hold a turn."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.messages: list[str] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def reply(self, conversation_id: str, message: str, **kwargs: Any) -> Reply:
        self.messages.append(message)
        self.started.set()
        assert self.release.wait(TIMEOUT)
        return super().reply(conversation_id, message, **kwargs)


def recording_bot(library: Library, **settings: Any) -> tuple[TutorBot, RecordingTutor]:
    tutor = RecordingTutor(library, ConversationStore(library.settings.database_path))
    return make_bot(library, tutor=tutor, **{"burst_quiet_seconds": WINDOW, **settings}), tutor


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait for a condition the bot reaches by itself (checked on every tick of the loop, bounded by TIMEOUT)."""
    async with asyncio.timeout(TIMEOUT):
        while not condition():
            await asyncio.sleep(0.02)
    assert condition(), what


def inbox_idle(bot: TutorBot) -> bool:
    return all(cog.inbox.idle for cog in bot.cogs.values() if hasattr(cog, "inbox"))


def replies_in(fake: FakeDiscord, channel_id: int, mark: int) -> list[SentMessage]:
    return [m for m in fake.sent.since(mark) if m.channel_id == channel_id and m.action == "create" and is_reply(m)]


def user_turns(library: Library, conversation_id: int) -> list[str]:
    turns = ConversationStore(library.settings.database_path).load(str(conversation_id)).turns
    return [t.text for t in turns if t.role == "user"]


async def send_quickly(fake: FakeDiscord, channel: FakeChannel, texts: list[str]) -> list[int]:
    """Post `texts` as the member, 0.2 s apart (a burst: well within the window)."""
    ids = []
    for number, text in enumerate(texts):
        if number:
            await asyncio.sleep(0.2)
        ids.append(int((await fake.send_user_message(channel, fake.member, text))["id"]))
    return ids


async def test_two_and_three_quick_messages_get_one_reply_after_the_last(fake: FakeDiscord, library: Library) -> None:
    bot, tutor = recording_bot(library)
    async with fake.running(bot):
        _, opened = await ask(fake, "Why does Mark's innie choose to stay inside Lumon?")
        thread = fake.state.channels[opened.message_id]
        for burst in (["I think he stays because he finally has friends.", "And because the outie never asks him."],
                      ["But is that freedom?", "He cannot leave the floor.", "Or is the floor all he knows?"]):
            mark = fake.checkpoint()
            ids = await send_quickly(fake, thread, burst)
            sent_at = time.monotonic()
            reply = await fake.wait_for_message(lambda m: m.channel_id == thread.id and is_reply(m), after=mark,
                                                timeout=TIMEOUT)
            await until(lambda: inbox_idle(bot), "the inbox has nothing left to answer")
            assert replies_in(fake, thread.id, mark) == [reply]  # exactly one reply to the burst…
            assert int(reply.payload["message_reference"]["message_id"]) == ids[-1]  # …to its last message
            assert reply.at > sent_at
            assert tutor.messages[-1] == "\n".join(burst)  # the tutor saw the whole burst as one turn
    assert user_turns(library, thread.id)[1:] == ["\n".join(b) for b in (
        ["I think he stays because he finally has friends.", "And because the outie never asks him."],
        ["But is that freedom?", "He cannot leave the floor.", "Or is the floor all he knows?"])]


async def test_a_follow_up_after_the_reply_is_answered_too(fake: FakeDiscord, library: Library) -> None:
    bot, tutor = recording_bot(library)
    dm = fake.open_dm(fake.member)
    async with fake.running(bot):
        mark = fake.checkpoint()
        await fake.send_user_message(dm, fake.member, "Is the innie a person?")
        first = await fake.wait_for_message(lambda m: m.channel_id == dm.id and is_reply(m), after=mark,
                                            timeout=TIMEOUT)
        await asyncio.sleep(1.5)  # the person reads the reply, then adds a thought 1.5 s after it
        await fake.send_user_message(dm, fake.member, "I mean, a person in their own right.")
        second = await fake.wait_for_message(lambda m: m.channel_id == dm.id and is_reply(m) and m is not first,
                                             after=mark, timeout=TIMEOUT)
        await until(lambda: inbox_idle(bot), "the inbox has nothing left to answer")
    assert len(replies_in(fake, dm.id, mark)) == 2 and second.at > first.at
    assert tutor.messages == ["Is the innie a person?", "I mean, a person in their own right."]


async def test_what_is_added_while_the_reply_is_written_is_answered_next_as_one_turn(
    fake: FakeDiscord, library: Library
) -> None:
    bot, tutor = recording_bot(library)
    dm = fake.open_dm(fake.member)
    async with fake.running(bot):
        tutor.release.clear()  # the first turn is held in the tutor until the follow-ups are in
        mark = fake.checkpoint()
        await fake.send_user_message(dm, fake.member, "Who is the villain of Severance?")
        assert await asyncio.to_thread(tutor.started.wait, TIMEOUT)
        await send_quickly(fake, dm, ["Lumon, I suppose.", "Or the outie who signed up."])
        tutor.release.set()
        await until(lambda: len(replies_in(fake, dm.id, mark)) == 2 and inbox_idle(bot), "two replies")
    assert tutor.messages == ["Who is the villain of Severance?", "Lumon, I suppose.\nOr the outie who signed up."]
    assert user_turns(library, dm.id) == tutor.messages


async def test_mentions_in_a_channel_are_collected_into_one_thread(fake: FakeDiscord, library: Library) -> None:
    bot, tutor = recording_bot(library)
    async with fake.running(bot):
        mark = fake.checkpoint()
        mention = fake.bot_user.mention
        ids = await send_quickly(fake, fake.channel, [f"{mention} Why does the innie stay?",
                                                      f"{mention} I mean at Lumon, when he could quit."])
        reply = await fake.wait_for_message(is_reply, after=mark, timeout=TIMEOUT)
        await until(lambda: inbox_idle(bot), "the inbox has nothing left to answer")
    assert reply.channel_id == ids[0] and fake.state.channels[ids[0]].is_thread  # one thread, from the first
    assert [m for m in fake.sent.since(mark) if is_reply(m)] == [reply]
    assert tutor.messages == ["Why does the innie stay?\nI mean at Lumon, when he could quit."]


async def test_a_flood_gets_a_bounded_number_of_replies_one_notice_and_every_message_answered(
    fake: FakeDiscord, library: Library
) -> None:
    rate, period = 2, 12.0  # the flood limit's minute shortened to 12 s: the 10 s flood stays in one window
    bot, tutor = recording_bot(library, burst_quiet_seconds=0.3, replies_per_minute=rate, rate_period=period)
    dm = fake.open_dm(fake.member)
    texts = [f"Thought number {n}: the innie {('stays', 'leaves', 'hesitates', 'argues')[n % 4]}." for n in range(20)]
    async with fake.running(bot):
        mark = fake.checkpoint()
        ids = []
        for text in texts:  # 20 messages in 10 s
            ids.append(int((await fake.send_user_message(dm, fake.member, text))["id"]))
            await asyncio.sleep(0.5)
        await until(lambda: inbox_idle(bot), "every message answered")
        sent = [m for m in fake.sent.since(mark) if m.channel_id == dm.id and m.action == "create"]
    replies = [m for m in sent if is_reply(m)]
    notices = [m for m in sent if m.content.startswith(NOTICE)]
    assert len(notices) == 1 and len(replies) <= rate + 1 and len(sent) == len(replies) + 1
    assert "\n".join(tutor.messages) == "\n".join(texts)  # every message covered, each exactly once, in order
    assert user_turns(library, dm.id) == tutor.messages and len(tutor.messages) == len(replies)
    assert int(replies[-1].payload["message_reference"]["message_id"]) == ids[-1]
    assert PendingStore(library.settings.database_path).held("conversation") == []


async def test_a_message_received_just_before_a_restart_is_answered_after_it(
    fake: FakeDiscord, library: Library
) -> None:
    dm = fake.open_dm(fake.member)
    first, _ = recording_bot(library, burst_quiet_seconds=60)  # it will not answer before it stops
    async with fake.running(first):
        message = await fake.send_user_message(dm, fake.member, "Does the outie owe the innie anything?")
        await until(lambda: bool(PendingStore(library.settings.database_path).held("conversation")), "held")
    assert not [m for m in fake.sent if m.channel_id == dm.id]
    mark = fake.checkpoint()
    restarted, tutor = recording_bot(Library(library.settings, embedder=library.embedder))
    async with fake.running(restarted):
        reply = await fake.wait_for_message(lambda m: m.channel_id == dm.id and is_reply(m), after=mark,
                                            timeout=TIMEOUT)
        await until(lambda: inbox_idle(restarted), "answered")
    assert int(reply.payload["message_reference"]["message_id"]) == int(message["id"])
    assert tutor.messages == ["Does the outie owe the innie anything?"]
    assert PendingStore(library.settings.database_path).held("conversation") == []


async def test_a_message_held_too_long_is_told_it_could_not_be_answered(fake: FakeDiscord, library: Library,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    dm = fake.open_dm(fake.member)
    first, _ = recording_bot(library, burst_quiet_seconds=60)
    async with fake.running(first):
        message = await fake.send_user_message(dm, fake.member, "A question from long ago?")
        await until(lambda: bool(PendingStore(library.settings.database_path).held("conversation")), "held")
    monkeypatch.setattr("bot.discord.inbox.RESTORE_WITHIN", timedelta(0))  # as if the bot had been down for days
    mark = fake.checkpoint()
    restarted, tutor = recording_bot(Library(library.settings, embedder=library.embedder))
    async with fake.running(restarted):
        told = await fake.wait_for_message(lambda m: m.channel_id == dm.id and m.content == TOO_LATE, after=mark,
                                           timeout=TIMEOUT)
        await until(lambda: not PendingStore(library.settings.database_path).held("conversation"), "released")
    assert int(told.payload["message_reference"]["message_id"]) == int(message["id"]) and tutor.messages == []
