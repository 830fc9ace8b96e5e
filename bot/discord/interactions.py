"""Answering interactions the same way from every cog and button: short notices, apologies, refusals, the checks
that refuse, essay choices."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import discord
from discord import app_commands

from bot.discord.render import CHOICE_LIMIT, embed_batches, split_text, trim

if TYPE_CHECKING:
    from bot.discord.client import TutorBot

log = logging.getLogger(__name__)
T = TypeVar("T")

APOLOGY = "Sorry, something went wrong on my side and I couldn't finish that. Please try again in a moment."
ADMIN_ONLY = "Sorry, only members with the Manage Server permission can use this command."
NOT_A_LIBRARY_SERVER = ("Sorry, the essays can't be changed from this server: only the servers that own the library "
                        "(ADMIN_GUILD_IDS) can add or remove them.")
NOT_HERE = "Sorry, that command isn't available here."
MAX_CHOICES = 25


class NotALibraryServer(app_commands.CheckFailure):
    """An essay-management command from a server that is not in ADMIN_GUILD_IDS (a stale or forged command)."""


async def say(interaction: discord.Interaction, text: str, *, ephemeral: bool = True) -> None:
    """Answer with `text`, split to fit: as the response, or in place of a deferred "thinking…" response, or as a
    followup when the interaction was already answered. `ephemeral` only applies when nothing was sent yet."""
    first, *rest = split_text(text) or ["…"]
    if not interaction.response.is_done():
        await interaction.response.send_message(first, ephemeral=ephemeral)
    elif interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
        await interaction.edit_original_response(content=first)
    else:
        await interaction.followup.send(first, ephemeral=ephemeral)
    for part in rest:
        await interaction.followup.send(part, ephemeral=ephemeral)


async def send_embeds(
    interaction: discord.Interaction, embeds: list[discord.Embed], *, ephemeral: bool = False
) -> None:
    """Embeds as followups of a deferred response, in as many messages as Discord's limits require."""
    for batch in embed_batches(embeds):
        await interaction.followup.send(embeds=batch, ephemeral=ephemeral)


async def apologize(interaction: discord.Interaction, error: BaseException) -> None:
    """Log an unexpected failure with its context and tell the user, instead of leaving them with silence."""
    command = interaction.command.qualified_name if interaction.command else None
    custom_id = (interaction.data or {}).get("custom_id")
    log.error("interaction failed: command=%s component=%s user=%s guild=%s channel=%s", command, custom_id,
              interaction.user.id, interaction.guild_id, interaction.channel_id, exc_info=error)
    try:
        await say(interaction, APOLOGY)
    except discord.HTTPException:
        log.warning("could not send the apology for interaction %s", interaction.id, exc_info=True)


def manage_server() -> Callable[[T], T]:
    """The check of the admin commands, discord.py's own: Manage Server. Hiding the commands from members
    (`default_permissions`) is not enough, since a server can grant them to other roles or channels, and a DM has
    no permissions at all (Discord does not enforce `guild_only` on a forged interaction), so it is checked on every
    use."""
    return app_commands.checks.has_permissions(manage_guild=True)


def library_admin() -> Callable[[T], T]:
    """The checks of the commands that change the essays: the server must own the library (ADMIN_GUILD_IDS),
    since the commands may still be registered in a server just removed from the list or be forged, and then the
    member must have Manage Server."""

    def in_a_library_server(interaction: discord.Interaction[TutorBot]) -> bool:
        if interaction.guild_id is not None and not interaction.client.libraries.may_manage(interaction.guild_id):
            raise NotALibraryServer(NOT_A_LIBRARY_SERVER)
        return True

    def decorate(command: T) -> T:
        return manage_server()(app_commands.check(in_a_library_server)(command))  # checked in this order

    return decorate


def refusal_for(error: app_commands.AppCommandError) -> str | None:
    """What to tell someone whose command was refused (None: not a refusal but a failure)."""
    if isinstance(error, app_commands.MissingPermissions):
        return ADMIN_ONLY
    if isinstance(error, NotALibraryServer):
        return NOT_A_LIBRARY_SERVER
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return NOT_HERE
    return None


async def essay_autocomplete(
    interaction: discord.Interaction[TutorBot], current: str
) -> list[app_commands.Choice[str]]:
    """Essays whose title or id contains what the user typed so far."""
    essays = await asyncio.to_thread(interaction.client.libraries.library(interaction.guild_id).essays)
    wanted = current.strip().casefold()
    return [
        app_commands.Choice(name=trim(e.title, CHOICE_LIMIT), value=e.id)
        for e in essays
        if wanted in e.title.casefold() or wanted in e.id.casefold()
    ][:MAX_CHOICES]
