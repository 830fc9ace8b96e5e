"""Driving the real TutorBot on the fake Discord server (tests/fakediscord): acting as users, waiting for the
bot's answers, and checking what Discord would refuse or regret. The fixtures are in tests/discord_fixtures.py."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.discord.client import TutorBot
from bot.discord.render import THREAD_NAME_LIMIT
from bot.library import Library
from bot.tutor.engine import Tutor
from tests.fakediscord import FakeChannel, FakeDiscord, FakeUser, InteractionRecord, SentMessage
from tests.fakediscord.models import TEXT_CHANNEL

HEARTBEAT_INTERVAL = 0.25
STEADY_INTERVAL = 1.0  # modules that check the heartbeat use this interval; a gap may be at most 1.5 times it
TIMEOUT = 10.0  # generous bound for any single wait; a passing test takes a fraction of it
DEFERRED = 5
EPHEMERAL = 64


QUIET = 0.1  # the burst window of most tests: short, so that single messages are answered quickly


def make_bot(library: Library, *, tutor: Tutor | None = None, rate_period: float | None = None, clock: Any = None,
             **settings: Any) -> TutorBot:
    """The real bot over `library` (and `tutor`), with its settings changed by `settings` (no flood limit and a
    short burst window unless given); `rate_period` shortens the flood limit's minute, `clock` replaces now."""
    changed = library.settings.model_copy(update={"replies_per_minute": 0, "burst_quiet_seconds": QUIET, **settings})
    extra = {"rate_period": rate_period} if rate_period is not None else {}
    extra |= {"clock": clock} if clock is not None else {}
    return TutorBot(changed, library=library, tutor=tutor, guild_ready_timeout=0.05, **extra)


# ---- checks ------------------------------------------------------------------------------------------------------
def assert_never_pings(fake: FakeDiscord) -> None:
    """Every message the bot created or edited with text in it disabled all mentions."""
    for sent in fake.sent:
        if sent.action == "delete" or not (sent.payload.get("content") or sent.payload.get("embeds")):
            continue
        mentions = sent.allowed_mentions
        assert mentions is not None and mentions["parse"] == [], f"{sent} may ping: {mentions}"
        assert not mentions.get("users") and not mentions.get("roles") and not mentions.get("replied_user"), sent


def assert_steady_heartbeat(fake: FakeDiscord) -> None:
    """No connection ever went longer than 1.5 heartbeat intervals without a heartbeat."""
    interval = fake.gateway.heartbeat_interval
    for connection, beats in fake.heartbeat_times.items():
        gaps = [later - earlier for earlier, later in itertools.pairwise(beats)]
        print(f"heartbeat, connection {connection}: {len(beats)} beats, longest gap {max(gaps, default=0):.3f} s "
              f"({max(gaps, default=0) / interval:.2f}x the interval)")
        assert max(gaps, default=0.0) <= 1.5 * interval, f"connection {connection}: heartbeat gaps {gaps}"


def assert_thread_names_fit(fake: FakeDiscord) -> None:
    for channel in fake.state.channels.values():
        assert len(channel.name) <= THREAD_NAME_LIMIT, channel.name


def is_reply(message: SentMessage) -> bool:
    """A tutor reply: an embed with the counter-question field."""
    return bool(message.embeds) and any(f["name"] == "Your turn" for f in message.embeds[0].get("fields", []))


def question_of(message: SentMessage) -> str:
    field = next(f for f in message.embeds[0]["fields"] if f["name"] == "Your turn")
    return str(field["value"]).strip("*")


def buttons_of(message: SentMessage) -> dict[str, str]:
    """label -> custom_id of the message's buttons."""
    return {b["label"]: b["custom_id"] for row in message.components for b in row["components"]}


def snapshot(library: Library) -> dict[str, str]:
    """Hashes of every corpus file and of the index's CURRENT pointer and live manifest."""
    corpus, index = Path(library.settings.corpus_dir), Path(library.settings.index_dir)
    files = {f"corpus/{p.name}": p for p in corpus.iterdir()}
    current = (index / "CURRENT").read_text(encoding="utf-8").strip()
    files |= {"index/CURRENT": index / "CURRENT", "index/manifest": index / "builds" / current / "manifest.json"}
    return {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in sorted(files.items())}


# ---- acting as users ---------------------------------------------------------------------------------------------
async def ask(
    fake: FakeDiscord, question: str, *, user: FakeUser | None = None, channel: FakeChannel | None = None,
    essay: str | None = None,
) -> tuple[InteractionRecord, SentMessage]:
    """`/ask` as `user` (default: the plain member); returns the interaction and the bot's reply."""
    options = {"question": question} | ({"essay": essay} if essay else {})
    call = await fake.invoke_slash("ask", options, user=user or fake.member, channel=channel or fake.channel)
    deferral = await fake.wait_for_interaction_response(call, timeout=TIMEOUT)
    assert deferral.type == DEFERRED and deferral.elapsed < 3.0
    reply = await fake.wait_for_message(lambda m: m.interaction_id == call.id and is_reply(m), timeout=TIMEOUT)
    if (channel or fake.channel).type == TEXT_CHANNEL:  # wait until the thread is open and the asker is in it
        joined = f"/channels/{reply.message_id}/thread-members/"
        await fake.wait_for_request(lambda r: r.method == "PUT" and joined in r.path, timeout=TIMEOUT)
    return call, reply


async def say(fake: FakeDiscord, channel: FakeChannel, text: str, *, user: FakeUser | None = None,
              reply_channel: int | None = None) -> SentMessage:
    """Post `text` as `user` and return the bot's reply (in `reply_channel`, default the same channel)."""
    mark = fake.checkpoint()
    await fake.send_user_message(channel, user or fake.member, text)
    where = reply_channel or channel.id
    return await fake.wait_for_message(lambda m: m.channel_id == where and is_reply(m), after=mark, timeout=TIMEOUT)


async def click(fake: FakeDiscord, message: SentMessage, label: str, *, user: FakeUser | None = None
                ) -> InteractionRecord:
    """Click the button labelled `label` under `message`; returns the interaction once the bot responded."""
    call = await fake.click_button(message.message_id, buttons_of(message)[label], user=user or fake.member)
    await fake.wait_for_interaction_response(call, timeout=TIMEOUT)
    return call


async def final_answer(fake: FakeDiscord, call: InteractionRecord, done: Callable[[str], bool]) -> str:
    """The content of the first message or edit of interaction `call` whose text satisfies `done`."""
    message = await fake.wait_for_message(lambda m: m.interaction_id == call.id and done(m.content),
                                          timeout=TIMEOUT)
    return message.content
