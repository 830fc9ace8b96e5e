"""Tutor turns taken from Discord: one at a time per conversation, each person's words attributed to them.

Every path that makes the tutor speak (`/ask`, a burst of messages, a weekly thread, the Another angle button)
goes through `Conversations`, which runs the blocking tutor in a worker thread under the conversation's lock and
records who wrote which part of the turn (so `/forget` can delete exactly one person's words).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.corpus.models import Passage
from bot.discord.libraries import Libraries
from bot.discussion.summary import Summary, summarize_conversation
from bot.state import ConversationStore, Span
from bot.tutor.composer import Reply
from bot.tutor.voice import OnText

SEPARATOR = "\n"  # between the messages of one turn
Names = Callable[[set[int]], Awaitable[dict[int, str]]]


@dataclass(frozen=True)
class Said:
    """One message's words, and who wrote them."""

    user_id: int
    text: str


def one_turn(said: Sequence[Said]) -> tuple[str, list[Span]]:
    """Several messages as one turn: their texts joined by newlines, and who wrote which part."""
    spans: list[Span] = []
    start = 0
    for item in said:
        spans.append(Span(item.user_id, start, start + len(item.text)))
        start += len(item.text) + len(SEPARATOR)
    return SEPARATOR.join(item.text for item in said), spans


class Conversations:
    def __init__(self, libraries: Libraries, store: ConversationStore) -> None:
        self.libraries = libraries
        self.store = store
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def lock(self, conversation_id: str) -> asyncio.Lock:
        """Held while a turn of the conversation is taken; freed when nobody holds or waits for it."""
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = self._locks[conversation_id] = asyncio.Lock()
        return lock

    async def reply(self, conversation_id: str, said: Sequence[Said], *, guild_id: int | None,
                    essay: str | None = None, on_text: OnText | None = None) -> Reply:
        """The tutor's reply to these messages, taken as one turn; `essay` sets the conversation's focus."""
        text, spans = one_turn(said)
        tutor = self.libraries.tutor(guild_id)
        streaming: dict[str, Any] = {"on_text": on_text} if on_text is not None else {}

        def turn() -> Reply:
            reply = tutor.reply(conversation_id, text, essay=essay, **streaming)
            self.store.attribute_last_user_turn(conversation_id, text, spans)
            return reply

        async with self.lock(conversation_id):
            return await asyncio.to_thread(turn)

    async def another_angle(self, conversation_id: str, *, guild_id: int | None) -> Reply:
        tutor = self.libraries.tutor(guild_id)
        async with self.lock(conversation_id):
            return await asyncio.to_thread(tutor.another_angle, conversation_id)

    async def sources(self, conversation_id: str, *, guild_id: int | None) -> list[Passage]:
        return await asyncio.to_thread(self.libraries.tutor(guild_id).sources, conversation_id)

    async def end(self, conversation_id: str, *, guild_id: int | None, names: Names, default: str) -> Summary:
        """Close the conversation and sum it up: who took which position, their strongest point, the essay lines
        met, the question left open. `names` gives the display names of the authors' ids; `default` is who wrote
        turns with no recorded author."""
        tutor = self.libraries.tutor(guild_id)
        async with self.lock(conversation_id):
            await asyncio.to_thread(tutor.end, conversation_id)
            authored = await asyncio.to_thread(self.store.authors, conversation_id)
            known = await names({span.user_id for _, spans in authored for span in spans})

            def sum_up() -> Summary:
                return summarize_conversation(self.store.load(conversation_id), authored, tutor.argmap,
                                              tutor.detector, known, default=default,
                                              fallback=lambda: tutor.thesis()[0])

            return await asyncio.to_thread(sum_up)
