"""The gateway websocket: HELLO / IDENTIFY / READY / GUILD_CREATE, heartbeats, RESUME, shards.

Sessions outlive connections: a connection that drops without a clean
close (code 1000/1001) leaves its session resumable, and events dispatched
meanwhile are replayed on RESUME, like Discord does.

Shards: a session that IDENTIFYs with ``shard: [shard_id, shard_count]``
gets only the guilds of that shard (READY, GUILD_CREATE) and only their
events, a guild being on shard ``(guild_id >> 22) % shard_count``; events
outside any guild (DMs, DM interactions) go to shard 0. Two sessions on the
same shard (the overlap of a failover) both get its events.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from .compression import FrameEncoder, encoder_for
from .intents import GUILD_PRESENCES, filter_dispatch
from .models import FakeGuild, Payload
from .records import RecordLog, RequestRecord
from .state import FakeState

log = logging.getLogger(__name__)

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_INVALID_SHARD = 4010
#: Close codes with which a client ends its session for good (no RESUME possible).
SESSION_ENDING_CLOSE_CODES = (1000, 1001)
REPLAY_BUFFER = 1000
APPLICATION_FLAGS = (1 << 12) | (1 << 14) | (1 << 18)  # presence, members, message content intents allowed


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that carries a guild's events (Discord's formula)."""
    return (guild_id >> 22) % shard_count


def on_shard(shard: list[int] | None, guild_id: int | None) -> bool:
    """Whether a session IDENTIFYed with ``shard`` ([id, count], or None: unsharded) gets a guild's events."""
    if shard is None:
        return True
    shard_id, count = shard
    return shard_id == (0 if guild_id is None else shard_of(guild_id, count))


class GatewayConnection:
    """One websocket connection; sends are serialised so the zlib stream stays in order."""

    def __init__(self, connection_id: int, ws: web.WebSocketResponse, encoder: FrameEncoder, query: dict[str, str]):
        self.id = connection_id
        self.ws = ws
        self.encoder = encoder
        self.query = query
        self.session: GatewaySession | None = None
        self.heartbeats: list[float] = []
        self.close_code: int | None = None
        #: Set when the fake closed the connection; then the close code says nothing about the client.
        self.closed_by_server = False
        self._send_lock = asyncio.Lock()

    @property
    def compression(self) -> str:
        return self.encoder.name

    async def send(self, payload: Payload) -> None:
        async with self._send_lock:
            if self.ws.closed:
                return
            frame = self.encoder.encode(json.dumps(payload))
            try:
                if isinstance(frame, str):
                    await self.ws.send_str(frame)
                else:
                    await self.ws.send_bytes(frame)
            except ConnectionError:
                pass  # the client went away; a resumable session keeps the event for replay


@dataclass
class GatewaySession:
    """A gateway session (created by IDENTIFY); ``events`` are kept for RESUME replay."""

    id: str
    intents: int
    shard: list[int] | None
    identify: Payload
    seq: int = 0
    connection: GatewayConnection | None = None
    ended: bool = False
    events: collections.deque[Payload] = field(default_factory=lambda: collections.deque(maxlen=REPLAY_BUFFER))

    async def dispatch(self, event: str, data: Payload) -> None:
        self.seq += 1
        payload = {"op": OP_DISPATCH, "t": event, "s": self.seq, "d": data}
        self.events.append(payload)
        if self.connection is not None:
            await self.connection.send(payload)

    async def resume_on(self, connection: GatewayConnection, after_seq: int) -> None:
        """Replay what the client missed, then make ``connection`` live.

        Events dispatched during the replay are buffered and picked up by the
        next round, so the client sees every sequence number in order.
        """
        last = after_seq
        while missed := [p for p in self.events if p["s"] > last]:
            for payload in missed:
                await connection.send(payload)
                last = payload["s"]
        self.connection = connection
        connection.session = self


class Gateway:
    """Serves the gateway at ``/`` and fans dispatches out to live sessions."""

    def __init__(
        self,
        state: FakeState,
        *,
        token: str,
        heartbeat_interval: float,
        sessions: RecordLog[GatewaySession],
        unhandled: RecordLog[RequestRecord],
        clock: Callable[[], float],
    ) -> None:
        self.state = state
        self.token = token
        self.heartbeat_interval = heartbeat_interval
        self.sessions = sessions
        self.unhandled = unhandled
        self.clock = clock
        self.url = ""
        #: What GET /gateway/bot recommends (a client with no shard count of its own runs this many shards).
        self.recommended_shards = 1
        self.connections: list[GatewayConnection] = []
        self._ids = itertools.count(1)

    @property
    def open_connections(self) -> list[GatewayConnection]:
        return [c for c in self.connections if not c.ws.closed]

    async def dispatch(self, event: str, data: Payload) -> None:
        """Send a dispatch to every live session on the event's shard whose intents allow it."""
        guild_id = self._event_guild(event, data)
        for session in self.sessions:
            if not session.ended and on_shard(session.shard, guild_id):
                await self.dispatch_to(session, event, data)

    def _event_guild(self, event: str, data: Payload) -> int | None:
        """The guild an event belongs to (None: a DM or no guild at all)."""
        if event in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"):
            return int(data["id"])
        if data.get("guild_id"):
            return int(data["guild_id"])
        channel = self.state.channels.get(int(data["channel_id"])) if data.get("channel_id") else None
        return channel.guild_id if channel is not None else None

    async def send_reconnect(self) -> None:
        """Ask every connected client to reconnect (op 7); discord.py then RESUMEs."""
        for connection in self.open_connections:
            await connection.send({"op": OP_RECONNECT, "d": None})

    async def drop_connections(self, code: int = 4000) -> None:
        """Close every connection from the server side, keeping sessions resumable."""
        for connection in self.open_connections:
            connection.closed_by_server = True
            await connection.ws.close(code=code)

    async def close(self) -> None:
        for session in self.sessions:
            session.ended = True
        await self.drop_connections(code=1001)

    # -- connection handling ------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        connection = GatewayConnection(
            next(self._ids), ws, encoder_for(request.query.get("compress")), dict(request.query)
        )
        self.connections.append(connection)
        await connection.send({"op": OP_HELLO, "d": {"heartbeat_interval": int(self.heartbeat_interval * 1000)}})
        try:
            async for message in ws:
                if message.type == aiohttp.WSMsgType.TEXT:
                    await self._on_text(connection, message.data)
        finally:
            self._on_closed(connection)
        return ws

    def _on_closed(self, connection: GatewayConnection) -> None:
        connection.close_code = connection.ws.close_code
        session = connection.session
        if session is None or session.connection is not connection:
            return
        session.connection = None
        if not connection.closed_by_server and connection.close_code in SESSION_ENDING_CLOSE_CODES:
            session.ended = True

    async def _on_text(self, connection: GatewayConnection, text: str) -> None:
        """Handle one client payload; a payload the fake cannot handle is logged and recorded, not fatal."""
        try:
            await self._on_payload(connection, json.loads(text))
        except Exception:
            log.exception("fake gateway failed to handle %s", text)
            self.unhandled.append(RequestRecord("GATEWAY", "payload the fake failed to handle", {}, text))

    async def _on_payload(self, connection: GatewayConnection, payload: Payload) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == OP_HEARTBEAT:
            connection.heartbeats.append(self.clock())
            await connection.send({"op": OP_HEARTBEAT_ACK})
        elif op == OP_IDENTIFY:
            await self._identify(connection, data)
        elif op == OP_RESUME:
            await self._resume(connection, data)
        elif op == OP_REQUEST_GUILD_MEMBERS and connection.session is not None:
            await connection.session.dispatch("GUILD_MEMBERS_CHUNK", self._members_chunk(data))
        elif op != OP_PRESENCE_UPDATE:
            self.unhandled.append(RequestRecord("GATEWAY", f"op {op}", {}, payload))

    async def _identify(self, connection: GatewayConnection, data: Payload) -> None:
        if data.get("token") != self.token:
            await connection.ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return
        session = GatewaySession(
            id=secrets.token_hex(16), intents=int(data.get("intents", 0)), shard=data.get("shard"), identify=data
        )
        shard = session.shard
        if shard is not None and not (len(shard) == 2 and 0 <= shard[0] < shard[1]):
            await connection.ws.close(code=CLOSE_INVALID_SHARD, message=b"Invalid shard.")
            return
        session.connection = connection
        connection.session = session
        await session.dispatch("READY", self._ready_payload(session))
        for guild in self._guilds_of(session):
            await self.dispatch_to(session, "GUILD_CREATE", self._guild_create_payload(guild, session))
        self.sessions.append(session)

    def _guilds_of(self, session: GatewaySession) -> list[FakeGuild]:
        return [g for g in self.state.guilds.values() if on_shard(session.shard, g.id)]

    async def dispatch_to(self, session: GatewaySession, event: str, data: Payload) -> None:
        visible = filter_dispatch(event, data, session.intents, self.state.bot_user.id)
        if visible is not None:
            await session.dispatch(event, visible)

    async def _resume(self, connection: GatewayConnection, data: Payload) -> None:
        session = next((s for s in self.sessions if s.id == data.get("session_id")), None)
        if session is None or session.ended or data.get("token") != self.token:
            await connection.send({"op": OP_INVALID_SESSION, "d": False})
            return
        if session.connection is not None:
            session.connection.closed_by_server = True
            await session.connection.ws.close(code=4000)
        session.connection = None
        await session.resume_on(connection, int(data.get("seq") or 0))
        await session.dispatch("RESUMED", {})

    # -- payloads -------------------------------------------------------------------------------

    def _ready_payload(self, session: GatewaySession) -> Payload:
        user = self.state.bot_user.payload() | {"verified": True, "mfa_enabled": False, "flags": 0, "email": None}
        ready: Payload = {
            "v": 10,
            "user": user,
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self._guilds_of(session)],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.url,
            "application": {"id": str(self.state.application_id), "flags": APPLICATION_FLAGS},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        return ready

    def _guild_create_payload(self, guild: FakeGuild, session: GatewaySession) -> Payload:
        """Without GUILD_PRESENCES Discord only sends the bot's own member; the rest come by chunking."""
        bot_id = self.state.bot_user.id
        all_members = bool(session.intents & GUILD_PRESENCES)
        members = [m.payload() for uid, m in guild.members.items() if all_members or uid == bot_id]
        channels = [c for c in self.state.channels.values() if c.guild_id == guild.id and not c.is_thread]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": str(guild.owner_id),
            "unavailable": False,
            "large": False,
            "member_count": len(guild.members),
            "joined_at": guild.members[bot_id].joined_at,
            "features": [],
            "preferred_locale": "en-US",
            "roles": [r.payload() for r in guild.roles.values()],
            "members": members,
            "channels": [c.payload() for c in channels],
            "threads": [t.payload(viewer_id=bot_id) for t in self.state.threads_in(guild)],
            **_EMPTY_GUILD_LISTS,
        }

    def _members_chunk(self, request: Payload) -> Payload:
        guild = self.state.guilds[int(request["guild_id"])]
        members = list(guild.members.values())
        if request.get("user_ids"):
            wanted = {int(i) for i in request["user_ids"]}
            members = [m for m in members if m.user.id in wanted]
        elif request.get("query"):
            members = [m for m in members if m.user.name.lower().startswith(request["query"].lower())]
        if request.get("limit"):
            members = members[: request["limit"]]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if request.get("nonce"):
            chunk["nonce"] = request["nonce"]
        return chunk


_EMPTY_GUILD_LISTS: Payload = {
    "emojis": [],
    "stickers": [],
    "voice_states": [],
    "presences": [],
    "stage_instances": [],
    "guild_scheduled_events": [],
    "soundboard_sounds": [],
}
