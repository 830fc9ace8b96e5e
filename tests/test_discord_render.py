"""Unit tests of the Discord layer's small parts: fitting text and embeds into Discord's limits, the flood limit and
the record of the bot's conversation threads."""

from __future__ import annotations

import asyncio
from pathlib import Path

import discord

from bot.corpus.models import Passage
from bot.database import Database
from bot.discord.ratelimit import ReplyRateLimit
from bot.discord.render import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    embed_batches,
    field_embeds,
    passage_embeds,
    reply_embed,
    split_text,
    thread_name,
    trim,
)
from bot.discord.threads import ThreadRegistry
from bot.state import ThreadStore
from bot.tutor.composer import Quote, Reply
from bot.tutor.moves import Move
from bot.tutor.stance import Stance
from tests.conftest import reopen

WORDS = "the innie stays because the outie cannot bear the grief of a life he refuses to remember "


def assert_fits(embed: discord.Embed) -> None:
    assert len(embed) <= EMBED_TOTAL_LIMIT and len(embed.description or "") <= DESCRIPTION_LIMIT
    assert len(embed.title or "") <= 256 and len(embed.fields) <= 25
    assert all(len(f.name or "") <= 256 and len(f.value or "") <= FIELD_VALUE_LIMIT for f in embed.fields)


def test_trim_cuts_at_a_word_boundary_and_marks_the_cut() -> None:
    assert trim("  short enough  ", 20) == "short enough"
    cut = trim(WORDS * 3, 100)
    assert len(cut) <= 100 and cut.endswith("…") and (WORDS * 3).startswith(cut[:-1])
    assert cut[:-1].split()[-1] in WORDS.split()  # no word cut in half
    assert trim("x" * 300, 100) == "x" * 99 + "…"  # no boundary: a hard cut


def test_split_text_keeps_lines_and_words_whole() -> None:
    text = "\n".join(f"line {n}: {WORDS * (n % 5)}" for n in range(200))
    pieces = split_text(text, 2000)
    assert len(pieces) > 1 and all(len(p) <= 2000 for p in pieces)
    assert "\n".join(pieces).split() == text.split()
    long_line = WORDS * 60
    assert all(len(p) <= 2000 for p in split_text(long_line)) and " ".join(split_text(long_line)).split() == \
        long_line.split()
    assert split_text("x" * 4500) == ["x" * 2000, "x" * 2000, "x" * 500]
    assert split_text("   ") == []


def test_thread_names_fit() -> None:
    assert thread_name("  Why does\nMark stay?  ") == "Why does Mark stay?"
    assert len(thread_name(WORDS * 10)) <= 100
    assert thread_name("   ") == "Essay discussion"


def test_a_huge_reply_still_fits_one_embed() -> None:
    quotes = tuple(Quote(f"essay-{n}", "T" * 300, "S" * 300, WORDS) for n in range(30))
    reply = Reply(answer=WORDS * 200, question=WORDS * 30 + "?", move=Move.EVIDENCE, stance=Stance.AGREE,
                  quotes=quotes)
    embed = reply_embed(reply, title=WORDS * 10)
    assert_fits(embed)
    question = next(f.value for f in embed.fields if f.name == "Your turn")
    assert question is not None and question.startswith("**") and question.endswith("**")


def test_a_reply_without_a_question_has_no_your_turn_field() -> None:
    reply = Reply(answer="Fair enough: no more questions from me.", question="", move=Move.META,
                  stance=Stance.QUESTION, quotes=())
    embed = reply_embed(reply)
    assert [f.name for f in embed.fields] == [] and embed.description == reply.answer


def test_passages_and_long_lists_are_spread_over_embeds_and_messages() -> None:
    passages = [Passage(f"p{n}", "essay", "Title " * 60, "Section", WORDS * 60, 0, 1) for n in range(12)]
    embeds = passage_embeds(passages)
    listed = field_embeds("Essays", "intro", [(f"Essay {n} " * 30, WORDS * 20) for n in range(60)],
                          colour=discord.Colour.blue())
    for group in (embeds, listed):
        assert len(group) > 1
        for embed in group:
            assert_fits(embed)
        batches = embed_batches(group)
        assert [e for batch in batches for e in batch] == group
        assert all(len(batch) <= 10 and sum(len(e) for e in batch) <= EMBED_TOTAL_LIMIT for batch in batches)


def test_the_rate_limit_counts_replies_per_user_in_a_window() -> None:
    now = [1000.0]
    limit = ReplyRateLimit(2, 60, clock=lambda: now[0])
    assert limit.retry_after(1) == limit.retry_after(1) == 0  # two replies in the minute
    now[0] += 20
    assert limit.retry_after(1) == 40 and limit.retry_after(2) == 0  # the third waits; another user does not
    now[0] += 10
    assert limit.retry_after(1) == 30  # asking again does not restart the wait
    now[0] += 31
    assert limit.retry_after(1) == 0
    assert all(ReplyRateLimit(0).retry_after(1) == 0 for _ in range(100))  # 0: no limit


async def test_waiting_for_the_limit_tells_once_per_spell() -> None:
    limit = ReplyRateLimit(1, 0.2)
    told: list[float] = []

    async def tell(seconds: float) -> None:
        told.append(seconds)

    await limit.wait_turn(7, tell)
    await asyncio.gather(limit.wait_turn(7, tell), limit.wait_turn(7, tell))  # two replies wait: one notice
    assert len(told) == 1 and 0 < told[0] <= 0.2
    await asyncio.sleep(0.25)  # past the window: the next wait is a new spell
    await limit.wait_turn(7, tell)
    await limit.wait_turn(7, tell)
    assert len(told) == 2


async def test_the_thread_registry_is_remembered_across_restarts(tmp_path: Path) -> None:
    store = ThreadStore(tmp_path / "tutor.sqlite3")
    threads = ThreadRegistry(store)
    await threads.add(42, guild_id=1, user_id=7)
    await threads.add(42, guild_id=1, user_id=7)
    await threads.add(43, guild_id=1, user_id=8)
    assert 42 in threads and 44 not in threads
    restarted = ThreadRegistry(ThreadStore(tmp_path / "tutor.sqlite3"))
    assert 42 in restarted and 43 in restarted
    assert await restarted.forget_user(7) == [42]
    assert 42 not in restarted and 43 in restarted and 42 not in ThreadRegistry(store)


async def test_the_thread_registry_follows_another_process(database: Database) -> None:
    here, there = ThreadRegistry(ThreadStore(database)), ThreadRegistry(ThreadStore(reopen(database)))
    await there.add(50, guild_id=1, user_id=7)  # opened by the other process after this one started
    assert 50 not in here and await here.knows(50) and 50 in here and not await here.knows(51)
    await there.add(51, guild_id=1, user_id=8)
    await there.forget_user(7)  # /forget run in the other process
    await here.add(52, guild_id=1, user_id=9)
    await here.reload()
    assert 50 not in here and 51 in here and 52 in here
