"""End to end: conversations with the real bot, library and tutor on a fake Discord (see tests/discord_helpers.py)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.discord.buttons import GOODBYE, SUMMED_UP
from bot.discord.client import TutorBot
from bot.discord.interactions import APOLOGY
from bot.library import Library
from bot.state import ConversationStore
from bot.tutor.engine import Tutor
from tests.discord_helpers import (
    EPHEMERAL,
    TIMEOUT,
    ask,
    buttons_of,
    click,
    is_reply,
    make_bot,
    question_of,
    say,
)
from tests.fakediscord import FakeDiscord, SentMessage

pytestmark = pytest.mark.asyncio
pytest_plugins = ("tests.discord_fixtures",)

QUESTION = "Why does Mark's innie choose to stay inside Lumon?"


def is_summary(message: SentMessage) -> bool:
    return bool(message.embeds) and message.embeds[0].get("title") == SUMMED_UP and (
        message.embeds[0]["footer"]["text"] == GOODBYE)


def turns(library: Library, conversation_id: int) -> list[str]:
    """The roles of a conversation's stored turns."""
    return [t.role for t in ConversationStore(library.settings.database_path).load(str(conversation_id)).turns]


async def test_ask_defers_answers_with_an_embed_and_opens_a_thread(
    fake: FakeDiscord, bot: TutorBot, library: Library
) -> None:
    call, reply = await ask(fake, QUESTION)
    assert fake.interactions[call.id].response.elapsed < 3.0  # type: ignore[union-attr]
    embed = reply.embeds[0]
    assert embed["title"] == QUESTION
    assert "> “" in embed["description"] and "Severance" in embed["description"]  # a verbatim quote, attributed
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Quoted from"].startswith("• *Severance")
    assert fields["Your turn"].startswith("**") and fields["Your turn"].endswith("?**")
    assert set(buttons_of(reply)) == {"Another angle", "Sources", "End"}
    thread = fake.state.channels[reply.message_id]  # the thread is started from the reply
    assert (thread.is_thread, thread.parent_id, thread.owner_id, thread.name) == (
        True, fake.channel.id, fake.bot_user.id, QUESTION)
    assert fake.member.id in thread.member_ids  # added without a ping
    assert turns(library, thread.id) == ["user", "tutor"]


async def test_a_thread_conversation_needs_no_mentions_and_is_remembered(
    fake: FakeDiscord, bot: TutorBot, library: Library
) -> None:
    _, first = await ask(fake, QUESTION)
    thread = fake.state.channels[first.message_id]
    questions = [question_of(first)]
    for text in ("I think he stays because the innie finally has a life of his own.",
                 "But isn't the outie just as much a victim of Lumon?",
                 "I disagree: splitting yourself is a reasonable way to survive grief."):
        reply = await say(fake, thread, text)
        assert reply.payload["message_reference"]["message_id"]  # answers the message it replies to
        questions.append(question_of(reply))
    assert len(set(questions)) == 4  # the tutor never asks the same thing twice
    assert turns(library, thread.id) == ["user", "tutor"] * 4


async def test_a_dm_conversation(fake: FakeDiscord, bot: TutorBot, library: Library) -> None:
    dm = fake.open_dm(fake.member)
    _, first = await ask(fake, QUESTION, channel=dm)
    second = await say(fake, dm, "So the outie is the one to blame?")
    third = await say(fake, dm, "I agree with the essay about compartmentalization.")
    assert {first.channel_id, second.channel_id, third.channel_id} == {dm.id}
    assert turns(library, dm.id) == ["user", "tutor"] * 3
    assert not [c for c in fake.state.channels.values() if c.is_thread and c.owner_id == fake.bot_user.id]


async def test_a_mention_in_a_channel_moves_into_a_thread(fake: FakeDiscord, bot: TutorBot, library: Library) -> None:
    mark = fake.checkpoint()
    question = await fake.send_user_message(fake.channel, fake.member, f"{fake.bot_user.mention} {QUESTION}")
    thread_id = int(question["id"])
    reply = await fake.wait_for_message(lambda m: m.channel_id == thread_id and is_reply(m), after=mark,
                                        timeout=TIMEOUT)
    assert fake.state.channels[thread_id].name == QUESTION  # the mention is not part of the name
    follow_up = await say(fake, fake.state.channels[thread_id], "Then the outie is the real villain.")
    assert follow_up.channel_id == thread_id != reply.message_id
    assert turns(library, thread_id) == ["user", "tutor"] * 2


async def test_messages_that_are_not_for_the_bot_are_ignored(fake: FakeDiscord, bot: TutorBot) -> None:
    other_bot = fake.state.add_user("otherbot", bot=True)
    fake.state.add_member(fake.guild, other_bot)
    _, reply = await ask(fake, QUESTION)
    bot_thread, dm = fake.state.channels[reply.message_id], fake.open_dm(fake.member)
    mark = fake.checkpoint()
    await fake.send_user_message(fake.channel, fake.member, "Anyone read the essay yet? @everyone")
    await fake.send_user_message(fake.thread, fake.member, "a thread the bot did not open")
    for channel in (fake.channel, bot_thread):
        await fake.send_user_message(channel, other_bot, f"{fake.bot_user.mention} {QUESTION}")
    await say(fake, dm, "Is the innie a person?")  # a human's message after all of them still gets its answer
    await asyncio.sleep(0.3)
    assert [m.channel_id for m in fake.sent.since(mark) if m.action == "create"] == [dm.id]


async def test_reply_buttons(fake: FakeDiscord, bot: TutorBot, library: Library) -> None:
    _, reply = await ask(fake, QUESTION)
    thread_id = reply.message_id
    mark = fake.checkpoint()
    await click(fake, reply, "Another angle", user=fake.admin)
    angle = await fake.wait_for_message(lambda m: is_reply(m), after=mark, timeout=TIMEOUT)
    assert angle.channel_id == thread_id and question_of(angle) != question_of(reply)  # goes on in the thread
    assert angle.embeds[0]["footer"]["text"] != reply.embeds[0]["footer"]["text"]  # a different Socratic move

    sources = await click(fake, angle, "Sources")
    shown = await fake.wait_for_message(lambda m: m.interaction_id == sources.id and bool(m.embeds), timeout=TIMEOUT)
    assert shown.ephemeral and fake.interactions[sources.id].response.data["flags"] & EPHEMERAL  # type: ignore
    quoted = angle.embeds[0]["description"].split("“")[1].split("”")[0]
    assert any(quoted in e["description"] for e in shown.embeds)  # the full passage holding the quote

    await click(fake, reply, "End")  # under the reply in the channel: the conversation ends in its thread
    await fake.wait_for_message(lambda m: m.channel_id == thread_id and is_summary(m), after=mark, timeout=TIMEOUT)
    await fake.wait_for_request(lambda r: r.method == "PATCH" and r.json == {"archived": True}, after=mark,
                                timeout=TIMEOUT)
    assert fake.state.channels[thread_id].archived
    assert all(b["disabled"] for b in fake.state.messages[reply.message_id]["components"][0]["components"])
    assert ConversationStore(library.settings.database_path).load(str(thread_id)).closed


async def test_end_sums_up_the_conversation_and_archives_its_thread(
    fake: FakeDiscord, bot: TutorBot, library: Library
) -> None:
    reader = fake.state.add_user("@everyone Ana")  # a display name that must not ping
    fake.state.add_member(fake.guild, reader)
    _, opened = await ask(fake, QUESTION, user=reader)
    thread = fake.state.channels[opened.message_id]
    said = ["I agree with the essay: Mark's outie hands his grief to the innie, and that is a warning to anyone "
            "who hides from pain at work.",
            "But I disagree that the innie is free; he cannot leave the floor, so staying is no choice at all."]
    last = None
    for text in said:
        last = await say(fake, thread, text, user=reader)
    assert last is not None
    mark = fake.checkpoint()
    await click(fake, last, "End", user=reader)
    summary = await fake.wait_for_message(lambda m: m.channel_id == thread.id and is_summary(m), after=mark,
                                          timeout=TIMEOUT)
    await fake.wait_for_request(lambda r: r.method == "PATCH" and r.json == {"archived": True}, after=mark,
                                timeout=TIMEOUT)
    text = summary.embeds[0]["description"]
    assert "**Where everyone Ana stood**" in text  # named, without the @
    assert "• Agreed with: *" in text or "• Disagreed with: *" in text  # the positions taken
    strongest = text.split("**Strongest point** (everyone Ana):\n> “")[1].split("”")[0]
    assert any(strongest.rstrip("…") in t.replace("“", "'").replace("”", "'") for t in [QUESTION, *said])  # quoted
    assert "**Essay lines met:**\n• “" in text and "— *Severance" in text
    assert text.endswith(f"**Left open:** {question_of(last)}")  # the question End left unanswered
    assert "@" not in text and not summary.content and thread.archived
    assert ConversationStore(library.settings.database_path).load(str(thread.id)).closed


async def test_buttons_and_threads_survive_a_restart(fake: FakeDiscord, library: Library) -> None:
    async with fake.running(make_bot(library)):
        _, reply = await ask(fake, QUESTION)
        thread = fake.state.channels[reply.message_id]
        in_thread = await say(fake, thread, "He stays because he is finally free of his grief.")
    mark = fake.checkpoint()
    restarted = Library(library.settings, embedder=library.embedder)
    async with fake.running(make_bot(restarted)):
        await fake.wait_for_session(after=mark)
        sources = await click(fake, in_thread, "Sources")
        shown = await fake.wait_for_message(lambda m: m.interaction_id == sources.id and bool(m.embeds),
                                            timeout=TIMEOUT)
        assert shown.ephemeral
        await click(fake, reply, "Another angle")
        angle = await fake.wait_for_message(lambda m: is_reply(m), after=mark, timeout=TIMEOUT)
        assert question_of(angle) not in (question_of(reply), question_of(in_thread))
        await say(fake, thread, "Is grief really something you can cut away?")  # still the bot's thread
        await click(fake, in_thread, "End")
        await fake.wait_for_message(lambda m: m.channel_id == thread.id and is_summary(m), after=mark,
                                    timeout=TIMEOUT)
        await fake.wait_for_request(lambda r: r.method == "PATCH" and r.json == {"archived": True}, after=mark,
                                    timeout=TIMEOUT)
    assert thread.archived
    assert turns(library, thread.id) == ["user", "tutor", "user", "tutor", "tutor", "user", "tutor"]


async def test_autocomplete_offers_the_essays(fake: FakeDiscord, bot: TutorBot) -> None:
    choices = await fake.autocomplete("ask", {"question": "x", "essay": "sever"}, focused="essay", user=fake.member)
    assert [c["value"] for c in choices] == ["severance"]
    assert await fake.autocomplete("ask", {"question": "x", "essay": "nothing like it"}, focused="essay",
                                   user=fake.member) == []


async def test_an_unknown_essay_is_named_in_the_answer(fake: FakeDiscord, bot: TutorBot) -> None:
    call = await fake.invoke_slash("ask", {"question": QUESTION, "essay": "moby-dick"}, user=fake.member)
    answer = await fake.wait_for_message(lambda m: m.interaction_id == call.id and "no such essay" in m.content,
                                         timeout=TIMEOUT)
    assert answer.content.startswith("moby-dick: no such essay (known essays: severance)")


async def test_mass_mentions_and_huge_messages_never_ping_and_fit(fake: FakeDiscord, bot: TutorBot) -> None:
    huge = "@everyone @here <@&1> " + "Why does the innie stay when the outie grieves? " * 110
    assert len(huge) > 5000
    _, reply = await ask(fake, huge)
    assert len(reply.embeds[0]["title"]) <= 256
    thread = fake.state.channels[reply.message_id]
    assert len(thread.name) <= 100
    await say(fake, thread, huge)
    mark = fake.checkpoint()
    mention = await fake.send_user_message(fake.channel, fake.member, f"{fake.bot_user.mention} {huge}")
    await fake.wait_for_message(lambda m: m.channel_id == int(mention["id"]) and is_reply(m), after=mark,
                                timeout=TIMEOUT)
    # the `fake` fixture then checks every payload: allowed_mentions parse [], all within Discord's limits


class BrokenTutor(Tutor):
    def reply(self, conversation_id: str, message: str, *, essay: str | None = None) -> None:  # type: ignore
        raise RuntimeError("the tutor broke")


async def test_failures_are_logged_and_apologised_for(
    fake: FakeDiscord, library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    tutor = BrokenTutor(library, ConversationStore(library.settings.database_path))
    settings = library.settings.model_copy(update={"replies_per_minute": 0})
    with caplog.at_level(logging.ERROR):
        async with fake.running(TutorBot(settings, library=library, tutor=tutor, guild_ready_timeout=0.05)):
            call = await fake.invoke_slash("ask", {"question": QUESTION}, user=fake.member)
            await fake.wait_for_message(lambda m: m.interaction_id == call.id and m.content == APOLOGY,
                                        timeout=TIMEOUT)
            mark = fake.checkpoint()
            await fake.send_user_message(fake.open_dm(fake.member), fake.member, QUESTION)
            await fake.wait_for_message(lambda m: m.content == APOLOGY, after=mark, timeout=TIMEOUT)
    logged = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(logged) == 2 and all(r.exc_info and "the tutor broke" in str(r.exc_info[1]) for r in logged)
    assert f"user={fake.member.id}" in logged[0].getMessage()
