"""Which dispatches a session receives, given the intents it identified with.

Like Discord, message content (content, embeds, attachments, components,
poll) is blanked for guild messages unless the bot has the MESSAGE_CONTENT
intent, wrote the message itself, or is mentioned in it.
"""

from __future__ import annotations

import copy

from .models import Payload

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
DIRECT_MESSAGES = 1 << 12
DIRECT_MESSAGE_REACTIONS = 1 << 13
MESSAGE_CONTENT = 1 << 15

_GUILD_OR_DM_INTENT = {
    "MESSAGE_": (GUILD_MESSAGES, DIRECT_MESSAGES),
    "MESSAGE_REACTION_": (GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGE_REACTIONS),
}
_GUILD_MEMBER_EVENTS = ("GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE")
_CONTENT_KEYS = {"content": "", "embeds": [], "attachments": [], "components": [], "poll": None}


def required_intent(event: str, data: Payload) -> int | None:
    """The intent bit a dispatch needs, or None if every session gets it."""
    if event in _GUILD_MEMBER_EVENTS:
        return GUILD_MEMBERS
    for prefix in ("MESSAGE_REACTION_", "MESSAGE_"):
        if event.startswith(prefix):
            guild_intent, dm_intent = _GUILD_OR_DM_INTENT[prefix]
            return guild_intent if "guild_id" in data else dm_intent
    if event.startswith(("GUILD_", "CHANNEL_", "THREAD_")) and event != "GUILD_MEMBERS_CHUNK":
        return GUILDS
    return None


def filter_dispatch(event: str, data: Payload, intents: int, bot_id: int) -> Payload | None:
    """The payload as this session should see it, or None if it must not get the event."""
    needed = required_intent(event, data)
    if needed is not None and not intents & needed:
        return None
    if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and not _may_read_content(data, intents, bot_id):
        data = {**data, **{k: copy.copy(v) for k, v in _CONTENT_KEYS.items() if k in data}}
    return data


def _may_read_content(message: Payload, intents: int, bot_id: int) -> bool:
    if intents & MESSAGE_CONTENT or "guild_id" not in message:
        return True
    author_id = (message.get("author") or {}).get("id")
    mentioned = any(u.get("id") == str(bot_id) for u in message.get("mentions") or [])
    return author_id == str(bot_id) or mentioned
