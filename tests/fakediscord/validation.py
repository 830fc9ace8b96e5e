"""The subset of Discord's request limits worth enforcing in tests.

A fake that accepts anything hides bugs that only show up against the real
API (a 2001-character reply, a sixth button in a row, an invalid command
name), so the commonly hit limits are checked here and rejected with the
same error codes Discord uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .errors import DiscordError, invalid_form
from .models import Payload

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
EMBED_TEXT_LIMITS = {"title": 256, "description": 4096}
MAX_FIELDS = 25
MAX_ACTION_ROWS = 5
MAX_ROW_ITEMS = 5
MAX_CUSTOM_ID = 100
MAX_BUTTON_LABEL = 80
MAX_CHOICES = 25
MAX_COMMANDS = 100
MAX_OPTIONS = 25
COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")
SUBCOMMAND_TYPES = (1, 2)
COMPONENTS_V2_FLAG = 1 << 15


def validate_message(payload: Payload, *, has_files: bool, allow_empty: bool) -> None:
    """Reject message create/edit bodies Discord would reject."""
    content = payload.get("content") or ""
    if len(content) > MAX_CONTENT:
        raise invalid_form(f"content: must be {MAX_CONTENT} or fewer in length (got {len(content)})")
    embeds = payload.get("embeds") or []
    if len(embeds) > MAX_EMBEDS:
        raise invalid_form(f"embeds: must be {MAX_EMBEDS} or fewer in length")
    _validate_embeds(embeds)
    components = payload.get("components") or []
    if not payload.get("flags", 0) & COMPONENTS_V2_FLAG:
        _validate_action_rows(components)
    _validate_unique_custom_ids(components)
    is_empty = not (content or embeds or components or has_files or payload.get("sticker_ids") or payload.get("poll"))
    if is_empty and not allow_empty:
        raise DiscordError(400, 50006, "Cannot send an empty message")


def _validate_embeds(embeds: list[Payload]) -> None:
    for embed in embeds:
        for key, limit in EMBED_TEXT_LIMITS.items():
            if len(embed.get(key) or "") > limit:
                raise invalid_form(f"embeds.{key}: must be {limit} or fewer in length")
        fields = embed.get("fields") or []
        if len(fields) > MAX_FIELDS:
            raise invalid_form(f"embeds.fields: must be {MAX_FIELDS} or fewer in length")
        for embed_field in fields:
            if not embed_field.get("name") or not embed_field.get("value"):
                raise invalid_form("embeds.fields: name and value are required")
            if len(embed_field["name"]) > 256 or len(embed_field["value"]) > 1024:
                raise invalid_form("embeds.fields: name/value too long")
    if sum(_embed_text_length(e) for e in embeds) > MAX_EMBED_TOTAL:
        raise invalid_form(f"embeds: total text must be {MAX_EMBED_TOTAL} or fewer characters")


def _embed_text_length(embed: Payload) -> int:
    parts = [embed.get("title"), embed.get("description"), (embed.get("footer") or {}).get("text")]
    parts.append((embed.get("author") or {}).get("name"))
    for embed_field in embed.get("fields") or []:
        parts += [embed_field.get("name"), embed_field.get("value")]
    return sum(len(p or "") for p in parts)


def _validate_action_rows(rows: list[Payload]) -> None:
    if len(rows) > MAX_ACTION_ROWS:
        raise invalid_form(f"components: must be {MAX_ACTION_ROWS} or fewer in length")
    for row in rows:
        if row.get("type") != 1:
            raise invalid_form("components: top-level components must be action rows")
        items = row.get("components") or []
        if not 1 <= len(items) <= MAX_ROW_ITEMS:
            raise invalid_form(f"components.components: must hold 1 to {MAX_ROW_ITEMS} items")
        for item in items:
            _validate_button(item)


def _validate_button(item: Payload) -> None:
    if item.get("type") != 2:
        return
    if len(item.get("label") or "") > MAX_BUTTON_LABEL:
        raise invalid_form(f"button label must be {MAX_BUTTON_LABEL} or fewer in length")
    is_link = item.get("style") == 5
    if is_link != ("url" in item) or (not is_link and "custom_id" not in item):
        raise invalid_form("a link button needs a url and no custom_id; other buttons need a custom_id")


def _validate_unique_custom_ids(components: list[Payload]) -> None:
    seen: set[str] = set()
    for component in iter_components(components):
        custom_id = component.get("custom_id")
        if custom_id is None:
            continue
        if len(custom_id) > MAX_CUSTOM_ID:
            raise invalid_form(f"custom_id must be {MAX_CUSTOM_ID} or fewer in length")
        if custom_id in seen:
            raise invalid_form(f"custom_id {custom_id!r} is duplicated")
        seen.add(custom_id)


def iter_components(components: Iterable[Payload]) -> Iterable[Payload]:
    """Every component in a (possibly nested, components v2) component tree."""
    for component in components:
        yield component
        children = list(component.get("components") or [])
        for key in ("component", "accessory"):
            if component.get(key):
                children.append(component[key])
        yield from iter_components(children)


def validate_choices(choices: list[Any]) -> None:
    if len(choices) > MAX_CHOICES:
        raise invalid_form(f"choices: must be {MAX_CHOICES} or fewer in length")


def validate_commands(commands: list[Payload]) -> None:
    """Check a bulk command overwrite the way Discord does for the usual mistakes."""
    if len(commands) > MAX_COMMANDS:
        raise invalid_form(f"must be {MAX_COMMANDS} or fewer in length")
    names = [(c.get("name"), c.get("type", 1)) for c in commands]
    if len(set(names)) != len(names):
        raise invalid_form("application command names must be unique per type")
    for command in commands:
        validate_command(command)


def validate_command(command: Payload) -> None:
    if command.get("type", 1) == 1:
        _validate_chat_input_item(command, "command")
        _validate_options(command.get("options") or [], parent="command")


def _validate_chat_input_item(item: Payload, what: str) -> None:
    name = item.get("name") or ""
    if not COMMAND_NAME.match(name) or name.lower() != name:
        raise invalid_form(f"{what} name {name!r} must be 1-32 lowercase letters, digits, - or _")
    if not 1 <= len(item.get("description") or "") <= 100:
        raise invalid_form(f"{what} {name!r}: description must be 1-100 characters")


def _validate_options(options: list[Payload], *, parent: str) -> None:
    """``parent`` is 'command', 'group' or 'subcommand' (what may nest where)."""
    if len(options) > MAX_OPTIONS:
        raise invalid_form(f"options: must be {MAX_OPTIONS} or fewer in length")
    kinds = {"sub" if o.get("type") in SUBCOMMAND_TYPES else "value" for o in options}
    allowed = {"command": ({"sub"}, {"value"}), "group": ({"sub"},), "subcommand": ({"value"},)}[parent]
    if kinds and kinds not in allowed:
        raise invalid_form(f"invalid option nesting under a {parent}")
    seen_optional = False
    for option in options:
        _validate_chat_input_item(option, "option")
        if option.get("type") == 2:
            if parent != "command":
                raise invalid_form(f"option {option['name']!r}: groups can only be top-level")
            _validate_options(option.get("options") or [], parent="group")
        elif option.get("type") == 1:
            _validate_options(option.get("options") or [], parent="subcommand")
        else:
            seen_optional = _validate_value_option(option, seen_optional)


def _validate_value_option(option: Payload, seen_optional: bool) -> bool:
    """Validate one value option; returns whether an optional option has been seen."""
    if option.get("required"):
        if seen_optional:
            raise invalid_form("required options must be placed before non-required options")
    else:
        seen_optional = True
    if len(option.get("choices") or []) > MAX_CHOICES:
        raise invalid_form(f"option {option['name']!r}: at most {MAX_CHOICES} choices")
    if option.get("choices") and option.get("autocomplete"):
        raise invalid_form(f"option {option['name']!r}: autocomplete cannot be used with choices")
    return seen_optional
