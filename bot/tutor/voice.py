"""The LLM voice: the planner's turn (move, claim, passages, offline reply) said by a model, checked, or not at all.

    voice = LLMVoice.from_settings(settings)     # None when LLM_BASE_URL or LLM_MODEL is unset
    reply = voice.say(offline, passages=..., claim=..., history=..., message=..., on_text=print)

Whatever goes wrong (unreachable, slow, HTTP error, malformed stream, a reply that fails the checks beyond repair)
the offline reply is returned, and every repair and fallback is logged with its reason.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from bot.config import Settings
from bot.corpus.models import Passage
from bot.state import Turn
from bot.tutor.checks import check_reply
from bot.tutor.composer import Reply
from bot.tutor.llm import ChatClient, LLMError, build_messages

log = logging.getLogger(__name__)

#: Called from the worker thread with the text so far, each time the model sends more (for streaming displays).
OnText = Callable[[str], None]


class LLMVoice:
    def __init__(self, client: ChatClient) -> None:
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMVoice | None:
        if not (settings.llm_base_url and settings.llm_model):
            return None
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(ChatClient(settings.llm_base_url, settings.llm_model, api_key=key, timeout=settings.llm_timeout))

    def say(self, offline: Reply, *, passages: Sequence[Passage], claim: str, history: Sequence[Turn], message: str,
            scaffold: bool = False, essay: str | None = None, on_text: OnText | None = None) -> Reply:
        """The model's checked reply for this turn, or `offline`."""
        messages = build_messages(passages=passages, claim=claim, move=offline.move,
                                  example_question=offline.question, history=history, message=message,
                                  scaffold=scaffold, kind=offline.kind, essay=essay)
        started = time.monotonic()
        text = ""
        try:
            for delta in self.client.stream(messages):
                text += delta
                if on_text is not None:
                    on_text(text)
        except LLMError as exc:
            log.warning("LLM fallback to the offline reply after %.1fs: %s", time.monotonic() - started, exc)
            return offline
        verdict = check_reply(text, passages=passages, offline=offline)
        for repair in verdict.repairs:
            log.info("LLM reply repaired: %s", repair)
        if verdict.fallback:
            log.warning("LLM fallback to the offline reply: %s (model said %r)", verdict.fallback, text[:200])
        else:
            log.debug("LLM reply in %.1fs", time.monotonic() - started)
        return verdict.reply
