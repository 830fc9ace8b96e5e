"""What is in the library: `/essays` lists the essays, `/thesis` shows an essay's thesis and main claims."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.corpus import CorpusError
from bot.discord.interactions import essay_autocomplete, say, send_embeds
from bot.discord.render import essay_list_embeds, thesis_embeds

if TYPE_CHECKING:
    from bot.discord.client import TutorBot

NO_ESSAYS = "The library is empty."
ADD_HERE = " Someone with Manage Server can add an essay here with /essay add."


class EssaysCog(commands.Cog):
    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot

    @app_commands.command(name="essays", description="List the essays the tutor knows")
    async def essays(self, interaction: discord.Interaction[TutorBot]) -> None:
        await interaction.response.defer(thinking=True)
        essays = await asyncio.to_thread(self.bot.libraries.library(interaction.guild_id).essays)
        if not essays:
            here = self.bot.libraries.may_manage(interaction.guild_id)
            await say(interaction, NO_ESSAYS + (ADD_HERE if here else ""))
            return
        await send_embeds(interaction, essay_list_embeds(essays))

    @app_commands.command(name="thesis", description="An essay's thesis and main claims")
    @app_commands.describe(essay="Which essay (default: the first)")
    @app_commands.autocomplete(essay=essay_autocomplete)
    async def thesis(self, interaction: discord.Interaction[TutorBot], essay: str | None = None) -> None:
        await interaction.response.defer(thinking=True)
        try:
            embeds = await asyncio.to_thread(self._thesis_embeds, interaction.guild_id, essay)
        except CorpusError as exc:
            await say(interaction, "\n".join(exc.errors))
            return
        await send_embeds(interaction, embeds)

    def _thesis_embeds(self, guild_id: int | None, essay: str | None) -> list[discord.Embed]:
        thesis, claims = self.bot.libraries.tutor(guild_id).thesis(essay)
        title = self.bot.libraries.library(guild_id).resolve_essay(thesis.essay_id).title
        return thesis_embeds(title, thesis, claims)


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(EssaysCog(bot))
