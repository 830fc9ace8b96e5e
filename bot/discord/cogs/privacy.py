"""What the bot keeps about people, and taking it back: `/forget` and CONVERSATION_RETENTION_DAYS.

`/forget` asks for a confirmation (a button only the member sees), then deletes everything the bot keeps that is
keyed to the member: the conversations they had with the tutor (turns and all), their words in conversations
shared with others (weekly threads, someone else's thread) with the tutor's replies to them, the threads the bot
opened for them, and any message of theirs still waiting for an answer. Other people's words stay. It says what
it deleted.

With CONVERSATION_RETENTION_DAYS set, conversations inactive for longer are deleted every hour (and at start-up),
by a `discord.ext.tasks` loop.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.discord.interactions import apologize

if TYPE_CHECKING:
    from bot.discord.client import TutorBot

log = logging.getLogger(__name__)

ASK = ("This deletes everything I keep about you, in every server and in DMs: your conversations with me, your "
       "words in weekly discussions and in threads shared with others (with my replies to them), the threads I "
       "opened for you (I will then answer there only when mentioned), and any message of yours still waiting "
       "for an answer. Other people's words stay. It cannot be undone.\n"
       "Your messages themselves are kept by Discord: delete them there if you want them gone too.")
CONFIRM_SECONDS = 120
NOTHING_DELETED = "Nothing was deleted."
TIMED_OUT = f"Nothing was deleted (no answer within {CONFIRM_SECONDS // 60} minutes). Run /forget again if you like."
DELETING = "Deleting…"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


class ConfirmForget(discord.ui.View):
    """Delete my data / Cancel, under the ephemeral question; only the member who asked can press them."""

    def __init__(self, cog: PrivacyCog, interaction: discord.Interaction[TutorBot]) -> None:
        super().__init__(timeout=CONFIRM_SECONDS)
        self.cog = cog
        self.asked = interaction

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        return interaction.user.id == self.asked.user.id

    @discord.ui.button(label="Delete my data", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction[TutorBot], button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content=DELETING, view=None)
        report = await self.cog.forget(interaction.user.id)
        await interaction.edit_original_response(content=report)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[TutorBot], button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content=NOTHING_DELETED, view=None)

    async def on_timeout(self) -> None:
        try:
            await self.asked.edit_original_response(content=TIMED_OUT, view=None)
        except discord.HTTPException:
            log.info("could not close the /forget question of user %s", self.asked.user.id)

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception,
                       item: discord.ui.Item[Any], /) -> None:
        await apologize(interaction, error)


class PrivacyCog(commands.Cog):
    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot
        self.retention_days = bot.settings.conversation_retention_days
        self._purger = tasks.loop(hours=1)(self.purge)

    async def cog_load(self) -> None:
        if self.retention_days is not None:
            self._purger.start()

    async def cog_unload(self) -> None:
        self._purger.cancel()

    @app_commands.command(name="forget", description="Delete everything the bot keeps about you (asks first)")
    async def forget_command(self, interaction: discord.Interaction[TutorBot]) -> None:
        await interaction.response.send_message(ASK, view=ConfirmForget(self, interaction), ephemeral=True)

    async def forget(self, user_id: int) -> str:
        """Delete what is keyed to `user_id` and say what was deleted."""
        for inbox in self.bot.inboxes.values():  # nothing of theirs may be written after the stores are cleared
            await inbox.forget(user_id)
        forgotten = await asyncio.to_thread(self.bot.conversations.store.forget_user, user_id)
        threads = await self.bot.threads.forget_user(user_id)
        waiting = await asyncio.to_thread(self.bot.pending.forget_user, user_id)
        log.info("forgot user %s: %s, %d threads, %d waiting messages", user_id, forgotten, len(threads), waiting)
        deleted = []
        if forgotten.conversations:
            them = "it" if forgotten.conversations == 1 else "them"
            deleted.append(f"{plural(forgotten.conversations, 'conversation')} with me, everything in {them}")
        if forgotten.shared:
            deleted.append(f"your words in {plural(forgotten.shared, 'conversation')} shared with others, with my "
                           "replies to them (their words stay)")
        if threads:
            deleted.append(f"the record of {plural(len(threads), 'thread')} I opened for you (I now answer there "
                           "only when mentioned)")
        if waiting:
            deleted.append(f"{plural(waiting, 'message')} of yours waiting for an answer")
        if not deleted:
            return "I had nothing stored about you, so there was nothing to delete."
        total = plural(forgotten.messages, "message")
        return (f"Done. I deleted {'; '.join(deleted)}. That was {total} of yours in all; I keep nothing else about "
                "you.")

    async def purge(self) -> None:
        """Delete the conversations inactive for more than CONVERSATION_RETENTION_DAYS (and what hangs on them)."""
        if self.retention_days is None:
            return
        cutoff = self.bot.clock() - timedelta(days=self.retention_days)
        try:
            purged = await asyncio.to_thread(self.bot.conversations.store.purge_before, cutoff)
            await self.bot.threads.remove(int(c) for c in purged if c.isdigit())
            stale = await asyncio.to_thread(self.bot.pending.purge_before, cutoff)
        except Exception:
            log.exception("retention: purging conversations older than %s failed", cutoff)
            return
        if purged or stale:
            log.info("retention: deleted %d conversations and %d waiting messages inactive since %s", len(purged),
                     stale, cutoff.isoformat(timespec="minutes"))


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(PrivacyCog(bot))
