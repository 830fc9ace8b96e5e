"""A fake Discord server (REST + gateway) for end-to-end tests of discord.py bots.

See README.md in this folder.
"""

from .gateway import GatewaySession
from .models import FakeChannel, FakeGuild, FakeMember, FakeRole, FakeUser
from .records import (
    FakeDiscordTimeout,
    InteractionRecord,
    InteractionResponse,
    RecordedFile,
    RejectedRequest,
    RequestRecord,
    SentMessage,
)
from .server import DefaultWorld, FakeDiscord

__all__ = [
    "DefaultWorld",
    "FakeChannel",
    "FakeDiscord",
    "FakeDiscordTimeout",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "GatewaySession",
    "InteractionRecord",
    "InteractionResponse",
    "RecordedFile",
    "RejectedRequest",
    "RequestRecord",
    "SentMessage",
]
