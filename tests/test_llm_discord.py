"""Streaming on Discord: with an LLM configured, the reply is edited as tokens arrive (throttled) and the checked
reply is the final edit. The LLM is a local fake that streams slowly; Discord is the fake server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from bot.discord.client import TutorBot
from bot.discord.interactions import APOLOGY
from bot.discord.render import WRITING
from bot.discord.streaming import EDIT_INTERVAL
from bot.library import Library
from tests.conftest import SEED
from tests.discord_helpers import TIMEOUT, ask, buttons_of, is_reply, make_bot, question_of
from tests.fakediscord import FakeDiscord, SentMessage
from tests.llm_servers import FakeLLM, quoting, speaks

pytestmark = pytest.mark.asyncio
pytest_plugins = ("tests.discord_fixtures",)

QUESTION = "Why does Mark's innie choose to stay inside Lumon?"
# some 55 words at 0.06 s: about 3.3 s of streaming, so several throttled drafts; the invented quote is seen in
# the drafts but never in the checked reply
SCRIPT = quoting("Let us read closely. The essay says {quote}. Some say “Lumon is secretly kind to everyone”, "
                 "but look at what the passage actually claims about the people in it and their choices. {question}")


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM(speaks(SCRIPT, delay=0.06)) as server:
        yield server


@pytest_asyncio.fixture
async def voiced_bot(fake: FakeDiscord, library: Library, llm: FakeLLM) -> AsyncIterator[TutorBot]:
    bot = make_bot(library, llm_base_url=llm.url, llm_model="fake-model", llm_timeout=15.0)
    async with fake.running(bot) as client:
        yield client  # type: ignore[misc]


def drafts_and_final(edits: list[SentMessage]) -> tuple[list[SentMessage], SentMessage]:
    drafts = [m for m in edits if not is_reply(m)]
    [final] = [m for m in edits if is_reply(m)]
    return drafts, final


def assert_streamed(edits: list[SentMessage]) -> None:
    drafts, final = drafts_and_final(edits)
    assert len(drafts) >= 2, edits
    assert all(d.embeds[0]["footer"]["text"] == WRITING and not d.components for d in drafts)
    gaps = [b.at - a.at for a, b in zip(drafts, drafts[1:], strict=False)]
    assert min(gaps) >= EDIT_INTERVAL - 0.1, gaps  # throttled
    texts = [d.embeds[0]["description"].removesuffix(" ▍") for d in drafts]
    assert all(b.startswith(a) for a, b in zip(texts, texts[1:], strict=False))  # the text grows
    assert final.at >= drafts[-1].at and edits[-1] is final  # the checked reply is the last edit
    description = final.embeds[0]["description"]
    corpus = SEED.read_text(encoding="utf-8")
    assert "secretly kind" not in description and "secretly kind" in texts[-1]  # the invented quote is gone
    assert description.startswith("Let us read closely. The essay says “")
    quoted = description.split("“", 1)[1].split("”", 1)[0]
    assert quoted in corpus
    assert question_of(final).endswith("?")
    assert set(buttons_of(final)) == {"Another angle", "Sources", "End"}


async def test_ask_streams_into_the_deferred_response(fake: FakeDiscord, voiced_bot: TutorBot, llm: FakeLLM) -> None:
    call, reply = await ask(fake, QUESTION)
    edits = [m for m in fake.sent if m.interaction_id == call.id and m.embeds]
    assert_streamed(edits)
    assert edits[0].embeds[0]["title"] == QUESTION
    assert len(llm.requests) == 1 and llm.requests[0]["stream"] is True


async def test_a_mention_streams_into_the_new_thread(fake: FakeDiscord, voiced_bot: TutorBot) -> None:
    mark = fake.checkpoint()
    question = await fake.send_user_message(fake.channel, fake.member, f"{fake.bot_user.mention} {QUESTION}")
    thread_id = int(question["id"])
    await fake.wait_for_message(lambda m: m.channel_id == thread_id and is_reply(m), after=mark, timeout=TIMEOUT)
    edits = [m for m in fake.sent if m.channel_id == thread_id and m.embeds]
    assert len({m.message_id for m in edits}) == 1  # one message: posted as a draft, then edited
    assert edits[0].action == "create" and all(m.action == "edit" for m in edits[1:])
    assert_streamed(edits)


async def test_a_failure_after_drafts_leaves_no_draft_up(fake: FakeDiscord, voiced_bot: TutorBot, llm: FakeLLM,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    llm.handler = speaks(SCRIPT, delay=0.01)  # a draft or two is all this needs

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the checks broke")

    monkeypatch.setattr("bot.tutor.voice.check_reply", broken)
    call = await fake.invoke_slash("ask", {"question": QUESTION}, user=fake.member)
    await fake.wait_for_message(lambda m: m.interaction_id == call.id and m.content == APOLOGY, timeout=TIMEOUT)
    edits = [m for m in fake.sent if m.interaction_id == call.id]
    assert any(m.embeds for m in edits) and not edits[-1].embeds  # a draft was shown, then taken down

    dm, mark = fake.open_dm(fake.member), fake.checkpoint()
    await fake.send_user_message(dm, fake.member, QUESTION)
    await fake.wait_for_message(lambda m: m.content == APOLOGY, after=mark, timeout=TIMEOUT)
    [draft] = {m.message_id for m in fake.sent if m.channel_id == dm.id and m.embeds}
    assert [m.action for m in fake.sent if m.message_id == draft][-1] == "delete"
