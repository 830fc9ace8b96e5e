"""The Discord bot: a thin front end that turns Discord events into calls on the library and the tutor.

    run_bot(get_settings())          # what `python -m bot run` does; raises BotStartError with a one-line reason

Intents: guilds, guild messages, direct messages and message content. Message content is *privileged*: turn on
"Message Content Intent" on the bot's page of the Discord Developer Portal, or Discord refuses the connection
(without it the bot could not read the messages in its threads).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.corpus import CorpusError, EssayError
from bot.discord.cogs import EXTENSIONS
from bot.discord.interactions import apologize, say
from bot.discord.ratelimit import Cooldown
from bot.discord.threads import ConversationThreads
from bot.library import Library
from bot.retrieval.embedder import ModelLoadError
from bot.retrieval.store import IndexLoadError
from bot.state import ConversationStore
from bot.tutor.engine import Tutor
from bot.tutor.voice import LLMVoice

log = logging.getLogger(__name__)

ADMIN_ONLY = "Sorry, only members with the Manage Server permission can use this command."
PORTAL = "https://discord.com/developers/applications"


def utc_now() -> datetime:
    return datetime.now(UTC)


class BotStartError(Exception):
    """The bot could not start; the message says why in one line, for the user rather than a traceback."""


def bot_intents() -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True  # servers, channels and threads
    intents.guild_messages = True  # mentions and messages in the bot's threads
    intents.dm_messages = True
    intents.message_content = True  # privileged: the text of messages that do not mention the bot
    return intents


class TutorCommandTree(app_commands.CommandTree["TutorBot"]):
    async def on_error(self, interaction: discord.Interaction[TutorBot], error: app_commands.AppCommandError) -> None:
        """A refused permission check gets a polite answer; anything else is logged and apologised for."""
        if not isinstance(error, app_commands.MissingPermissions):
            await apologize(interaction, error)
            return
        try:
            await say(interaction, ADMIN_ONLY)
        except discord.HTTPException:
            log.warning("could not refuse interaction %s", interaction.id, exc_info=True)


class TutorBot(commands.Bot):
    """The tutor on Discord. `library` and `tutor` may be injected (tests); by default they come from `settings`."""

    tutor: Tutor  # set in setup_hook, like `threads`: creating them touches the disk
    threads: ConversationThreads

    def __init__(self, settings: Settings, *, library: Library | None = None, tutor: Tutor | None = None,
                 clock: Callable[[], datetime] = utc_now, **options: Any) -> None:
        super().__init__(command_prefix=commands.when_mentioned, help_command=None, intents=bot_intents(),
                         allowed_mentions=discord.AllowedMentions.none(), tree_cls=TutorCommandTree, **options)
        self.settings = settings
        self.library = library or Library(settings)
        self._given_tutor = tutor
        self.cooldown = Cooldown(settings.cooldown_seconds)
        self.clock = clock  # the weekly discussion's notion of now (tests move it)
        self.discussion_threads: set[int] = set()  # live weekly threads, kept by the discussion cog

    async def setup_hook(self) -> None:
        await asyncio.to_thread(self._prepare)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self._sync_commands()

    def _prepare(self) -> None:
        """Blocking start-up work: bring the index up to date with the corpus, load the model and the argument map
        (or the first question would wait for them), open the stores."""
        report = self.library.build()
        log.info("index: %d essays, %d passages%s", report.essays, report.passages,
                 " (rebuilt)" if report.changed else "")
        self.tutor = self._given_tutor or Tutor(self.library, ConversationStore(self.settings.database_path),
                                                voice=LLMVoice.from_settings(self.settings))
        if report.essays:
            self.library.search("warm up the embedding model", 1)
            self.tutor.thesis()
        self.threads = ConversationThreads(self.settings.database_path)

    async def _sync_commands(self) -> None:
        guild_id = self.settings.discord_guild_id
        if guild_id is None:
            synced = await self.tree.sync()
        else:
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        log.info("synced %d slash commands %s", len(synced), f"to server {guild_id}" if guild_id else "globally")

    async def on_ready(self) -> None:
        log.info("logged in as %s (id %s) in %d servers", self.user, self.user and self.user.id, len(self.guilds))

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: the conversation cog listens to messages itself."""


def run_bot(settings: Settings) -> None:
    """Run the bot until interrupted. Raises BotStartError (one line) when it cannot start."""
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise BotStartError("DISCORD_TOKEN is not set: add the bot's token to .env (see the README's Discord part)")
    bot = TutorBot(settings)
    try:
        bot.run(token, log_handler=None)
    except discord.LoginFailure:
        raise BotStartError(f"Discord rejected DISCORD_TOKEN: copy the token again from {PORTAL}") from None
    except discord.PrivilegedIntentsRequired:
        raise BotStartError(f"Discord refused the Message Content intent: turn it on at {PORTAL} (Bot, Privileged "
                            "Gateway Intents, Message Content Intent)") from None
    except (aiohttp.ClientConnectionError, discord.GatewayNotFound) as exc:
        raise BotStartError(f"could not reach Discord: {exc}") from None
    except (CorpusError, EssayError, IndexLoadError, ModelLoadError, OSError) as exc:
        raise BotStartError("; ".join(str(exc).splitlines())) from None
