"""End to end: `/forget` deletes what the bot keeps about the member who runs it, and nobody else's; retention
purges old conversations. The state store is searched directly for the member's id and words."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.discord.client import TutorBot
from bot.library import Library
from bot.state import ConversationStore
from tests.discord_helpers import TIMEOUT, ask, buttons_of, final_answer, is_reply, make_bot, say
from tests.fakediscord import FakeDiscord
from tests.test_state import stored_values

pytestmark = pytest.mark.asyncio
pytest_plugins = ("tests.discord_fixtures",)
STEADY = True  # the `fake` fixture checks the heartbeat: no gap over 1.5 intervals

MEMBER_SAYS = ["Why does Mark's innie choose to stay inside Lumon?", "Because the innie finally has a life.",
               "Member's private thought about grief.", "Member argues the essay is too harsh."]
ADMIN_SAYS = ["Admin wonders whether the outie is a victim.", "Admin adds: Lumon is the villain here."]


async def until(condition: Callable[[], bool], what: str) -> None:
    async with asyncio.timeout(TIMEOUT):
        while not condition():
            await asyncio.sleep(0.02)
    assert condition(), what


async def forget(fake: FakeDiscord, user: object, button: str, done: Callable[[str], bool]) -> str:
    """/forget as `user`, press `button` on the question, and return the answer it turns into once `done`."""
    call = await fake.invoke_slash("forget", {}, user=user)  # type: ignore[arg-type]
    asked = await fake.wait_for_message(lambda m: m.interaction_id == call.id and bool(m.components),
                                        timeout=TIMEOUT)
    assert asked.ephemeral and set(buttons_of(asked)) == {"Delete my data", "Cancel"}
    press = await fake.click_button(asked.message_id, buttons_of(asked)[button], user=user)  # type: ignore[arg-type]
    await fake.wait_for_interaction_response(press, timeout=TIMEOUT)
    answer = await fake.wait_for_message(lambda m: m.message_id == asked.message_id and done(m.content),
                                         timeout=TIMEOUT)
    assert not answer.components and answer.ephemeral
    return answer.content


async def test_forget_deletes_the_members_data_and_nobody_elses(fake: FakeDiscord, library: Library) -> None:
    bot = make_bot(library)
    database = library.settings.database_path
    async with fake.running(bot):
        _, opened = await ask(fake, MEMBER_SAYS[0])  # the member's thread…
        thread = fake.state.channels[opened.message_id]
        await say(fake, thread, MEMBER_SAYS[1])
        await say(fake, thread, ADMIN_SAYS[0], user=fake.admin)  # …where the admin joins in
        member_dm, admin_dm = fake.open_dm(fake.member), fake.open_dm(fake.admin)
        await say(fake, member_dm, MEMBER_SAYS[2])
        await say(fake, admin_dm, ADMIN_SAYS[1], user=fake.admin)
        discussion = await open_a_weekly_thread(fake, bot)  # a weekly thread where both take part
        for user, text in ((fake.member, MEMBER_SAYS[3]), (fake.admin, "Admin defends the essay in the week.")):
            mark = fake.checkpoint()
            await fake.send_user_message(discussion, user, f"{fake.bot_user.mention} {text}",
                                         mentions=[fake.bot_user])
            await fake.wait_for_message(lambda m: m.channel_id == discussion and is_reply(m), after=mark,
                                        timeout=TIMEOUT)
        await until(lambda: all(inbox.idle for inbox in bot.inboxes.values()), "every message answered")
        before = stored_values(database)
        assert str(fake.member.id) in before and all(text in before for text in MEMBER_SAYS)

        report = await forget(fake, fake.member, "Delete my data", lambda text: text.startswith("Done."))
        assert thread.id not in bot.threads  # no longer answered there without a mention

    after = stored_values(database)
    assert str(fake.member.id) not in after  # not their id…
    assert not [text for text in MEMBER_SAYS if text in after]  # …nor their words
    assert all(text in after for text in [*ADMIN_SAYS, "Admin defends the essay in the week."])
    assert str(fake.admin.id) in after
    assert report.startswith("Done. I deleted 1 conversation with me, everything in it; your words in 2 "
                             "conversations shared with others") and "1 thread I opened" in report
    assert "4 messages of yours" in report
    conversations = ConversationStore(database)
    assert conversations.load(str(member_dm.id)).turns == []
    assert [t.text for t in conversations.load(str(thread.id)).turns if t.role == "user"] == [ADMIN_SAYS[0]]


async def open_a_weekly_thread(fake: FakeDiscord, bot: TutorBot) -> int:
    """This week's discussion thread, opened at once with /discussion now."""
    options = {"channel": fake.channel, "weekday": 0, "time": "18:00", "timezone": "UTC"}
    call = await fake.invoke_slash("discussion set", options, user=fake.admin)
    await final_answer(fake, call, lambda text: "Weekly discussion set" in text)
    call = await fake.invoke_slash("discussion now", {}, user=fake.admin)
    await final_answer(fake, call, lambda text: text.startswith("Done"))
    await until(lambda: bool(bot.discussion_threads), "the week's thread is live")
    return next(iter(bot.discussion_threads))


async def test_forget_asks_first_and_cancel_deletes_nothing(fake: FakeDiscord, bot: TutorBot,
                                                            library: Library) -> None:
    await say(fake, fake.open_dm(fake.member), MEMBER_SAYS[2])
    await until(lambda: all(inbox.idle for inbox in bot.inboxes.values()), "the message answered and released")
    before = stored_values(library.settings.database_path)
    assert await forget(fake, fake.member, "Cancel", lambda text: "Nothing" in text) == "Nothing was deleted."
    assert stored_values(library.settings.database_path) == before
    nothing = await forget(fake, fake.owner, "Delete my data", lambda text: "nothing" in text)  # a stranger to it
    assert nothing == "I had nothing stored about you, so there was nothing to delete."


async def test_retention_purges_conversations_older_than_the_setting(fake: FakeDiscord, library: Library) -> None:
    database = library.settings.database_path
    async with fake.running(make_bot(library)):
        _, old = await ask(fake, "An old question about the innie?")
        _, recent = await ask(fake, "A recent question about the outie?", user=fake.admin)
    db = sqlite3.connect(database)
    with db:  # the first conversation was last active 31 days ago
        db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?",
                   ((datetime.now(UTC) - timedelta(days=31)).isoformat(timespec="seconds"), str(old.message_id)))
    db.close()
    bot = make_bot(Library(library.settings, embedder=library.embedder), conversation_retention_days=30)
    async with fake.running(bot):
        store = ConversationStore(database)
        await until(lambda: not store.load(str(old.message_id)).turns, "the old conversation purged at start-up")
        assert old.message_id not in bot.threads and recent.message_id in bot.threads
        assert store.load(str(recent.message_id)).turns
        bot.clock = lambda: datetime.now(UTC) + timedelta(days=31)  # a month later, the next hourly run…
        await bot.cogs["PrivacyCog"].purge()  # type: ignore[attr-defined]
        assert not store.load(str(recent.message_id)).turns  # …purges the other one too
    assert "An old question" not in stored_values(database) and "A recent question" not in stored_values(database)
