"""Creating, editing and deleting the bot's messages: request bodies, records, gateway echo.

All REST routes that produce bot messages (channel messages, interaction
responses, followups, webhook edits) go through :class:`MessageService`, so
each records one :class:`SentMessage` and dispatches MESSAGE_CREATE /
MESSAGE_UPDATE / MESSAGE_DELETE like Discord (except for ephemeral messages,
which Discord never sends over the gateway).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import BodyPartReader, web

from .errors import DiscordError, invalid_form
from .gateway import Gateway
from .models import FakeChannel, Payload
from .records import EPHEMERAL_FLAG, RecordedFile, RecordLog, SentMessage
from .state import FakeState
from .validation import validate_message

#: Where a multipart request's ``payload_json`` is left for the request log (see webapp.py).
MULTIPART_JSON_KEY = web.RequestKey("fakediscord.payload_json", dict)
#: Attachment ids below this are indexes of files uploaded in the same request.
MAX_UPLOAD_INDEX = 10_000
MESSAGE_FIELDS = ("embeds", "components", "flags", "tts", "poll")


async def read_body(request: web.Request) -> tuple[Payload, list[RecordedFile]]:
    """The JSON body and uploaded files of a JSON or multipart (``payload_json`` + ``files[n]``) request."""
    if not request.content_type.startswith("multipart/"):
        raw = await request.read()
        return (json.loads(raw) if raw else {}), []
    payload: Payload = {}
    files: list[RecordedFile] = []
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        data = await part.read()
        if part.name == "payload_json":
            payload = json.loads(data)
            request[MULTIPART_JSON_KEY] = payload
        elif part.filename is not None:
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            files.append(RecordedFile(part.name, part.filename, content_type, bytes(data)))
    return payload, files


class MessageService:
    def __init__(
        self, state: FakeState, gateway: Gateway, sent: RecordLog[SentMessage], clock: Callable[[], float]
    ) -> None:
        self.state = state
        self.gateway = gateway
        self.sent = sent
        self.clock = clock

    async def create(
        self,
        channel: FakeChannel,
        body: Payload,
        files: list[RecordedFile],
        *,
        source: str,
        interaction_id: int | None = None,
        extra_fields: Payload | None = None,
        allow_empty: bool = False,
    ) -> Payload:
        """Store, record and echo a new bot message built from a create-message request body.

        ``allow_empty`` is for a deferral's loading message, the one message that may be empty.
        """
        validate_message(body, has_files=bool(files), allow_empty=allow_empty)
        self._ensure_writable(channel)
        fields = {k: body[k] for k in MESSAGE_FIELDS if body.get(k) is not None}
        fields["embeds"] = [_with_embed_type(e) for e in fields.get("embeds", [])]
        fields["attachments"] = self._attachments(body.get("attachments"), files, existing=[]) or []
        fields.update(extra_fields or {})
        reference = self._reference(body.get("message_reference"))
        message = self.state.create_message(
            channel, self.state.bot_user, content=body.get("content") or "", reference=reference, fields=fields
        )
        self._record("create", source, message, body, files, interaction_id)
        if not message["flags"] & EPHEMERAL_FLAG:
            await self.gateway.dispatch("MESSAGE_CREATE", message)
        return message

    async def edit(
        self,
        message: Payload,
        body: Payload,
        files: list[RecordedFile],
        *,
        source: str,
        interaction_id: int | None = None,
        clear_flags: int = 0,
    ) -> Payload:
        """Apply an edit body to a bot message; ``clear_flags`` drops flags such as LOADING."""
        if message["author"]["id"] != str(self.state.bot_user.id):
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        validate_message(body, has_files=bool(files), allow_empty=True)
        changes = {k: v for k, v in body.items() if k in ("content", "embeds", "components", "poll")}
        if "embeds" in changes and changes["embeds"] is not None:
            changes["embeds"] = [_with_embed_type(e) for e in changes["embeds"]]
        attachments = self._attachments(body.get("attachments"), files, existing=message["attachments"])
        if attachments is not None:
            changes["attachments"] = attachments
        changes["flags"] = (message["flags"] & ~clear_flags) | (body.get("flags") or 0)
        self.state.edit_message(message, changes)
        self._record("edit", source, message, body, files, interaction_id)
        if not message["flags"] & EPHEMERAL_FLAG:
            await self.gateway.dispatch("MESSAGE_UPDATE", message)
        return message

    async def delete(self, message: Payload, *, source: str, interaction_id: int | None = None) -> None:
        del self.state.messages[int(message["id"])]
        self._record("delete", source, message, {}, [], interaction_id, keep_message=False)
        if not message["flags"] & EPHEMERAL_FLAG:
            event = {"id": message["id"], "channel_id": message["channel_id"]}
            if "guild_id" in message:
                event["guild_id"] = message["guild_id"]
            await self.gateway.dispatch("MESSAGE_DELETE", event)

    def _ensure_writable(self, channel: FakeChannel) -> None:
        """Locked archived threads reject messages; posting in an archived thread unarchives it."""
        if not channel.is_thread or not channel.archived:
            return
        if channel.locked:
            raise DiscordError(400, 50083, "Thread is archived")
        channel.archived = False

    def _reference(self, reference: Payload | None) -> Payload | None:
        if reference is None:
            return None
        if int(reference["message_id"]) not in self.state.messages and reference.get("fail_if_not_exists", True):
            raise invalid_form("message_reference: Unknown message")
        return reference

    def _attachments(
        self, declared: list[Payload] | None, files: list[RecordedFile], *, existing: list[Payload]
    ) -> list[Payload] | None:
        """Resolve the ``attachments`` field: upload indexes become new attachments, ids keep old ones.

        Returns None when the request leaves attachments unchanged.
        """
        if declared is None:
            return [self._upload(f) for f in files] or None
        by_id = {a["id"]: a for a in existing}
        result = []
        for entry in declared:
            index = int(entry["id"])
            if index < MAX_UPLOAD_INDEX:
                if index >= len(files):
                    raise invalid_form(f"attachments: no file uploaded for index {index}")
                result.append(self._upload(files[index], entry))
            elif str(index) in by_id:
                result.append(by_id[str(index)])
        return result

    def _upload(self, file: RecordedFile, entry: Payload | None = None) -> Payload:
        filename = (entry or {}).get("filename") or file.filename
        attachment = self.state.add_attachment(filename, file.data, file.content_type)
        if entry and entry.get("description"):
            attachment["description"] = entry["description"]
        return attachment

    def _record(
        self,
        action: str,
        source: str,
        message: Payload,
        body: Payload,
        files: list[RecordedFile],
        interaction_id: int | None,
        *,
        keep_message: bool = True,
    ) -> None:
        record = SentMessage(
            action=action,
            source=source,
            channel_id=int(message["channel_id"]),
            message_id=int(message["id"]),
            payload=body,
            files=files,
            message=_snapshot(message) if keep_message else None,
            at=self.clock(),
            interaction_id=interaction_id,
        )
        self.sent.append(record)


def _with_embed_type(embed: Payload) -> Payload:
    return {"type": "rich", **embed}


def _snapshot(message: Payload) -> Any:
    """A deep copy, so later edits do not rewrite what an earlier record saw."""
    return json.loads(json.dumps(message))
