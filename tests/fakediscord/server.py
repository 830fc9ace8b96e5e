"""FakeDiscord: a real HTTP + websocket server speaking the Discord protocol discord.py uses.

See README.md next to this file for a walk-through.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import discord
import yarl
from aiohttp import web

from .appcommands import CommandStore
from .backend import Backend
from .gateway import Gateway, GatewaySession
from .interactions import APPLICATION_COMMAND, AUTOCOMPLETE, MESSAGE_COMPONENT, MODAL_SUBMIT, InteractionFactory
from .messages import MessageService
from .models import MANAGE_GUILD, PUBLIC_THREAD, FakeChannel, FakeGuild, FakeRole, FakeUser, Payload
from .records import (
    Counter,
    FakeDiscordTimeout,
    InteractionRecord,
    InteractionResponse,
    RecordLog,
    RejectedRequest,
    RequestRecord,
    SentMessage,
)
from .state import ChannelRef, FakeState, UserRef
from .webapp import build_app

DEFAULT_TOKEN = "fake-bot-token"
MODAL_RESPONSE = 9
MessageRef = Payload | int
InteractionRef = InteractionRecord | int


@dataclass
class DefaultWorld:
    """What ``FakeDiscord(default_world=True)`` creates (see :meth:`FakeState.add_guild`)."""

    guild: FakeGuild
    owner: FakeUser
    admin: FakeUser
    admin_role: FakeRole
    member: FakeUser
    channel: FakeChannel
    thread: FakeChannel

    @classmethod
    def build(cls, state: FakeState) -> DefaultWorld:
        """'Test Guild' with an owner, an admin (role with Manage Server), a plain member,
        #general and an active public thread in it; the owner also owns the application."""
        owner, admin, member = state.add_user("owner"), state.add_user("admin"), state.add_user("member")
        guild = state.add_guild("Test Guild", owner=owner)
        admin_role = state.add_role(guild, "Admin", MANAGE_GUILD)
        state.add_member(guild, admin, roles=[admin_role])
        state.add_member(guild, member)
        channel = state.add_text_channel(guild, "general")
        thread = state.add_thread(channel, "existing-thread", owner=member)
        state.application_owner = owner
        return cls(guild, owner, admin, admin_role, member, channel, thread)


class FakeDiscord:
    """A fake Discord (REST + gateway) on 127.0.0.1 for end-to-end tests of discord.py bots.

    ``async with FakeDiscord() as fake:`` starts the server and points discord.py
    at it (:meth:`patch_discord`); everything is undone on exit.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_name: str = "FakeBot",
        heartbeat_interval: float = 41.25,
        interaction_deadline: float = 3.0,
        default_world: bool = True,
    ) -> None:
        self.token = token
        self._counter = Counter()
        self.sent: RecordLog[SentMessage] = RecordLog(self._counter)
        self.responses: RecordLog[InteractionResponse] = RecordLog(self._counter)
        self.requests: RecordLog[RequestRecord] = RecordLog(self._counter)
        self.unhandled: RecordLog[RequestRecord] = RecordLog(self._counter)
        self.errors: RecordLog[RejectedRequest] = RecordLog(self._counter)
        self.sessions: RecordLog[GatewaySession] = RecordLog(self._counter)
        self.interactions: dict[int, InteractionRecord] = {}
        self.state = FakeState(bot_name=bot_name)
        self.world: DefaultWorld | None = DefaultWorld.build(self.state) if default_world else None
        self.commands = CommandStore(self.state.ids, self.state.application_id)
        self.gateway = Gateway(
            self.state,
            token=token,
            heartbeat_interval=heartbeat_interval,
            sessions=self.sessions,
            unhandled=self.unhandled,
            clock=time.monotonic,
        )
        self._messages = MessageService(self.state, self.gateway, self.sent, time.monotonic)
        self._factory = InteractionFactory(self.state, self.commands)
        self._backend = Backend(
            state=self.state,
            token=token,
            gateway=self.gateway,
            commands=self.commands,
            messages=self._messages,
            interactions=self.interactions,
            responses=self.responses,
            interaction_deadline=interaction_deadline,
            clock=time.monotonic,
        )
        self._runner: web.AppRunner | None = None
        self._exit_stack = contextlib.ExitStack()
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        app = build_app(self._backend, requests=self.requests, unhandled=self.unhandled, errors=self.errors)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self.state.base_url = self.url
        self.gateway.url = f"ws://127.0.0.1:{self.port}/"

    async def stop(self) -> None:
        if self._runner is None:
            return
        await self.gateway.close()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        self._exit_stack.enter_context(self.patch_discord())
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._exit_stack.close()
        await self.stop()

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway at this server, restoring them on exit."""
        route, websocket = discord.http.Route, discord.gateway.DiscordWebSocket
        saved = route.BASE, websocket.DEFAULT_GATEWAY
        route.BASE = self.api_base
        websocket.DEFAULT_GATEWAY = yarl.URL(self.gateway.url)
        try:
            yield
        finally:
            route.BASE, websocket.DEFAULT_GATEWAY = saved

    @contextlib.asynccontextmanager
    async def running(self, client: discord.Client, *, ready_timeout: float = 10.0) -> AsyncIterator[discord.Client]:
        """Run ``client.start(token)`` until it is ready; close it and wait for it on exit.

        Note that discord.py waits ``guild_ready_timeout`` (default 2 s) after the
        last GUILD_CREATE before READY; pass a small value to the client in tests.
        """
        threads_before = set(threading.enumerate())
        task = asyncio.create_task(client.start(self.token), name="fakediscord-client")
        try:
            await self._wait_until_ready(client, task, ready_timeout)
            yield client
        finally:
            await client.close()
            await asyncio.wait({task}, timeout=10.0)
            await _wait_for_heartbeat_threads(set(threading.enumerate()) - threads_before)
            if not task.done():
                task.cancel()
        if task.cancelled():
            raise FakeDiscordTimeout("client.start() did not return within 10s of client.close()")
        task.result()  # surfaces a client crash that happened while the test ran

    async def _wait_until_ready(self, client: discord.Client, task: asyncio.Task[None], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not client.is_ready():
            if task.done():
                task.result()
                raise RuntimeError("the client stopped before it was ready")
            if time.monotonic() > deadline:
                raise FakeDiscordTimeout(f"client not ready within {timeout}s")
            await asyncio.sleep(0.01)

    # -- addresses and the default world ---------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.url}/api/v10"

    @property
    def bot_user(self) -> FakeUser:
        return self.state.bot_user

    @property
    def application_id(self) -> int:
        return self.state.application_id

    def _world(self) -> DefaultWorld:
        if self.world is None:
            raise AttributeError("FakeDiscord(default_world=False) has no default guild, users or channels")
        return self.world

    @property
    def guild(self) -> FakeGuild:
        """The default guild, "Test Guild"."""
        return self._world().guild

    @property
    def owner(self) -> FakeUser:
        """Owns the default guild and the application."""
        return self._world().owner

    @property
    def admin(self) -> FakeUser:
        """A member whose role has Manage Server."""
        return self._world().admin

    @property
    def admin_role(self) -> FakeRole:
        """The role with Manage Server."""
        return self._world().admin_role

    @property
    def member(self) -> FakeUser:
        """A member with only @everyone permissions."""
        return self._world().member

    @property
    def channel(self) -> FakeChannel:
        """#general in the default guild."""
        return self._world().channel

    @property
    def thread(self) -> FakeChannel:
        """An active public thread in #general."""
        return self._world().thread

    # -- things users do ----------------------------------------------------------------------------------

    def add_attachment(self, filename: str, data: bytes, content_type: str | None = None) -> Payload:
        """An attachment served by the fake, for ``send_user_message(attachments=...)`` or attachment options."""
        return self.state.add_attachment(filename, data, content_type)

    def open_dm(self, user: UserRef) -> FakeChannel:
        """The DM channel between the bot and ``user`` (the same one the bot gets from POST /users/@me/channels)."""
        return self.state.open_dm(self.state.user(user))

    async def dispatch(self, event: str, data: Payload) -> None:
        """Send any gateway dispatch to every connected session (subject to its intents)."""
        await self.gateway.dispatch(event, data)

    async def send_user_message(
        self,
        channel: ChannelRef,
        author: UserRef,
        content: str = "",
        *,
        mentions: list[FakeUser] | None = None,
        attachments: tuple[Payload, ...] = (),
        reply_to: MessageRef | None = None,
        fields: Payload | None = None,
    ) -> Payload:
        """Post a message as ``author`` (a human, or a bot user) and dispatch MESSAGE_CREATE.

        ``mentions`` defaults to the ``<@id>`` mentions in ``content``; ``fields``
        overrides any other message field (e.g. ``{'embeds': [...]}``).
        """
        target, user = self.state.channel_of(channel), self.state.user(author)
        guild = self.state.guild_of(target)
        if guild is not None and user.id not in guild.members:
            raise ValueError(f"{user.name} is not a member of {guild.name}")
        reference = None
        if reply_to is not None:
            replied = self._message(reply_to)
            reference = {"message_id": replied["id"], "channel_id": replied["channel_id"]}
        message = self.state.create_message(
            target,
            user,
            content=content,
            mentions=mentions,
            reference=reference,
            fields={"attachments": list(attachments), **(fields or {})},
        )
        await self.gateway.dispatch("MESSAGE_CREATE", message)
        return message

    async def start_thread(
        self, channel: ChannelRef, name: str, *, owner: UserRef, type: int = PUBLIC_THREAD
    ) -> FakeChannel:
        """A user creates a thread in ``channel``: THREAD_CREATE is dispatched."""
        thread = self.state.add_thread(self.state.channel_of(channel), name, owner=self.state.user(owner), type=type)
        await self.gateway.dispatch("THREAD_CREATE", thread.payload() | {"newly_created": True})
        return thread

    async def invoke_slash(
        self, command: str, options: dict[str, Any] | None = None, *, user: UserRef, channel: ChannelRef = 0
    ) -> InteractionRecord:
        """Run slash command ``command`` ("name", "name sub" or "name group sub") as ``user``.

        Built from the command the bot registered; ``options`` maps option names to
        values (FakeUser / FakeChannel / FakeRole / attachment dicts for entity options).
        ``channel`` defaults to the default world's #general.
        """
        target = self._channel_or_default(channel)
        data = self._factory.slash_data(command, options or {}, target)
        return await self._interact(APPLICATION_COMMAND, data, user, target)

    async def forge_slash(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        user: UserRef,
        channel: ChannelRef,
        registered_in: FakeGuild | None,
    ) -> InteractionRecord:
        """An interaction for a command that is *not* registered where it is used: built from the command as
        registered in ``registered_in`` (None: globally) but sent by ``user`` in ``channel``.

        Discord itself would not send it, but a client with a stale command list or a crafted request can; a bot
        must refuse it. The data carries the registering guild's id, as a real stale command's would."""
        data = self._factory.slash_data(command, options or {}, self._channel_or_default(0), scope=registered_in)
        return await self.send_command_data(data, user=user, channel=channel)

    async def send_command_data(self, data: Payload, *, user: UserRef, channel: ChannelRef) -> InteractionRecord:
        """An APPLICATION_COMMAND interaction with raw ``data`` (``{"id", "name", "type", "options"}``), for
        commands no client could produce (one never registered anywhere)."""
        return await self._interact(APPLICATION_COMMAND, data, user, self.state.channel_of(channel))

    async def autocomplete(
        self,
        command: str,
        options: dict[str, Any],
        *,
        focused: str,
        user: UserRef,
        channel: ChannelRef = 0,
        timeout: float = 5.0,
    ) -> list[Payload]:
        """Type into option ``focused`` of ``command``; returns the choices the bot answered with."""
        target = self._channel_or_default(channel)
        data = self._factory.slash_data(command, options, target, focused=focused)
        record = await self._interact(AUTOCOMPLETE, data, user, target)
        response = await self.wait_for_interaction_response(record, timeout=timeout)
        return list((response.data or {}).get("choices") or [])

    async def click_button(self, message: MessageRef, custom_id: str, *, user: UserRef) -> InteractionRecord:
        """Click the button ``custom_id`` on a stored message (it must exist and be enabled)."""
        stored = self._message(message)
        data = self._factory.component_data(stored, custom_id)
        return await self._interact(MESSAGE_COMPONENT, data, user, self.state.channel_of(stored["channel_id"]), stored)

    async def select_options(
        self, message: MessageRef, custom_id: str, values: list[str], *, user: UserRef
    ) -> InteractionRecord:
        """Pick ``values`` in the string select ``custom_id`` on a stored message."""
        stored = self._message(message)
        data = self._factory.component_data(stored, custom_id, values)
        return await self._interact(MESSAGE_COMPONENT, data, user, self.state.channel_of(stored["channel_id"]), stored)

    async def submit_modal(
        self, interaction: InteractionRef, values: dict[str, Any], *, user: UserRef | None = None
    ) -> InteractionRecord:
        """Submit the modal the bot answered ``interaction`` with; ``values`` maps input custom_ids to values."""
        opened = self._interaction(interaction)
        if opened.response is None or opened.response.type != MODAL_RESPONSE:
            raise ValueError(f"interaction {opened.id} was not answered with a modal")
        data = self._factory.modal_submit_data(opened.response.data or {}, values)
        submitter = user if user is not None else _interaction_user_id(opened.payload)
        channel = self.state.channel_of(opened.payload["channel_id"])
        message = opened.payload.get("message")
        return await self._interact(MODAL_SUBMIT, data, submitter, channel, message)

    async def _interact(
        self, kind: int, data: Payload, user: UserRef, channel: FakeChannel, message: Payload | None = None
    ) -> InteractionRecord:
        payload = self._factory.envelope(
            type=kind, data=data, user=self.state.user(user), channel=channel, message=message
        )
        record = InteractionRecord(
            id=int(payload["id"]), token=payload["token"], type=kind, payload=payload, dispatched_at=time.monotonic()
        )
        self.interactions[record.id] = record
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return record

    def _channel_or_default(self, channel: ChannelRef) -> FakeChannel:
        return self.state.channel_of(channel) if channel else self._world().channel

    def _message(self, message: MessageRef) -> Payload:
        message_id = int(message["id"]) if isinstance(message, dict) else message
        if message_id not in self.state.messages:
            raise ValueError(f"no stored message {message_id}")
        return self.state.messages[message_id]

    def _interaction(self, interaction: InteractionRef) -> InteractionRecord:
        return self.interactions[interaction if isinstance(interaction, int) else interaction.id]

    def slow_down(self, matches: Callable[[str, str], bool], seconds: float) -> None:
        """Make requests for which ``matches(method, path)`` holds wait ``seconds`` before they are handled (a slow
        Discord, to widen a race)."""
        self._backend.delays.append((matches, seconds))

    # -- gateway control -------------------------------------------------------------------------------------

    async def reconnect_gateway(self) -> None:
        """Send op 7 RECONNECT to every client (they reconnect and RESUME)."""
        await self.gateway.send_reconnect()

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close every gateway connection server-side; sessions stay resumable."""
        await self.gateway.drop_connections(code)

    @property
    def heartbeat_times(self) -> dict[int, list[float]]:
        """Arrival times (``time.monotonic()``) of HEARTBEATs, per gateway connection id."""
        return {c.id: c.heartbeats for c in self.gateway.connections}

    def max_heartbeat_gap(self, connection_id: int | None = None) -> float:
        """The longest time between consecutive heartbeats on a connection (default: the latest)."""
        if not self.gateway.connections:
            raise ValueError("no gateway connection yet")
        connection_id = connection_id or self.gateway.connections[-1].id
        times = self.heartbeat_times[connection_id]
        if len(times) < 2:
            raise ValueError(f"connection {connection_id} has {len(times)} heartbeat(s); need two for a gap")
        return max(later - earlier for earlier, later in itertools.pairwise(times))

    # -- waiting and asserting -----------------------------------------------------------------------------------

    def checkpoint(self) -> int:
        """A marker for ``after=``: only records made after this call will match."""
        return self._counter.current

    async def wait_for_message(
        self, predicate: Callable[[SentMessage], bool] | None = None, *, timeout: float = 5.0, after: int = 0
    ) -> SentMessage:
        """The first message the bot created or edited (any route) that matches ``predicate``."""

        def matches(record: SentMessage) -> bool:
            return record.action != "delete" and (predicate is None or predicate(record))

        return await self.sent.wait(matches, timeout=timeout, after=after, what="bot message")

    async def wait_for_interaction_response(
        self, interaction: InteractionRef, *, timeout: float = 5.0
    ) -> InteractionResponse:
        """The bot's initial response (callback) to ``interaction``."""
        interaction_id = self._interaction(interaction).id
        try:
            return await self.responses.wait(
                lambda r: r.interaction_id == interaction_id, timeout=timeout, what="interaction response"
            )
        except FakeDiscordTimeout:
            rejected = [e for e in self.errors if str(interaction_id) in e.path]
            raise FakeDiscordTimeout(
                f"interaction {interaction_id} got no response within {timeout}s; rejected: {rejected}"
            ) from None

    async def wait_for_session(self, *, timeout: float = 5.0, after: int = 0) -> GatewaySession:
        """A gateway session that IDENTIFYed (READY and all GUILD_CREATEs sent)."""
        return await self.sessions.wait(lambda s: True, timeout=timeout, after=after, what="gateway session")

    async def wait_for_request(
        self, predicate: Callable[[RequestRecord], bool], *, timeout: float = 5.0, after: int = 0
    ) -> RequestRecord:
        return await self.requests.wait(predicate, timeout=timeout, after=after, what="request")

    def assert_clean(self) -> None:
        """Fail if the bot called a route the fake does not know or had a request rejected."""
        problems = [f"unhandled: {r.method} {r.path}" for r in self.unhandled]
        problems += [f"rejected: {e.method} {e.path} -> {e.status} {e.code} {e.message}" for e in self.errors]
        assert not problems, "fake Discord saw problems:\n" + "\n".join(problems)


async def _wait_for_heartbeat_threads(threads: set[threading.Thread], timeout: float = 2.0) -> None:
    """Let the client's stopped heartbeat threads exit while the loop still runs.

    discord.py's KeepAliveHandler thread may be about to schedule a heartbeat
    when the client closes; if the test's event loop is closed first, that
    thread dies with "Event loop is closed" and pytest reports it.
    """
    deadline = time.monotonic() + timeout
    handlers = [t for t in threads if isinstance(t, discord.gateway.KeepAliveHandler)]
    while any(t.is_alive() for t in handlers) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


def _interaction_user_id(payload: Payload) -> int:
    user = payload.get("user") or payload["member"]["user"]
    return int(user["id"])
