"""Entities held by the fake Discord server and their Discord JSON payloads.

Payload shapes follow the Discord API v10 objects that discord.py parses
(``discord/types/*.py``); ids are serialised as strings like Discord does.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from typing import Any

import discord

Payload = dict[str, Any]

DISCORD_EPOCH_MS = 1420070400000

TEXT_CHANNEL = 0
DM_CHANNEL = 1
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
THREAD_TYPES = (PUBLIC_THREAD, PRIVATE_THREAD)

#: What a plain member may do; the @everyone role of every fake guild gets this.
EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    read_message_history=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_application_commands=True,
).value
MANAGE_GUILD = discord.Permissions(manage_guild=True).value
ADMINISTRATOR = discord.Permissions(administrator=True).value
ALL_PERMISSIONS = discord.Permissions.all().value
#: Extra permissions of the bot's own role.
BOT_PERMISSIONS = discord.Permissions(
    create_private_threads=True,
    manage_threads=True,
    manage_messages=True,
    mention_everyone=True,
).value


def iso_now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat()


class SnowflakeFactory:
    """Creates unique, increasing, time-based snowflakes.

    They must encode the creation time because discord.py derives
    timestamps (and delete rate-limit buckets) from message ids.
    """

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """The next id of a guild on shard ``shard_id`` of ``shard_count`` (``(id >> 22) % count == shard_id``)."""
        millis = self.next() >> 22
        while millis % shard_count != shard_id:
            millis += 1
        self._last = millis << 22
        return self._last


@dataclass
class FakeUser:
    id: int
    name: str
    bot: bool = False

    def payload(self) -> Payload:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int
    position: int

    def payload(self) -> Payload:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": False,
            "mentionable": True,
            "flags": 0,
        }

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass
class FakeMember:
    user: FakeUser
    role_ids: list[int]
    joined_at: str = field(default_factory=iso_now)
    nick: str | None = None

    def payload(self, *, with_user: bool = True) -> Payload:
        data: Payload = {
            "nick": self.nick,
            "avatar": None,
            "roles": [str(r) for r in self.role_ids],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        return data


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)

    @property
    def everyone_role(self) -> FakeRole:
        return self.roles[self.id]

    def permissions_of(self, user_id: int) -> int:
        """Guild-level permissions (no channel overwrites are modelled)."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members[user_id]
        value = self.everyone_role.permissions
        for role_id in member.role_ids:
            value |= self.roles[role_id].permissions
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value


@dataclass
class FakeChannel:
    """A guild text channel, a thread, or a DM channel (see ``type``)."""

    id: int
    type: int
    name: str = ""
    guild_id: int | None = None
    parent_id: int | None = None
    topic: str | None = None
    last_message_id: int | None = None
    # threads
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    archive_timestamp: str = field(default_factory=iso_now)
    created_at: str = field(default_factory=iso_now)
    rate_limit_per_user: int = 0
    member_ids: set[int] = field(default_factory=set)
    message_count: int = 0
    # DMs
    recipient: FakeUser | None = None

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def payload(self, *, viewer_id: int | None = None) -> Payload:
        """The channel object; ``viewer_id`` adds that user's thread membership."""
        if self.type == DM_CHANNEL:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": DM_CHANNEL,
                "last_message_id": _str_or_none(self.last_message_id),
                "recipients": [self.recipient.payload()],
                "flags": 0,
            }
        data: Payload = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "parent_id": _str_or_none(self.parent_id),
            "last_message_id": _str_or_none(self.last_message_id),
            "rate_limit_per_user": self.rate_limit_per_user,
            "flags": 0,
            "nsfw": False,
        }
        if self.is_thread:
            data.update(self._thread_fields(viewer_id))
        else:
            data.update(position=0, permission_overwrites=[], topic=self.topic, default_auto_archive_duration=1440)
        return data

    def _thread_fields(self, viewer_id: int | None) -> Payload:
        data: Payload = {
            "owner_id": str(self.owner_id),
            "message_count": self.message_count,
            "total_message_sent": self.message_count,
            "member_count": len(self.member_ids),
            "applied_tags": [],
            "thread_metadata": {
                "archived": self.archived,
                "locked": self.locked,
                "invitable": self.invitable,
                "auto_archive_duration": self.auto_archive_duration,
                "archive_timestamp": self.archive_timestamp,
                "create_timestamp": self.created_at,
            },
        }
        if viewer_id is not None and viewer_id in self.member_ids:
            data["member"] = self.thread_member_payload(viewer_id)
        return data

    def thread_member_payload(self, user_id: int) -> Payload:
        return {"id": str(self.id), "user_id": str(user_id), "join_timestamp": self.created_at, "flags": 0}


def _str_or_none(value: int | None) -> str | None:
    return None if value is None else str(value)
