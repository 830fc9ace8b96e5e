"""The fake's world: users, guilds, channels, messages and attachments.

Everything lives in memory on a :class:`FakeState` that outlives gateway
connections, so a bot can disconnect and a new client sees the same world.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import UNKNOWN_CHANNEL, UNKNOWN_MESSAGE, UNKNOWN_USER, unknown
from .models import (
    BOT_PERMISSIONS,
    DM_CHANNEL,
    EVERYONE_PERMISSIONS,
    PUBLIC_THREAD,
    TEXT_CHANNEL,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    Payload,
    SnowflakeFactory,
    iso_now,
)

UserRef = FakeUser | int
ChannelRef = FakeChannel | int

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")

MESSAGE_TYPE_DEFAULT = 0
MESSAGE_TYPE_REPLY = 19


@dataclass
class StoredAttachment:
    filename: str
    data: bytes
    content_type: str


class FakeState:
    """In-memory Discord data plus the factories tests use to extend it."""

    def __init__(self, *, bot_name: str) -> None:
        self.ids = SnowflakeFactory()
        self.users: dict[int, FakeUser] = {}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, Payload] = {}
        self.attachments: dict[int, StoredAttachment] = {}
        self.base_url = ""
        self.bot_user = self.add_user(bot_name, bot=True)
        #: Who owns the application (``Bot.is_owner``); the default world makes it the guild owner.
        self.application_owner = self.bot_user
        self.application_id = self.ids.next()

    # -- factories ---------------------------------------------------------------------------

    def add_user(self, name: str, *, bot: bool = False) -> FakeUser:
        user = FakeUser(id=self.ids.next(), name=name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, *, owner: FakeUser, shard: tuple[int, int] | None = None) -> FakeGuild:
        """A guild with an @everyone role, its owner and the bot (with a 'Bot' role) as members; ``shard`` =
        ``(shard_id, shard_count)`` gives it an id on that shard."""
        guild_id = self.ids.next() if shard is None else self.ids.next_on_shard(*shard)
        guild = FakeGuild(id=guild_id, name=name, owner_id=owner.id)
        guild.roles[guild.id] = FakeRole(id=guild.id, name="@everyone", permissions=EVERYONE_PERMISSIONS, position=0)
        self.guilds[guild.id] = guild
        self.add_member(guild, owner)
        bot_role = self.add_role(guild, "Bot", BOT_PERMISSIONS)
        self.add_member(guild, self.bot_user, roles=[bot_role])
        return guild

    def add_role(self, guild: FakeGuild, name: str, permissions: int) -> FakeRole:
        role = FakeRole(id=self.ids.next(), name=name, permissions=permissions, position=len(guild.roles))
        guild.roles[role.id] = role
        return role

    def add_member(self, guild: FakeGuild, user: FakeUser, *, roles: Iterable[FakeRole] = ()) -> FakeMember:
        member = FakeMember(user=user, role_ids=[r.id for r in roles])
        guild.members[user.id] = member
        return member

    def add_text_channel(self, guild: FakeGuild, name: str, *, topic: str | None = None) -> FakeChannel:
        channel = FakeChannel(id=self.ids.next(), type=TEXT_CHANNEL, name=name, guild_id=guild.id, topic=topic)
        self.channels[channel.id] = channel
        return channel

    def add_thread(
        self,
        parent: FakeChannel,
        name: str,
        *,
        owner: FakeUser,
        thread_id: int | None = None,
        type: int = PUBLIC_THREAD,
        auto_archive_duration: int = 1440,
    ) -> FakeChannel:
        """A thread in ``parent``; ``thread_id`` is the starter message id for threads made from a message."""
        thread = FakeChannel(
            id=thread_id or self.ids.next(),
            type=type,
            name=name,
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=owner.id,
            auto_archive_duration=auto_archive_duration,
            member_ids={owner.id},
        )
        self.channels[thread.id] = thread
        return thread

    def open_dm(self, user: FakeUser) -> FakeChannel:
        """The bot's DM channel with ``user`` (one per user, like Discord)."""
        for channel in self.channels.values():
            if channel.type == DM_CHANNEL and channel.recipient is user:
                return channel
        channel = FakeChannel(id=self.ids.next(), type=DM_CHANNEL, recipient=user)
        self.channels[channel.id] = channel
        return channel

    def add_attachment(self, filename: str, data: bytes, content_type: str | None = None) -> Payload:
        """Store bytes served by the fake and return the attachment object pointing at them."""
        if not self.base_url:
            raise RuntimeError("start the FakeDiscord server before adding attachments")
        content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        attachment_id = self.ids.next()
        self.attachments[attachment_id] = StoredAttachment(filename, data, content_type)
        url = f"{self.base_url}/attachments/{attachment_id}/{filename}"
        return {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }

    # -- lookups -------------------------------------------------------------------------------

    def user(self, ref: UserRef) -> FakeUser:
        user = self.users.get(ref) if isinstance(ref, int) else ref
        if user is None:
            raise unknown("User", UNKNOWN_USER)
        return user

    def channel_of(self, ref: ChannelRef | str) -> FakeChannel:
        channel = self.channels.get(int(ref)) if isinstance(ref, (int, str)) else ref
        if channel is None:
            raise unknown("Channel", UNKNOWN_CHANNEL)
        return channel

    def message(self, channel_id: int | str, message_id: int | str) -> Payload:
        message = self.messages.get(int(message_id))
        if message is None or message["channel_id"] != str(channel_id):
            raise unknown("Message", UNKNOWN_MESSAGE)
        return message

    def guild_of(self, channel: FakeChannel) -> FakeGuild | None:
        return None if channel.guild_id is None else self.guilds[channel.guild_id]

    def threads_in(self, guild: FakeGuild) -> list[FakeChannel]:
        return [c for c in self.channels.values() if c.guild_id == guild.id and c.is_thread and not c.archived]

    def channel_messages(self, channel: ChannelRef) -> list[Payload]:
        """Messages of a channel, oldest first."""
        channel_id = str(self.channel_of(channel).id)
        return sorted((m for m in self.messages.values() if m["channel_id"] == channel_id), key=lambda m: int(m["id"]))

    def member_payload(self, guild: FakeGuild, user: FakeUser, *, with_user: bool = True) -> Payload | None:
        member = guild.members.get(user.id)
        return None if member is None else member.payload(with_user=with_user)

    # -- messages ------------------------------------------------------------------------------

    def create_message(
        self,
        channel: FakeChannel,
        author: FakeUser,
        *,
        content: str = "",
        mentions: list[FakeUser] | None = None,
        reference: Payload | None = None,
        fields: Payload | None = None,
    ) -> Payload:
        """Store a new message as Discord would deliver it in MESSAGE_CREATE.

        ``mentions`` defaults to the users mentioned in ``content``; ``fields``
        sets any other message field (embeds, components, flags, ...).
        """
        message_id = self.ids.next()
        guild = self.guild_of(channel)
        data: Payload = {
            "id": str(message_id),
            "channel_id": str(channel.id),
            "author": author.payload(),
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": False,
            "pinned": False,
            "type": MESSAGE_TYPE_DEFAULT,
            "flags": 0,
            "embeds": [],
            "attachments": [],
            "components": [],
            "reactions": [],
        }
        if guild is not None:
            data["guild_id"] = str(guild.id)
            member = self.member_payload(guild, author, with_user=False)
            if member is not None:
                data["member"] = member
        if reference is not None:
            data.update(self._reply_fields(reference))
        data.update(fields or {})
        self.set_mentions(data, mentions)
        self.messages[message_id] = data
        channel.last_message_id = message_id
        channel.message_count += 1
        return data

    def _reply_fields(self, reference: Payload) -> Payload:
        referenced = self.messages.get(int(reference["message_id"]))
        stored = {"type": 0, **{k: str(v) for k, v in reference.items() if k.endswith("_id") and v is not None}}
        return {"type": MESSAGE_TYPE_REPLY, "message_reference": stored, "referenced_message": referenced}

    def set_mentions(self, message: Payload, users: list[FakeUser] | None = None) -> None:
        """Fill the mention fields from ``users`` or, by default, from the content."""
        content = message.get("content") or ""
        if users is None:
            ids = dict.fromkeys(int(i) for i in USER_MENTION.findall(content))
            users = [self.users[i] for i in ids if i in self.users]
        guild = self.guilds.get(int(message["guild_id"])) if "guild_id" in message else None
        message["mentions"] = [self._mention_payload(guild, u) for u in users]
        message["mention_roles"] = list(dict.fromkeys(ROLE_MENTION.findall(content)))
        message["mention_everyone"] = "@everyone" in content or "@here" in content

    def _mention_payload(self, guild: FakeGuild | None, user: FakeUser) -> Payload:
        data = user.payload()
        member = None if guild is None else self.member_payload(guild, user, with_user=False)
        if member is not None:
            data["member"] = member
        return data

    def edit_message(self, message: Payload, changes: Payload) -> Payload:
        """Apply an edit body (only the keys present change, like Discord's PATCH)."""
        for key in ("content", "embeds", "components", "attachments", "flags", "poll"):
            if key in changes:
                message[key] = changes[key] if changes[key] is not None else _EMPTY_VALUES[key]
        message["edited_timestamp"] = iso_now()
        if "content" in changes:
            self.set_mentions(message)
        return message


_EMPTY_VALUES: dict[str, Any] = {
    "content": "",
    "embeds": [],
    "components": [],
    "attachments": [],
    "flags": 0,
    "poll": None,
}
