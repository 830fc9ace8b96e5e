"""REST routes for application commands, interaction callbacks and interaction webhooks."""

from __future__ import annotations

from aiohttp import web

from .backend import Backend
from .errors import UNKNOWN_INTERACTION, UNKNOWN_MESSAGE, UNKNOWN_WEBHOOK, DiscordError, invalid_form, unknown
from .interactions import APPLICATION_COMMAND, AUTOCOMPLETE, MESSAGE_COMPONENT, MODAL_SUBMIT
from .messages import read_body
from .models import FakeChannel, Payload
from .records import EPHEMERAL_FLAG, InteractionRecord, InteractionResponse, RecordedFile
from .responses import json_response, no_content
from .validation import validate_choices

API = "/api/v10"
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, AUTOCOMPLETE_RESULT, MODAL = (
    4,
    5,
    6,
    7,
    8,
    9,
)
LOADING_FLAG = 128
CHAT_INPUT_COMMAND_MESSAGE = 20
#: Callback types Discord accepts per interaction type.
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},
}


class InteractionRoutes:
    def __init__(self, backend: Backend) -> None:
        self.b = backend

    def routes(self) -> list[web.RouteDef]:
        commands = API + "/applications/{app_id}/commands"
        guild_commands = API + "/applications/{app_id}/guilds/{guild_id}/commands"
        webhook = API + "/webhooks/{app_id}/{token}"
        return [
            *(route for base in (commands, guild_commands) for route in self._command_routes(base)),
            web.post(API + "/interactions/{interaction_id}/{token}/callback", self.callback),
            web.post(webhook, self.create_followup),
            web.get(webhook + "/messages/{message_id}", self.get_webhook_message),
            web.patch(webhook + "/messages/{message_id}", self.edit_webhook_message),
            web.delete(webhook + "/messages/{message_id}", self.delete_webhook_message),
        ]

    def _command_routes(self, base: str) -> list[web.RouteDef]:
        return [
            web.get(base, self.list_commands),
            web.put(base, self.overwrite_commands),
            web.post(base, self.upsert_command),
            web.get(base + "/{command_id}", self.get_command),
            web.delete(base + "/{command_id}", self.delete_command),
        ]

    # -- application commands ---------------------------------------------------------------------

    def _scope(self, request: web.Request) -> int | None:
        self.b.check_application(request.match_info["app_id"])
        guild_id = request.match_info.get("guild_id")
        return None if guild_id is None else int(guild_id)

    async def list_commands(self, request: web.Request) -> web.Response:
        return json_response(self.b.commands.list(self._scope(request)))

    async def overwrite_commands(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        return json_response(self.b.commands.overwrite(scope, await request.json()))

    async def upsert_command(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        return json_response(self.b.commands.upsert(scope, await request.json()), status=201)

    async def get_command(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        return json_response(self.b.commands.get(scope, int(request.match_info["command_id"])))

    async def delete_command(self, request: web.Request) -> web.Response:
        self.b.commands.delete(self._scope(request), int(request.match_info["command_id"]))
        return no_content()

    # -- the initial response -----------------------------------------------------------------------

    async def callback(self, request: web.Request) -> web.Response:
        record = self.b.interactions.get(int(request.match_info["interaction_id"]))
        if record is None or record.token != request.match_info["token"]:
            raise unknown("interaction", UNKNOWN_INTERACTION)
        if record.response is not None:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        now = self.b.clock()
        if now - record.dispatched_at > self.b.interaction_deadline:
            raise DiscordError(
                404, UNKNOWN_INTERACTION, f"Unknown interaction (answered after {now - record.dispatched_at:.2f}s)"
            )
        body, files = await read_body(request)
        kind, data = body.get("type"), body.get("data")
        if kind not in ALLOWED_CALLBACKS[record.type]:
            raise invalid_form(f"interaction callback type {kind} is not valid for interaction type {record.type}")
        record.response = InteractionResponse(record.id, kind, data, files, at=now, elapsed=now - record.dispatched_at)
        try:
            resource = await self._respond(record, kind, data or {}, files)
        except Exception:
            record.response = None  # a rejected callback leaves the interaction unacknowledged
            raise
        self.b.responses.append(record.response)
        if request.query.get("with_response") not in ("1", "true", "True"):
            return no_content()
        return json_response({"interaction": self._callback_interaction(record), "resource": resource})

    async def _respond(self, record: InteractionRecord, kind: int, data: Payload, files: list[RecordedFile]) -> Payload:
        resource: Payload = {"type": kind}
        if kind == CHANNEL_MESSAGE:
            resource["message"] = await self._create_message(record, data, files, source="interaction_response")
            record.original_message_id = int(resource["message"]["id"])
        elif kind == DEFERRED_CHANNEL_MESSAGE:
            flags = LOADING_FLAG | (data.get("flags", 0) & EPHEMERAL_FLAG)
            loading = await self._create_message(
                record, {"flags": flags}, [], source="interaction_response", allow_empty=True
            )
            record.original_message_id, record.loading = int(loading["id"]), True
            resource["message"] = loading
        elif kind in (DEFERRED_UPDATE, UPDATE_MESSAGE):
            message = self._clicked_message(record)
            record.original_message_id = int(message["id"])
            if kind == UPDATE_MESSAGE:
                resource["message"] = await self.b.messages.edit(
                    message, data, files, source="interaction_response", interaction_id=record.id
                )
        elif kind == AUTOCOMPLETE_RESULT:
            validate_choices(data.get("choices") or [])
        return resource

    def _callback_interaction(self, record: InteractionRecord) -> Payload:
        data: Payload = {"id": str(record.id), "type": record.type}
        message = self.b.state.messages.get(record.original_message_id or 0)
        if message is not None:
            data["response_message_id"] = message["id"]
            data["response_message_loading"] = record.loading
            data["response_message_ephemeral"] = bool(message["flags"] & EPHEMERAL_FLAG)
        return data

    def _clicked_message(self, record: InteractionRecord) -> Payload:
        message = record.payload.get("message")
        if message is None:
            raise invalid_form("this interaction has no message to update")
        return self.b.state.message(message["channel_id"], message["id"])

    async def _create_message(
        self,
        record: InteractionRecord,
        body: Payload,
        files: list[RecordedFile],
        *,
        source: str,
        allow_empty: bool = False,
    ) -> Payload:
        return await self.b.messages.create(
            self._channel(record),
            body,
            files,
            source=source,
            interaction_id=record.id,
            extra_fields=self._interaction_fields(record),
            allow_empty=allow_empty,
        )

    def _channel(self, record: InteractionRecord) -> FakeChannel:
        return self.b.state.channel_of(record.payload["channel_id"])

    def _interaction_fields(self, record: InteractionRecord) -> Payload:
        user = record.payload.get("user") or record.payload["member"]["user"]
        metadata = {
            "id": str(record.id),
            "type": record.type,
            "user": user,
            "authorizing_integration_owners": record.payload["authorizing_integration_owners"],
        }
        fields: Payload = {
            "webhook_id": str(self.b.state.application_id),
            "application_id": str(self.b.state.application_id),
            "interaction_metadata": metadata,
        }
        if record.type == APPLICATION_COMMAND:
            fields["type"] = CHAT_INPUT_COMMAND_MESSAGE
        return fields

    # -- followups and webhook messages ------------------------------------------------------------

    def _webhook_record(self, request: web.Request) -> InteractionRecord:
        self.b.check_application(request.match_info["app_id"])
        token = request.match_info["token"]
        record = next((r for r in self.b.interactions.values() if r.token == token), None)
        if record is None or record.response is None:
            raise unknown("Webhook", UNKNOWN_WEBHOOK)
        return record

    async def create_followup(self, request: web.Request) -> web.Response:
        """The first followup after a type 5 deferral replaces the loading message, like Discord."""
        record = self._webhook_record(request)
        body, files = await read_body(request)
        if record.loading:
            original = self._message_of(record, "@original")
            message = await self.b.messages.edit(
                original, body, files, source="followup", interaction_id=record.id, clear_flags=LOADING_FLAG
            )
            record.loading = False
        else:
            message = await self._create_message(record, body, files, source="followup")
            record.followup_ids.append(int(message["id"]))
        if request.query.get("wait") not in ("1", "true", "True"):
            return no_content()
        return json_response(message)

    def _message_of(self, record: InteractionRecord, message_id: str) -> Payload:
        if message_id == "@original":
            if record.original_message_id is None:
                raise unknown("Message", UNKNOWN_MESSAGE)
            message_id = str(record.original_message_id)
        message = self.b.state.messages.get(int(message_id))
        if message is None:
            raise unknown("Message", UNKNOWN_MESSAGE)
        return message

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        return json_response(self._message_of(record, request.match_info["message_id"]))

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        message = self._message_of(record, request.match_info["message_id"])
        body, files = await read_body(request)
        was_loading = record.loading and int(message["id"]) == record.original_message_id
        message = await self.b.messages.edit(
            message, body, files, source="webhook_edit", interaction_id=record.id, clear_flags=LOADING_FLAG
        )
        if was_loading:
            record.loading = False
        return json_response(message)

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        message = self._message_of(record, request.match_info["message_id"])
        await self.b.messages.delete(message, source="webhook_edit", interaction_id=record.id)
        return no_content()
