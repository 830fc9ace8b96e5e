"""REST routes for login, users, channels, messages, threads, DMs, reactions and attachments."""

from __future__ import annotations

from aiohttp import web

from .backend import Backend
from .errors import UNKNOWN_ATTACHMENT, UNKNOWN_MEMBER, DiscordError, unknown
from .messages import read_body
from .models import PRIVATE_THREAD, PUBLIC_THREAD, TEXT_CHANNEL, FakeChannel, Payload, iso_now
from .responses import json_response, no_content

API = "/api/v10"
CHANNEL = API + "/channels/{channel_id}"
MESSAGE = CHANNEL + "/messages/{message_id}"
THREAD_EDITABLE = ("name", "archived", "locked", "invitable", "auto_archive_duration", "rate_limit_per_user")
CHANNEL_EDITABLE = ("name", "topic", "rate_limit_per_user")


class CoreRoutes:
    def __init__(self, backend: Backend) -> None:
        self.b = backend
        self.state = backend.state

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(API + "/gateway", self.get_gateway),
            web.get(API + "/gateway/bot", self.get_gateway_bot),
            web.get(API + "/users/@me", self.get_me),
            web.post(API + "/users/@me/channels", self.open_dm),
            web.get(API + "/users/{user_id}", self.get_user),
            web.get(API + "/oauth2/applications/@me", self.get_application),
            web.get(API + "/applications/@me", self.get_application),
            web.get(API + "/guilds/{guild_id}/members/{user_id}", self.get_member),
            web.get(CHANNEL, self.get_channel),
            web.patch(CHANNEL, self.edit_channel),
            web.post(CHANNEL + "/typing", self.typing),
            web.get(CHANNEL + "/messages", self.list_messages),
            web.post(CHANNEL + "/messages", self.create_message),
            web.get(MESSAGE, self.get_message),
            web.patch(MESSAGE, self.edit_message),
            web.delete(MESSAGE, self.delete_message),
            web.put(MESSAGE + "/reactions/{emoji}/@me", self.add_reaction),
            web.delete(MESSAGE + "/reactions/{emoji}/@me", self.remove_reaction),
            web.post(MESSAGE + "/threads", self.create_thread_from_message),
            web.post(CHANNEL + "/threads", self.create_thread),
            web.put(CHANNEL + "/thread-members/{user_id}", self.join_thread),
            web.delete(CHANNEL + "/thread-members/{user_id}", self.leave_thread),
            web.get("/attachments/{attachment_id}/{filename}", self.download_attachment),
        ]

    # -- login and users ----------------------------------------------------------------------------

    async def get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.b.gateway.url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return json_response({"url": self.b.gateway.url, "shards": self.b.gateway.recommended_shards,
                              "session_start_limit": limit})

    async def get_me(self, request: web.Request) -> web.Response:
        return json_response(self.state.bot_user.payload() | {"verified": True, "mfa_enabled": False, "flags": 0})

    async def get_user(self, request: web.Request) -> web.Response:
        return json_response(self.state.user(int(request.match_info["user_id"])).payload())

    async def get_application(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "id": str(self.state.application_id),
                "name": self.state.bot_user.name,
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "fake-verify-key",
                "flags": 0,
                "owner": self.state.application_owner.payload(),
                "bot": self.state.bot_user.payload(),
                "team": None,
                "interactions_endpoint_url": None,
            }
        )

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self.state.guilds.get(int(request.match_info["guild_id"]))
        member = None if guild is None else guild.members.get(int(request.match_info["user_id"]))
        if member is None:
            raise unknown("Member", UNKNOWN_MEMBER)
        return json_response(member.payload())

    async def open_dm(self, request: web.Request) -> web.Response:
        body = await request.json()
        channel = self.state.open_dm(self.state.user(int(body["recipient_id"])))
        return json_response(channel.payload())

    # -- channels ----------------------------------------------------------------------------------------

    def _channel(self, request: web.Request) -> FakeChannel:
        return self.state.channel_of(request.match_info["channel_id"])

    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(self._channel(request).payload(viewer_id=self.state.bot_user.id))

    async def edit_channel(self, request: web.Request) -> web.Response:
        """Rename a channel, or rename / archive / lock a thread (THREAD_UPDATE or CHANNEL_UPDATE follows)."""
        channel = self._channel(request)
        body = await request.json()
        editable = THREAD_EDITABLE if channel.is_thread else CHANNEL_EDITABLE
        unsupported = set(body) - set(editable)
        if unsupported:
            raise DiscordError(400, 50035, f"the fake cannot edit {sorted(unsupported)} of this channel")
        if body.get("archived") is not None and body["archived"] != channel.archived:
            channel.archive_timestamp = iso_now()
        for key in editable:
            if key in body:
                setattr(channel, key, body[key])
        payload = channel.payload(viewer_id=self.state.bot_user.id)
        await self.b.gateway.dispatch("THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE", payload)
        return json_response(payload)

    async def typing(self, request: web.Request) -> web.Response:
        self._channel(request)
        return no_content()

    # -- messages -----------------------------------------------------------------------------------------

    async def list_messages(self, request: web.Request) -> web.Response:
        """History, newest first, honouring ``limit``, ``before`` and ``after``."""
        messages = self.state.channel_messages(self._channel(request))
        if "before" in request.query:
            messages = [m for m in messages if int(m["id"]) < int(request.query["before"])]
        if "after" in request.query:
            messages = [m for m in messages if int(m["id"]) > int(request.query["after"])]
        limit = int(request.query.get("limit", 50))
        newest_first = list(reversed(messages))
        return json_response(newest_first[:limit])

    async def create_message(self, request: web.Request) -> web.Response:
        body, files = await read_body(request)
        return json_response(await self.b.messages.create(self._channel(request), body, files, source="channel"))

    def _message(self, request: web.Request) -> Payload:
        return self.state.message(request.match_info["channel_id"], request.match_info["message_id"])

    async def get_message(self, request: web.Request) -> web.Response:
        return json_response(self._message(request))

    async def edit_message(self, request: web.Request) -> web.Response:
        message = self._message(request)
        body, files = await read_body(request)
        return json_response(await self.b.messages.edit(message, body, files, source="channel"))

    async def delete_message(self, request: web.Request) -> web.Response:
        await self.b.messages.delete(self._message(request), source="channel")
        return no_content()

    # -- reactions ------------------------------------------------------------------------------------------

    async def add_reaction(self, request: web.Request) -> web.Response:
        message = self._message(request)
        emoji = _emoji(request.match_info["emoji"])
        reaction = next((r for r in message["reactions"] if r["emoji"] == emoji), None)
        if reaction is None:
            message["reactions"].append({"emoji": emoji, "count": 1, "me": True})
        elif not reaction["me"]:
            reaction.update(count=reaction["count"] + 1, me=True)
        await self.b.gateway.dispatch("MESSAGE_REACTION_ADD", self._reaction_event(message, emoji))
        return no_content()

    async def remove_reaction(self, request: web.Request) -> web.Response:
        message = self._message(request)
        emoji = _emoji(request.match_info["emoji"])
        reaction = next((r for r in message["reactions"] if r["emoji"] == emoji and r["me"]), None)
        if reaction is not None:
            reaction.update(count=reaction["count"] - 1, me=False)
            message["reactions"] = [r for r in message["reactions"] if r["count"] > 0]
            await self.b.gateway.dispatch("MESSAGE_REACTION_REMOVE", self._reaction_event(message, emoji))
        return no_content()

    def _reaction_event(self, message: Payload, emoji: Payload) -> Payload:
        event = {
            "user_id": str(self.state.bot_user.id),
            "channel_id": message["channel_id"],
            "message_id": message["id"],
            "emoji": emoji,
            "burst": False,
            "type": 0,
        }
        if "guild_id" in message:
            event["guild_id"] = message["guild_id"]
        return event

    # -- threads ---------------------------------------------------------------------------------------------

    async def create_thread_from_message(self, request: web.Request) -> web.Response:
        """The thread gets the starter message's id, like on Discord."""
        message = self._message(request)
        if int(message["id"]) in self.state.channels:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        body = await request.json()
        return await self._start_thread(request, body, thread_id=int(message["id"]), type=PUBLIC_THREAD)

    async def create_thread(self, request: web.Request) -> web.Response:
        body = await request.json()
        return await self._start_thread(request, body, thread_id=None, type=body.get("type", PRIVATE_THREAD))

    async def _start_thread(
        self, request: web.Request, body: Payload, *, thread_id: int | None, type: int
    ) -> web.Response:
        parent = self._channel(request)
        if parent.type != TEXT_CHANNEL:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        thread = self.state.add_thread(
            parent,
            body["name"],
            owner=self.state.bot_user,
            thread_id=thread_id,
            type=type,
            auto_archive_duration=body.get("auto_archive_duration") or 1440,
        )
        thread.invitable = body.get("invitable", True)
        payload = thread.payload(viewer_id=self.state.bot_user.id)
        await self.b.gateway.dispatch("THREAD_CREATE", payload | {"newly_created": True})
        return json_response(payload, status=201)

    async def join_thread(self, request: web.Request) -> web.Response:
        thread = self._thread(request)
        thread.member_ids.add(self._member_id(request))
        return no_content()

    async def leave_thread(self, request: web.Request) -> web.Response:
        thread = self._thread(request)
        thread.member_ids.discard(self._member_id(request))
        return no_content()

    def _thread(self, request: web.Request) -> FakeChannel:
        thread = self._channel(request)
        if not thread.is_thread:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        if thread.archived:
            raise DiscordError(400, 50083, "Thread is archived")
        return thread

    def _member_id(self, request: web.Request) -> int:
        user_id = request.match_info["user_id"]
        return self.state.bot_user.id if user_id == "@me" else self.state.user(int(user_id)).id

    # -- attachments ------------------------------------------------------------------------------------------

    async def download_attachment(self, request: web.Request) -> web.Response:
        stored = self.state.attachments.get(int(request.match_info["attachment_id"]))
        if stored is None or stored.filename != request.match_info["filename"]:
            raise unknown("Attachment", UNKNOWN_ATTACHMENT)
        return web.Response(body=stored.data, content_type=stored.content_type)


def _emoji(raw: str) -> Payload:
    """``name`` (unicode) or ``name:id`` (custom emoji) as in the reaction route."""
    name, _, emoji_id = raw.partition(":")
    return {"id": emoji_id or None, "name": name}
