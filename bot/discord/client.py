"""The Discord bot: a thin front end that turns Discord events into calls on the library and the tutor.

    run_bot(get_settings())          # what `python -m bot run` does; raises BotStartError with a one-line reason

Intents: guilds, guild messages, direct messages and message content. Message content is *privileged*: turn on
"Message Content Intent" on the bot's page of the Discord Developer Portal, or Discord refuses the connection
(without it the bot could not read the messages in its threads).

Shards: the bot is an `AutoShardedBot`. By default one process runs every shard Discord recommends; with
SHARD_COUNT and SHARD_IDS it runs just those shards, so several processes split the servers between them, sharing
the state (DATABASE_URL) and the index (INDEX_DIR). A server's events come on shard `(guild_id >> 22) % count`,
direct messages on shard 0; `TutorBot.serves` says whether this process runs a server's shard.
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
from bot.database import Database, DatabaseError, open_database
from bot.discord.cogs import EXTENSIONS
from bot.discord.conversations import Conversations
from bot.discord.inbox import Inbox
from bot.discord.interactions import apologize, refusal_for, say
from bot.discord.libraries import Libraries
from bot.discord.ratelimit import MINUTE, ReplyRateLimit
from bot.discord.threads import ThreadRegistry
from bot.library import Library
from bot.retrieval.embedder import ModelLoadError
from bot.retrieval.store import IndexLoadError
from bot.state import CommandGuildStore, ConversationStore, PendingStore, ThreadStore
from bot.tutor.engine import Tutor
from bot.tutor.voice import LLMVoice

log = logging.getLogger(__name__)

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
        """A refused check or an unknown command gets a polite answer; anything else is logged and apologised for."""
        refusal = refusal_for(error)
        if refusal is None:
            await apologize(interaction, error)
            return
        log.info("refused %s from user %s in guild %s: %s", (interaction.data or {}).get("name"),
                 interaction.user.id, interaction.guild_id, type(error).__name__)
        try:
            await say(interaction, refusal)
        except discord.HTTPException:
            log.warning("could not refuse interaction %s", interaction.id, exc_info=True)


class TutorBot(commands.AutoShardedBot):
    """The tutor on Discord. `library` and `tutor` may be injected (tests); by default they come from `settings`.

    Shared by the cogs: `database` (the state), `libraries` (which library and tutor serve a server, who may change
    it), `conversations` (tutor turns), `threads` (the bot's conversation threads), `pending` (messages not yet
    answered) and `rate_limit` (replies per user per minute; `rate_period` shortens the minute in tests), and
    `inboxes` (the cogs' messages not yet answered).
    """

    # set in setup_hook: creating them touches the disk or the database server
    database: Database
    libraries: Libraries
    conversations: Conversations
    threads: ThreadRegistry
    pending: PendingStore

    def __init__(self, settings: Settings, *, library: Library | None = None, tutor: Tutor | None = None,
                 clock: Callable[[], datetime] = utc_now, rate_period: float = MINUTE, **options: Any) -> None:
        shards = {"shard_count": settings.shard_count, "shard_ids": settings.shard_ids} if settings.shard_count else {}
        super().__init__(command_prefix=commands.when_mentioned, help_command=None, intents=bot_intents(),
                         allowed_mentions=discord.AllowedMentions.none(), tree_cls=TutorCommandTree, **shards,
                         **options)
        self.settings = settings
        self._library = library or Library(settings)
        self._given_tutor = tutor
        self.rate_limit = ReplyRateLimit(settings.replies_per_minute, rate_period)
        self.clock = clock  # the weekly discussion's and retention's notion of now (tests move it)
        self.discussion_threads: set[int] = set()  # live weekly threads, kept by the discussion cog
        self.inboxes: dict[str, Inbox] = {}  # each cog's inbox of messages not yet answered, by name

    def serves(self, guild_id: int | None) -> bool:
        """Whether this process runs the shard that carries `guild_id`'s events (None: DMs, which come on shard 0).
        Each process acts only for the servers it serves (weekly posts, messages held over a restart)."""
        if self.shard_ids is None or self.shard_count is None:
            return True
        return (0 if guild_id is None else (guild_id >> 22) % self.shard_count) in self.shard_ids

    async def setup_hook(self) -> None:
        await asyncio.to_thread(self._prepare)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.serves(None):
            await self._sync_commands()
        else:  # commands belong to the application, not to a shard: registering them once is enough
            log.info("slash commands are registered by the process that runs shard 0")

    def _prepare(self) -> None:
        """Blocking start-up work: bring the index up to date with the corpus, load the model and the argument map
        (or the first question would wait for them), open the stores."""
        library = self._library
        self.database = open_database(self.settings)
        log.info("state: %s (schema version %d); shards: %s", self.database.describe(),
                 self.database.schema_version(), self._shards())
        report = library.build()
        log.info("index: %d essays, %d passages%s", report.essays, report.passages,
                 " (rebuilt)" if report.changed else "")
        tutor = self._given_tutor or Tutor(library, ConversationStore(self.database),
                                           voice=LLMVoice.from_settings(self.settings))
        if report.essays:
            library.search("warm up the embedding model", 1)
            tutor.thesis()
        self.libraries = Libraries(library, tutor, self.settings.admin_guild_ids)
        self.conversations = Conversations(self.libraries, tutor.store)
        self.threads = ThreadRegistry(ThreadStore(self.database))
        self.pending = PendingStore(self.database)

    def _shards(self) -> str:
        if self.shard_ids is not None:
            return f"{', '.join(map(str, self.shard_ids))} of {self.shard_count}"
        return f"all {self.shard_count}" if self.shard_count else "all (as many as Discord recommends)"

    async def _sync_commands(self) -> None:
        """Global commands everywhere; the library's commands only in ADMIN_GUILD_IDS (registered there as server
        commands); with DISCORD_GUILD_ID, everything in that one server instead, at once. A server that had server
        commands from an earlier start and is no longer listed gets them taken back."""
        guilds = set(self.libraries.admin_guild_ids)
        dev_guild = self.settings.discord_guild_id
        if dev_guild is None:
            synced = await self.tree.sync()
            log.info("synced %d slash commands globally", len(synced))
        else:
            self.tree.copy_global_to(guild=discord.Object(dev_guild))
            guilds.add(dev_guild)
        store = CommandGuildStore(self.database)
        registered = set(await asyncio.to_thread(store.guilds))
        for guild_id in sorted(guilds | registered):
            try:
                synced = await self.tree.sync(guild=discord.Object(guild_id))
            except discord.Forbidden:
                log.warning("could not register commands in server %s: is the bot in it, invited with the "
                            "applications.commands scope? (ADMIN_GUILD_IDS / DISCORD_GUILD_ID)", guild_id)
                continue
            if guild_id in guilds:
                registered.add(guild_id)
                log.info("synced %d slash commands to server %s", len(synced), guild_id)
            else:
                registered.discard(guild_id)
                log.info("took back the server commands of server %s (no longer in ADMIN_GUILD_IDS)", guild_id)
        await asyncio.to_thread(store.replace, registered)

    async def on_ready(self) -> None:
        log.info("logged in as %s (id %s) in %d servers, shards %s", self.user, self.user and self.user.id,
                 len(self.guilds), self._shards())

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: the cogs listen to messages themselves."""


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
    except (CorpusError, EssayError, IndexLoadError, ModelLoadError, DatabaseError, OSError) as exc:
        raise BotStartError("; ".join(str(exc).splitlines())) from None
