"""The weekly discussion end to end: the real bot on the fake Discord, with a clock the test moves."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from bot.discord.client import TutorBot
from bot.discord.interactions import ADMIN_ONLY
from bot.library import Library
from bot.state import ConversationStore
from tests.conftest import SEED
from tests.discord_helpers import EPHEMERAL, TIMEOUT, final_answer
from tests.fakediscord import FakeDiscord
from tests.fakediscord.records import SentMessage

pytest_plugins = ("tests.discord_fixtures",)

SLOT = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # Monday 30 November 2026, 18:00 in Berlin
BATCH = 0.5
SUBCOMMANDS = {
    "discussion set": {"channel": None, "weekday": 0, "time": "18:00", "timezone": "Europe/Berlin"},
    "discussion status": {},
    "discussion preview": {},
    "discussion now": {},
    "discussion off": {},
}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest_asyncio.fixture
async def running(fake: FakeDiscord, library: Library) -> AsyncIterator[tuple[TutorBot, Clock]]:
    clock = Clock(SLOT - timedelta(hours=2))
    settings = library.settings.model_copy(update={
        "replies_per_minute": 0, "discussion_tick_seconds": 0.1, "discussion_batch_seconds": BATCH})
    async with fake.running(TutorBot(settings, library=library, clock=clock, guild_ready_timeout=0.05)) as bot:
        yield bot, clock  # type: ignore[misc]


async def command(fake: FakeDiscord, name: str, done: str, *, user: object = None, **options: object) -> str:
    values = {**SUBCOMMANDS[name], **options}
    if "channel" in values:
        values["channel"] = fake.channel
    call = await fake.invoke_slash(name, values, user=user or fake.admin)
    await fake.wait_for_interaction_response(call, timeout=TIMEOUT)
    return await final_answer(fake, call, lambda text: done in text)


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(int(TIMEOUT / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def is_opening(message: SentMessage, week: str) -> bool:
    return any((e.get("footer") or {}).get("text") == f"Weekly discussion · {week}" for e in message.embeds)


async def human(fake: FakeDiscord, thread_id: int, text: str, **kwargs: object) -> None:
    await fake.send_user_message(thread_id, fake.member, text, **kwargs)


def bot_messages_in(fake: FakeDiscord, channel_id: int) -> list[SentMessage]:
    return [m for m in fake.sent if m.channel_id == channel_id and m.action == "create" and m.source == "channel"]


async def test_set_status_preview_off(fake: FakeDiscord, running: tuple[TutorBot, Clock]) -> None:
    answer = await command(fake, "discussion set", "Weekly discussion set")
    assert "every Monday at 18:00 (Europe/Berlin)" in answer
    status = await command(fake, "discussion status", "Next post")
    stamp = int(SLOT.timestamp())
    assert "Next post: Monday 30 November 2026, 18:00 Europe/Berlin" in status
    assert f"<t:{stamp}:F>" in status and "Next topic: " in status
    call = await fake.invoke_slash("discussion preview", {}, user=fake.admin)
    preview = await fake.wait_for_message(lambda m: m.interaction_id == call.id and bool(m.embeds), timeout=TIMEOUT)
    assert preview.embeds[0]["title"] == "Weekly discussion · 2026-W49"
    assert (preview.payload.get("flags") or 0) & EPHEMERAL  # only the admin sees it
    assert not [m for m in fake.sent if m.channel_id == fake.channel.id and m.source == "channel"]  # nothing posted
    bad = await command(fake, "discussion set", "Nothing was changed", timezone="Mars/Olympus")
    assert "IANA" in bad
    assert "Europe/Berlin" in await command(fake, "discussion status", "Next post")
    assert await command(fake, "discussion off", "off") == "The weekly discussion is off."
    assert "No weekly discussion is scheduled" in await command(fake, "discussion status", "No weekly")


async def test_members_are_refused(fake: FakeDiscord, running: tuple[TutorBot, Clock]) -> None:
    for name in SUBCOMMANDS:
        values = {k: (fake.channel if k == "channel" else v) for k, v in SUBCOMMANDS[name].items()}
        call = await fake.invoke_slash(name, values, user=fake.member)
        response = await fake.wait_for_interaction_response(call, timeout=TIMEOUT)
        assert (response.data["content"], response.data["flags"]) == (ADMIN_ONLY, EPHEMERAL)
    assert "No weekly discussion is scheduled" in await command(fake, "discussion status", "No weekly")


async def test_the_week_in_a_thread(fake: FakeDiscord, running: tuple[TutorBot, Clock]) -> None:
    bot, clock = running
    await command(fake, "discussion set", "Weekly discussion set")

    # the scheduled post: a verbatim quote, the claim, three prompts, and a thread named after the week
    clock.now = SLOT + timedelta(seconds=30)
    opening = await fake.wait_for_message(lambda m: is_opening(m, "2026-W49"), timeout=TIMEOUT)
    description = opening.embeds[0]["description"]
    quote = re.search(r"> “(.+?)”\n", description)
    assert quote and quote.group(1) in SEED.read_text(encoding="utf-8")
    assert "**The claim:**" in description and description.count("?") >= 3
    thread_request = f"/channels/{fake.channel.id}/messages/{opening.message_id}/threads"
    created = await fake.wait_for_request(lambda r: r.method == "POST" and r.path.endswith(thread_request),
                                          timeout=TIMEOUT)
    assert created.json["name"].startswith("Week 49 · ")
    thread = opening.message_id
    await asyncio.sleep(0.5)
    assert len([m for m in fake.sent if is_opening(m, "2026-W49")]) == 1  # later ticks do not post again

    # a burst of messages gets one reply once the thread is quiet
    mark = fake.checkpoint()
    await human(fake, thread, "I agree with the essay, the outie is a warning to all of us.")
    await human(fake, thread, "Also, workplaces really do reward us for hiding grief.")
    reply = await fake.wait_for_message(lambda m: m.channel_id == thread and bool(m.embeds), after=mark,
                                        timeout=TIMEOUT)
    await asyncio.sleep(BATCH * 2)
    assert [m.message_id for m in bot_messages_in(fake, thread)] == [reply.message_id]  # one reply to the burst
    assert reply.embeds[0]["fields"][-1]["name"] == "Your turn"
    stored = ConversationStore(bot.settings.database_path).load(f"discussion:{thread}")
    assert stored.essay_id == "severance"  # the replies keep to the week's essay
    assert [t.text for t in stored.turns if t.role == "user"] == [
        "I agree with the essay, the outie is a warning to all of us.\n"
        "Also, workplaces really do reward us for hiding grief."]  # the burst as one turn

    # a mention is answered at once, and the bot never answers itself
    mark, sent_at = fake.checkpoint(), time.monotonic()
    await human(fake, thread, f"<@{fake.bot_user.id}> but isn't switching off at work healthy?",
                mentions=[fake.bot_user])
    mentioned = await fake.wait_for_message(lambda m: m.channel_id == thread and bool(m.embeds), after=mark,
                                            timeout=TIMEOUT)
    assert mentioned.at - sent_at < BATCH  # not held back for the batch window

    # a thread quiet for 48 hours gets one fresh counter-question
    mark = fake.checkpoint()
    clock.now = SLOT + timedelta(hours=49)
    nudge = await fake.wait_for_message(lambda m: m.channel_id == thread and m.content.endswith("?"), after=mark,
                                        timeout=TIMEOUT)
    assert not nudge.embeds
    await asyncio.sleep(0.5)
    assert len([m for m in bot_messages_in(fake, thread) if not m.embeds]) == 1

    # next week: a summary in the old thread, which is locked and archived, and a new opening post
    clock.now = SLOT + timedelta(days=7, seconds=30)
    summary = await fake.wait_for_message(lambda m: m.channel_id == thread and any(
        e.get("title") == "This week's discussion, summed up" for e in m.embeds), timeout=TIMEOUT)
    text = summary.embeds[0]["description"]
    assert "**1 person** took part (3 messages)" in text
    assert fake.member.name in text and "@" not in text
    assert "**Left open:**" in text and text.rstrip().endswith("?")
    await fake.wait_for_request(lambda r: r.method == "PATCH" and r.path.endswith(f"/channels/{thread}") and
                                r.json == {"locked": True, "archived": True}, timeout=TIMEOUT)
    await fake.wait_for_message(lambda m: is_opening(m, "2026-W50"), timeout=TIMEOUT)
    await until(lambda: thread not in bot.discussion_threads and len(bot.discussion_threads) == 1)


async def test_post_now_closes_the_current_week(fake: FakeDiscord, running: tuple[TutorBot, Clock]) -> None:
    _, clock = running
    await command(fake, "discussion set", "Weekly discussion set")
    assert "posted 2026-W49" in await command(fake, "discussion now", "Done")
    first = await fake.wait_for_message(lambda m: is_opening(m, "2026-W49"), timeout=TIMEOUT)
    assert "posted 2026-W49.2" in await command(fake, "discussion now", "Done")
    await fake.wait_for_message(lambda m: is_opening(m, "2026-W49.2"), timeout=TIMEOUT)
    await fake.wait_for_message(lambda m: m.channel_id == first.message_id and bool(m.embeds), timeout=TIMEOUT)
    clock.now = SLOT + timedelta(seconds=30)  # the scheduled slot of a week already posted: nothing more
    await asyncio.sleep(0.5)
    assert len([m for m in fake.sent if any(is_opening(m, w) for w in ("2026-W49", "2026-W49.2"))]) == 2


@pytest.mark.parametrize("late_hours", [5, 7])
async def test_missed_post_on_start_up(fake: FakeDiscord, library: Library, late_hours: int) -> None:
    from bot.discussion.schedule import Schedule, parse_time
    from bot.discussion.store import DiscussionStore

    store = DiscussionStore(library.settings.database_path)  # set before the bot was down
    store.set_schedule(Schedule(fake.guild.id, fake.channel.id, 0, parse_time("18:00"), "Europe/Berlin"),
                       SLOT - timedelta(days=3))
    clock = Clock(SLOT + timedelta(hours=late_hours))
    settings = library.settings.model_copy(update={"replies_per_minute": 0, "discussion_tick_seconds": 0.1})
    async with fake.running(TutorBot(settings, library=library, clock=clock, guild_ready_timeout=0.05)):
        await asyncio.sleep(1.0)
    posted = [m for m in fake.sent if is_opening(m, "2026-W49")]
    assert len(posted) == (1 if late_hours < 6 else 0)
    assert [p.status for p in store.posts(fake.guild.id)] == (["posted"] if late_hours < 6 else ["skipped"])
