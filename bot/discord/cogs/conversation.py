"""Conversations with the tutor: `/ask`, a mention in a channel, and every message in the bot's threads and DMs.

A question asked in a server channel opens a thread started from the message that holds it, so the thread id
equals that message's id; that id is the conversation id from the first reply on, and the tutor's memory follows
the thread. In a thread or a DM the channel id is the conversation id.

Messages go through the inbox (`bot.discord.inbox`): a person's burst of messages in a conversation is answered
once, after the last, as one turn, and what they add while the reply is written is answered next. Mentions in a
channel are collected the same way per person and channel; their replies go on in the thread the first opened.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.corpus import CorpusError
from bot.discord.buttons import ReplyButton, reply_view
from bot.discord.conversations import Said
from bot.discord.inbox import Burst, Inbox
from bot.discord.interactions import APOLOGY, essay_autocomplete, say
from bot.discord.ratelimit import limited_notice
from bot.discord.render import draft_embed, reply_embed, thread_name
from bot.discord.streaming import Drafts
from bot.tutor.composer import Reply

if TYPE_CHECKING:
    from bot.discord.client import TutorBot

log = logging.getLogger(__name__)

ANSWERED_TYPES = (discord.MessageType.default, discord.MessageType.reply)  # not joins, pins, thread notices…
ARCHIVE_AFTER_MINUTES = 1440
THREADS_RELOAD_SECONDS = 60.0


class ConversationCog(commands.Cog):
    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot
        self.inbox = Inbox("conversation", bot, bot.pending, bot.rate_limit, quiet=bot.settings.burst_quiet_seconds,
                           answer=self._answer, serves=bot.serves)
        self._threads_reloader = tasks.loop(seconds=THREADS_RELOAD_SECONDS)(self._reload_threads)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ReplyButton)  # the buttons of replies sent before a restart keep working
        self.inbox.open(self._take, self.bot.inboxes)  # and the messages received just before it are answered
        self._threads_reloader.start()  # threads other processes opened or forgot (/forget run there)

    async def cog_unload(self) -> None:
        self._threads_reloader.cancel()
        self.bot.remove_dynamic_items(ReplyButton)
        await self.inbox.close()

    async def _reload_threads(self) -> None:
        try:
            await self.bot.threads.reload()
        except Exception:  # the loop must go on (a database restarting, say): the next minute tries again
            log.warning("could not re-read the thread registry", exc_info=True)

    # ---- /ask ------------------------------------------------------------------------------------------------
    @app_commands.command(name="ask", description="Ask about the essays: the tutor quotes them and asks you back")
    @app_commands.describe(question="Your question or claim about the essays", essay="Keep to one essay (optional)")
    @app_commands.autocomplete(essay=essay_autocomplete)
    async def ask(self, interaction: discord.Interaction[TutorBot], question: str, essay: str | None = None) -> None:
        await interaction.response.defer(thinking=True)
        await self.bot.rate_limit.wait_turn(  # a flood waits (the answer says so) and is answered when it lifts
            interaction.user.id, lambda seconds: interaction.edit_original_response(content=limited_notice(seconds)))
        home = self._home(interaction.channel)
        conversation_id = str(home or (await interaction.original_response()).id)
        drafts = self._drafts(interaction.guild_id,
                              lambda text: interaction.edit_original_response(embed=draft_embed(text, title=question)))
        try:
            reply = await self._reply(conversation_id, [Said(interaction.user.id, question)],
                                      guild_id=interaction.guild_id, essay=essay, drafts=drafts)
        except CorpusError as exc:  # an essay name that matches nothing
            await say(interaction, "\n".join(exc.errors))
            return
        except Exception:
            if drafts is not None and drafts.shown:  # no unchecked draft stays up beside the apology
                with suppress(discord.HTTPException):
                    await interaction.edit_original_response(embed=None)
            raise
        message = await interaction.edit_original_response(content=None, embed=reply_embed(reply, title=question),
                                                           view=reply_view(conversation_id))
        if home is None:
            await self._open_thread(message, question, interaction.user)

    # ---- messages --------------------------------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.type not in ANSWERED_TYPES:
            return
        if self._is_for_me(message) or await self._opened_elsewhere(message):
            self._take(message)

    async def _opened_elsewhere(self, message: discord.Message) -> bool:
        """A thread the bot opened that this process does not know: another process may have opened it as a
        conversation since this one started (the store says)."""
        channel, me = message.channel, self.bot.user
        return (isinstance(channel, discord.Thread) and me is not None and channel.owner_id == me.id
                and channel.id not in self.bot.discussion_threads and await self.bot.threads.knows(channel.id))

    def _take(self, message: discord.Message) -> None:
        """Into the inbox, keyed by the person and the conversation (or, for a mention, the channel)."""
        home = self._home(message.channel)
        key = ("conversation", home, message.author.id) if home else ("mention", message.channel.id,
                                                                       message.author.id)
        self.inbox.put(key, message)

    async def _answer(self, burst: Burst) -> None:
        """One reply to the burst, after its last message: in the conversation's thread or DM, or in a new thread
        started from a mention (where the rest of the busy spell goes on)."""
        first, last = burst.messages[0], burst.messages[-1]
        opened: int | None = burst.state.get("thread")
        home = self._home(last.channel) or opened
        conversation_id = str(home or first.id)
        said = [Said(m.author.id, self._without_my_mention(m.content)) for m in burst.messages]
        guild_id = last.guild.id if last.guild else None
        sent: discord.Message | None = None  # the reply, once posted (a streaming draft is posted early)

        async def show(embed: discord.Embed, view: discord.ui.View | None = None) -> None:
            nonlocal sent
            content = {"embed": embed} | ({"view": view} if view is not None else {})
            if sent is not None:
                sent = await sent.edit(allowed_mentions=discord.AllowedMentions.none(), **content)
            elif opened is not None:
                sent = await self._messageable(opened).send(**content)
            elif home is not None:
                sent = await last.reply(mention_author=False, **content)
            else:
                thread = await self._open_thread(first, "\n".join(s.text for s in said), first.author)
                if thread is not None:
                    burst.state["thread"] = thread.id
                sent = await (thread.send(**content) if thread is not None else last.reply(**content))

        try:
            async with last.channel.typing():
                reply = await self._reply(conversation_id, said, guild_id=guild_id,
                                          drafts=self._drafts(guild_id, lambda t: show(draft_embed(t))))
            await show(reply_embed(reply), reply_view(conversation_id))
        except Exception:  # any failure is logged and answered with an apology, never silence
            log.exception("answering messages %s failed (user %s, guild %s, channel %s)",
                          [m.id for m in burst.messages], last.author.id, last.guild and last.guild.id,
                          last.channel.id)
            if sent is not None:  # no unchecked draft stays up
                with suppress(discord.HTTPException):
                    await sent.delete()
            await self._send_apology(last)

    def _messageable(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.bot.get_channel(channel_id)
        return channel if isinstance(channel, discord.abc.Messageable) else self.bot.get_partial_messageable(
            channel_id)

    def _home(self, channel: discord.abc.Snowflake | None) -> int | None:
        """The id of a channel that holds one whole conversation (a thread or a DM); None for a channel where each
        question starts a conversation of its own. (A thread of the bot's may reach us as a bare channel id when
        it is archived and so not cached.)"""
        if channel is None:
            return None
        if isinstance(channel, discord.Thread | discord.DMChannel) or channel.id in self.bot.threads:
            return channel.id
        return None

    def _is_for_me(self, message: discord.Message) -> bool:
        """DMs and the bot's conversation threads get an answer to every message; elsewhere only a mention does
        (an explicit one: @everyone and @here do not count)."""
        if message.channel.id in self.bot.discussion_threads:
            return False  # the weekly discussion's cog answers there
        me = self.bot.user
        mentioned = me is not None and any(user.id == me.id for user in message.mentions)
        return message.guild is None or message.channel.id in self.bot.threads or mentioned

    def _without_my_mention(self, content: str) -> str:
        me = self.bot.user
        return content if me is None else re.sub(rf"<@!?{me.id}>", " ", content).strip()

    def _drafts(self, guild_id: int | None, show: Callable[[str], Awaitable[object]]) -> Drafts | None:
        """Streaming drafts, when the tutor speaks through an LLM."""
        return Drafts(show) if self.bot.libraries.tutor(guild_id).voice is not None else None

    async def _reply(self, conversation_id: str, said: list[Said], *, guild_id: int | None, essay: str | None = None,
                     drafts: Drafts | None = None) -> Reply:
        """The tutor's reply; with `drafts`, its text is shown as it streams in and the drafts are closed before
        this returns, so the caller's final edit comes last."""
        if drafts is None:
            return await self.bot.conversations.reply(conversation_id, said, guild_id=guild_id, essay=essay)
        try:
            return await self.bot.conversations.reply(conversation_id, said, guild_id=guild_id, essay=essay,
                                                      on_text=drafts.push)
        finally:
            await drafts.close()

    async def _open_thread(
        self, message: discord.Message, question: str, user: discord.abc.User
    ) -> discord.Thread | None:
        """Start the conversation's thread from `message` and add the asker to it (without a ping)."""
        try:
            thread = await message.create_thread(name=thread_name(question),
                                                 auto_archive_duration=ARCHIVE_AFTER_MINUTES)
        except discord.HTTPException:
            log.warning("could not open a thread from message %s in channel %s", message.id, message.channel.id,
                        exc_info=True)
            return None
        await self.bot.threads.add(thread.id, guild_id=thread.guild.id, user_id=user.id)
        try:
            await thread.add_user(user)
        except discord.HTTPException:
            log.warning("could not add user %s to thread %s", user.id, thread.id, exc_info=True)
        return thread

    @staticmethod
    async def _send_apology(message: discord.Message) -> None:
        try:
            await message.channel.send(APOLOGY)
        except discord.HTTPException:
            log.warning("could not apologise in channel %s", message.channel.id, exc_info=True)


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(ConversationCog(bot))
