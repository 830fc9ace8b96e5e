"""Registered application commands, global and per guild."""

from __future__ import annotations

from .errors import UNKNOWN_COMMAND, unknown
from .models import Payload, SnowflakeFactory
from .validation import validate_command, validate_commands

CHAT_INPUT = 1


class CommandStore:
    """Commands as Discord returns them after a sync (with ids, versions and defaults filled in)."""

    def __init__(self, ids: SnowflakeFactory, application_id: int) -> None:
        self._ids = ids
        self._application_id = application_id
        self._scopes: dict[int | None, dict[int, Payload]] = {None: {}}

    def list(self, guild_id: int | None = None) -> list[Payload]:
        return list(self._scopes.get(guild_id, {}).values())

    def get(self, guild_id: int | None, command_id: int) -> Payload:
        command = self._scopes.get(guild_id, {}).get(command_id)
        if command is None:
            raise unknown("application command", UNKNOWN_COMMAND)
        return command

    def overwrite(self, guild_id: int | None, payloads: list[Payload]) -> list[Payload]:
        """Bulk overwrite (PUT); commands keep their id when name and type are unchanged."""
        validate_commands(payloads)
        previous = {(c["name"], c["type"]): c for c in self.list(guild_id)}
        commands = [self._complete(p, guild_id, previous.get((p["name"], p.get("type", CHAT_INPUT)))) for p in payloads]
        self._scopes[guild_id] = {int(c["id"]): c for c in commands}
        return commands

    def upsert(self, guild_id: int | None, payload: Payload) -> Payload:
        """Create-or-replace one command (POST)."""
        validate_command(payload)
        scope = self._scopes.setdefault(guild_id, {})
        key = (payload["name"], payload.get("type", CHAT_INPUT))
        previous = next((c for c in scope.values() if (c["name"], c["type"]) == key), None)
        command = self._complete(payload, guild_id, previous)
        scope[int(command["id"])] = command
        return command

    def delete(self, guild_id: int | None, command_id: int) -> None:
        self.get(guild_id, command_id)
        del self._scopes[guild_id][command_id]

    def find(self, name: str, guild_id: int | None, type: int = CHAT_INPUT) -> Payload:
        """The command a user in ``guild_id`` would invoke: guild commands shadow global ones."""
        for scope in (guild_id, None):
            for command in self._scopes.get(scope, {}).values():
                if command["name"] == name and command["type"] == type:
                    return command
        raise LookupError(f"no registered command {name!r} (type {type}) for guild {guild_id}; was the tree synced?")

    def _complete(self, payload: Payload, guild_id: int | None, previous: Payload | None) -> Payload:
        command: Payload = {
            "type": CHAT_INPUT,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            **payload,
            "id": previous["id"] if previous else str(self._ids.next()),
            "application_id": str(self._application_id),
            "version": str(self._ids.next()),
        }
        if guild_id is not None:
            command["guild_id"] = str(guild_id)
        return command
