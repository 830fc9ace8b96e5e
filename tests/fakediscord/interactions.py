"""Building INTERACTION_CREATE payloads the way Discord would for a user's action.

Slash commands are built from the command the bot *registered* (ids, option
types, subcommand nesting), so invoking something the bot never synced, or
passing an option it does not declare, fails loudly in the test.
"""

from __future__ import annotations

import secrets
from typing import Any

from .appcommands import CommandStore
from .models import FakeChannel, FakeGuild, FakeRole, FakeUser, Payload
from .state import FakeState
from .validation import iter_components

APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

SUBCOMMAND, GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11
BUTTON, STRING_SELECT, TEXT_INPUT, LABEL, ACTION_ROW = 2, 3, 4, 18, 1
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
GUILD_CONTEXT, BOT_DM_CONTEXT = 0, 1


class InteractionFactory:
    def __init__(self, state: FakeState, commands: CommandStore) -> None:
        self.state = state
        self.commands = commands

    def envelope(
        self, *, type: int, data: Payload, user: FakeUser, channel: FakeChannel, message: Payload | None = None
    ) -> Payload:
        """The interaction object around ``data``, as sent by ``user`` in ``channel``."""
        guild = self.state.guild_of(channel)
        payload: Payload = {
            "id": str(self.state.ids.next()),
            "application_id": str(self.state.application_id),
            "type": type,
            "data": data,
            "token": f"fake-interaction-{secrets.token_urlsafe(24)}",
            "version": 1,
            "channel": channel.payload(),
            "channel_id": str(channel.id),
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if guild is None:
            payload.update(user=user.payload(), context=BOT_DM_CONTEXT, authorizing_integration_owners={"0": "0"})
        else:
            payload.update(self._guild_fields(guild, user))
        if message is not None:
            payload["message"] = message
        return payload

    def _guild_fields(self, guild: FakeGuild, user: FakeUser) -> Payload:
        if user.id not in guild.members:
            raise ValueError(f"{user.name} is not a member of guild {guild.name}")
        member = guild.members[user.id].payload() | {"permissions": str(guild.permissions_of(user.id))}
        return {
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "guild_locale": "en-US",
            "member": member,
            "app_permissions": str(guild.permissions_of(self.state.bot_user.id)),
            "context": GUILD_CONTEXT,
            "authorizing_integration_owners": {"0": str(guild.id)},
        }

    # -- application commands -------------------------------------------------------------------

    def slash_data(
        self,
        path: str,
        options: dict[str, Any],
        channel: FakeChannel,
        *,
        focused: str | None = None,
        scope: FakeGuild | None | bool = True,
    ) -> Payload:
        """Command data for ``path`` ("name", "name sub" or "name group sub") with ``options``.

        With ``focused`` the data is for an autocomplete request on that option. The command is the one a user
        in ``channel`` would invoke, unless ``scope`` names where to take it from (a guild, or None: global).
        """
        names = path.split()
        guild = self.state.guild_of(channel) if scope is True else scope
        assert not isinstance(guild, bool)
        command = self.commands.find(names[0], None if guild is None else guild.id)
        schema: list[Payload] = command.get("options") or []
        chain: list[Payload] = []
        for name in names[1:]:
            sub = next((o for o in schema if o["name"] == name and o["type"] in (SUBCOMMAND, GROUP)), None)
            if sub is None:
                raise ValueError(f"{command['name']!r} has no subcommand or group {name!r} (path {path!r})")
            chain.append(sub)
            schema = sub.get("options") or []
        if any(o["type"] in (SUBCOMMAND, GROUP) for o in schema):
            raise ValueError(f"{path!r} is a group; name one of its subcommands")
        resolved: Payload = {}
        values = self._option_values(schema, options, resolved, guild, focused)
        for sub in reversed(chain):
            values = [{"type": sub["type"], "name": sub["name"], "options": values}]
        data: Payload = {"id": command["id"], "name": command["name"], "type": command["type"], "options": values}
        if resolved:
            data["resolved"] = resolved
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return data

    def _option_values(
        self,
        schema: list[Payload],
        options: dict[str, Any],
        resolved: Payload,
        guild: FakeGuild | None,
        focused: str | None,
    ) -> list[Payload]:
        by_name = {o["name"]: o for o in schema}
        unknown = set(options) - set(by_name)
        if unknown:
            raise ValueError(f"unknown options {sorted(unknown)}; the command declares {sorted(by_name)}")
        if focused is None:
            missing = [o["name"] for o in schema if o.get("required") and o["name"] not in options]
            if missing:
                raise ValueError(f"missing required options {missing}")
        elif not by_name.get(focused, {}).get("autocomplete"):
            raise ValueError(f"option {focused!r} is not an autocomplete option")
        values = []
        for name, value in options.items():
            option = by_name[name]
            if name == focused:
                values.append({"type": option["type"], "name": name, "value": str(value), "focused": True})
            else:
                values.append(
                    {"type": option["type"], "name": name, "value": self._value(option, value, resolved, guild)}
                )
        return values

    def _value(self, option: Payload, value: Any, resolved: Payload, guild: FakeGuild | None) -> Any:
        kind = option["type"]
        choices = [c["value"] for c in option.get("choices") or []]
        if choices and value not in choices:
            raise ValueError(f"{value!r} is not one of the choices {choices} of option {option['name']!r}")
        if kind == STRING:
            return str(value)
        if kind == INTEGER:
            return int(value)
        if kind == NUMBER:
            return float(value)
        if kind == BOOLEAN:
            return bool(value)
        if kind == ATTACHMENT:
            resolved.setdefault("attachments", {})[value["id"]] = value
            return value["id"]
        if kind == CHANNEL:
            return self._resolve_channel(value, resolved, guild)
        if kind == ROLE or (kind == MENTIONABLE and isinstance(value, FakeRole)):
            return self._resolve_role(value, resolved, guild)
        if kind in (USER, MENTIONABLE):
            return self._resolve_user(value, resolved, guild)
        raise ValueError(f"unsupported option type {kind}")

    def _resolve_user(self, value: FakeUser | int, resolved: Payload, guild: FakeGuild | None) -> str:
        user = self.state.user(value)
        resolved.setdefault("users", {})[str(user.id)] = user.payload()
        if guild is not None and user.id in guild.members:
            member = guild.members[user.id].payload(with_user=False)
            member["permissions"] = str(guild.permissions_of(user.id))
            resolved.setdefault("members", {})[str(user.id)] = member
        return str(user.id)

    def _resolve_channel(self, value: FakeChannel | int, resolved: Payload, guild: FakeGuild | None) -> str:
        channel = self.state.channel_of(value)
        data = channel.payload()
        if guild is not None:
            data["permissions"] = str(guild.permissions_of(self.state.bot_user.id))
        resolved.setdefault("channels", {})[str(channel.id)] = data
        return str(channel.id)

    def _resolve_role(self, value: FakeRole | int, resolved: Payload, guild: FakeGuild | None) -> str:
        role_id = value.id if isinstance(value, FakeRole) else int(value)
        if guild is None or role_id not in guild.roles:
            raise ValueError(f"role {role_id} is not in this guild")
        resolved.setdefault("roles", {})[str(role_id)] = guild.roles[role_id].payload()
        return str(role_id)

    # -- components and modals --------------------------------------------------------------------

    def component_data(self, message: Payload, custom_id: str, values: list[str] | None = None) -> Payload:
        """Data for clicking a button (``values`` None) or picking options of a string select."""
        component = next((c for c in iter_components(message["components"]) if c.get("custom_id") == custom_id), None)
        if component is None:
            raise ValueError(f"message {message['id']} has no component with custom_id {custom_id!r}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        expected = BUTTON if values is None else STRING_SELECT
        if component["type"] != expected:
            raise ValueError(f"component {custom_id!r} has type {component['type']}, expected {expected}")
        data: Payload = {"custom_id": custom_id, "component_type": component["type"]}
        if values is not None:
            allowed = {o["value"] for o in component.get("options") or []}
            if not set(values) <= allowed:
                raise ValueError(f"{values} are not all options of select {custom_id!r} ({sorted(allowed)})")
            data["values"] = values
        return data

    def modal_submit_data(self, modal: Payload, values: dict[str, Any]) -> Payload:
        """Data submitting ``modal`` (the type 9 response's data) with ``values`` by custom_id."""
        components = [self._submitted(c, values) for c in modal.get("components") or []]
        unknown = set(values) - {c.get("custom_id") for c in iter_components(modal.get("components") or [])}
        if unknown:
            raise ValueError(f"modal {modal.get('custom_id')!r} has no inputs {sorted(unknown)}")
        return {"custom_id": modal["custom_id"], "components": components}

    def _submitted(self, component: Payload, values: dict[str, Any]) -> Payload:
        if component["type"] == ACTION_ROW:
            return {"type": ACTION_ROW, "components": [self._submitted(c, values) for c in component["components"]]}
        if component["type"] == LABEL:
            return {"type": LABEL, "component": self._submitted(component["component"], values)}
        custom_id = component.get("custom_id")
        if component["type"] == TEXT_INPUT:
            value = values.get(custom_id, component.get("value") or "")
            if component.get("required", True) and not value:
                raise ValueError(f"text input {custom_id!r} is required")
            return {"type": TEXT_INPUT, "custom_id": custom_id, "value": value}
        if component["type"] == STRING_SELECT:
            return {"type": STRING_SELECT, "custom_id": custom_id, "values": list(values.get(custom_id, []))}
        return component
