"""Managing the library from Discord: `/essay add`, `/essay remove`, `/reindex`.

Only the servers that own the library (ADMIN_GUILD_IDS) have these commands: they are registered as guild commands
there and nowhere else, and every use is checked again (the server must be listed, the member must have Manage
Server), so a stale or forged command from another server changes nothing. With ADMIN_GUILD_IDS empty the cog is
not loaded at all: essays are managed from the command line.

A change (validation, embedding, index build) runs in a worker thread, so the bot keeps answering everyone else
meanwhile; searches use the previous index until the new one is swapped in. The admin watches the stages in the
deferred response, which the worker thread edits as it goes. Answers are ephemeral: only the admin sees them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.corpus import CorpusError
from bot.discord.interactions import essay_autocomplete, library_admin, say
from bot.library import Change, Library
from bot.retrieval.store import BuildReport

if TYPE_CHECKING:
    from bot.discord.client import TutorBot

log = logging.getLogger(__name__)

MANAGE_SERVER = discord.Permissions(manage_guild=True)


class Progress:
    """Shows a job's stages in the interaction's deferred response.

    `stage` is called from the worker thread running the job: it schedules the edit on the event loop, at most
    one every `interval` seconds (Discord rate-limits edits). `finish` waits for the scheduled edits first, so
    none of them can land after, and overwrite, the final text.
    """

    def __init__(self, interaction: discord.Interaction, action: str, *, interval: float = 1.0) -> None:
        self.interaction = interaction
        self.action = action
        self.interval = interval
        self._loop = asyncio.get_running_loop()
        self._last = -math.inf
        self._edits: list[concurrent.futures.Future[discord.InteractionMessage]] = []

    def stage(self, text: str) -> None:
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        edit = self.interaction.edit_original_response(content=f"{self.action}: {text}…")
        self._edits.append(asyncio.run_coroutine_threadsafe(edit, self._loop))

    async def finish(self, text: str) -> None:
        results = await asyncio.gather(*(asyncio.wrap_future(e) for e in self._edits), return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                log.warning("a progress edit failed: %s", result)
        await say(self.interaction, text)


def byte_count(size: int) -> str:
    return f"{size:,} bytes"


def rejected(what: str, error: CorpusError) -> str:
    return "\n".join([f"Could not {what}; nothing was changed:", *(f"• {line}" for line in error.errors)])


def library_size(report: BuildReport) -> str:
    return f"The library now has {report.essays} essays ({report.passages} passages)."


class AdminCog(commands.Cog):
    essay = app_commands.Group(name="essay", description="Add or remove essays (Manage Server)",
                               default_permissions=MANAGE_SERVER, guild_only=True)

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot

    def _library(self, interaction: discord.Interaction[TutorBot]) -> Library:
        return self.bot.libraries.library(interaction.guild_id)

    @library_admin()
    @essay.command(name="add", description="Add an essay file (.txt, .md, .html, .pdf) to the library")
    @app_commands.describe(file="The essay", title="The title you expect (titles come from the file itself)")
    async def essay_add(self, interaction: discord.Interaction[TutorBot], file: discord.Attachment,
                        title: str | None = None) -> None:
        limit = self.bot.settings.max_essay_bytes
        if file.size > limit:  # checked before downloading anything
            await say(interaction, f"Could not add `{file.filename}`: it is {byte_count(file.size)}, above the "
                                   f"limit of {byte_count(limit)}. Nothing was changed.")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        name = Path(file.filename).name
        data = await file.read()
        progress = Progress(interaction, f"Adding `{name}`")
        try:
            change = await asyncio.to_thread(self._library(interaction).add, [(name, data)], on_stage=progress.stage)
        except CorpusError as exc:
            await progress.finish(rejected(f"add `{name}`", exc))
            return
        await progress.finish(self._added(change, title))

    def _added(self, change: Change, title: str | None) -> str:
        lines = []
        for essay in change.essays:
            line = f"Added **{essay.title}**" + (f" by {essay.author}" if essay.author else "") + f" (`{essay.id}`)."
            if title and title.strip().casefold() != essay.title.casefold():
                line += f" Its title comes from the file, so it is listed as above rather than as “{title.strip()}”."
            lines.append(line)
        return "\n".join([*lines, library_size(change.report)])

    @library_admin()
    @essay.command(name="remove", description="Remove an essay from the library")
    @app_commands.describe(essay="The essay to remove")
    @app_commands.autocomplete(essay=essay_autocomplete)
    async def essay_remove(self, interaction: discord.Interaction[TutorBot], essay: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        progress = Progress(interaction, f"Removing `{essay}`")
        try:
            change = await asyncio.to_thread(self._library(interaction).remove, essay, on_stage=progress.stage)
        except CorpusError as exc:
            await progress.finish(rejected(f"remove `{essay}`", exc))
            return
        removed = ", ".join(f"**{e.title}**" for e in change.essays)
        await progress.finish(f"Removed {removed}. {library_size(change.report)}")

    @library_admin()
    @app_commands.command(name="reindex", description="Rebuild the index from the essay files (Manage Server)")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def reindex(self, interaction: discord.Interaction[TutorBot]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        progress = Progress(interaction, "Rebuilding the index")
        try:
            report = await asyncio.to_thread(self._library(interaction).build, on_stage=progress.stage)
        except CorpusError as exc:
            await progress.finish(rejected("rebuild the index", exc))
            return
        if report.changed:
            await progress.finish(f"Index rebuilt in {report.seconds:.1f} s ({report.embedded} texts newly "
                                  f"embedded). {library_size(report)}")
        else:
            await progress.finish(f"The index was already up to date. {library_size(report)}")


async def setup(bot: TutorBot) -> None:
    servers = sorted(bot.libraries.admin_guild_ids)
    if not servers:
        log.info("ADMIN_GUILD_IDS is empty: essays are managed from the command line only")
        return
    await bot.add_cog(AdminCog(bot), guilds=[discord.Object(server) for server in servers])
