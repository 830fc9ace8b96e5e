"""The weekly discussion on Discord: `/discussion set|status|preview|now|off`, the scheduler, and taking part.

The decisions live in `bot.discussion.service`; this cog turns commands and messages into calls on it. In a
week's thread the bot answers people with the tutor (the thread is the conversation, focused on the week's
essay) without drowning them: the thread's messages go through an inbox keyed by the thread, so a burst from
everyone gets one reply once the thread has been quiet for DISCUSSION_BATCH_SECONDS, while a mention of the bot
or a reply to it is answered at once. The bot never answers itself or other bots.
"""

from __future__ import annotations

import asyncio
import logging
import zoneinfo
from datetime import datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.discord.conversations import Said
from bot.discord.inbox import Burst, Inbox
from bot.discord.interactions import manage_server, say
from bot.discord.publisher import DiscordPublisher, opening_embed
from bot.discord.render import reply_embed
from bot.discussion.schedule import WEEKDAYS, Schedule, ScheduleError, parse_time, parse_timezone
from bot.discussion.service import BUSY, WeeklyDiscussion
from bot.discussion.store import DiscussionStore

if TYPE_CHECKING:
    from bot.discord.client import TutorBot

log = logging.getLogger(__name__)
MANAGE_SERVER = discord.Permissions(manage_guild=True)
WEEKDAY_CHOICES = [app_commands.Choice(name=day.capitalize(), value=number) for number, day in enumerate(WEEKDAYS)]


class DiscussionCog(commands.Cog):
    discussion = app_commands.Group(name="discussion", description="The weekly discussion thread (Manage Server)",
                                    default_permissions=MANAGE_SERVER, guild_only=True)

    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot
        self.clock = bot.clock
        self.store = DiscussionStore(bot.database)
        self.service = WeeklyDiscussion(bot.libraries.tutor, self.store, DiscordPublisher(bot))
        self.inbox = Inbox("discussion", bot, bot.pending, bot.rate_limit,
                           quiet=bot.settings.discussion_batch_seconds, answer=self._answer, serves=bot.serves)
        self._ticker = tasks.loop(seconds=bot.settings.discussion_tick_seconds)(self._tick)

    async def cog_load(self) -> None:
        await self._refresh_threads()
        self._ticker.start()
        self.inbox.open(self._take, self.bot.inboxes)

    async def _refresh_threads(self) -> None:
        """Keep the bot's in-memory set of live discussion threads in step with the store."""
        live = await asyncio.to_thread(self.store.thread_ids)
        self.bot.discussion_threads.clear()
        self.bot.discussion_threads.update(live)

    async def cog_unload(self) -> None:
        self._ticker.cancel()
        await self.inbox.close()

    # ---- the scheduler ---------------------------------------------------------------------------------------
    async def _tick(self) -> None:
        """Every minute (and at start-up, which catches up a missed post): whatever is due in each server this
        process serves (the servers on its shards; other processes serve the rest)."""
        await self.bot.wait_until_ready()
        for guild_id in await asyncio.to_thread(self.store.enabled_guilds):
            if not self.bot.serves(guild_id):
                continue
            try:
                outcome = await self.service.tick(guild_id, self.clock())
            except Exception:
                log.exception("weekly discussion tick failed for guild %s", guild_id)
                continue
            if outcome == BUSY:
                log.debug("weekly discussion, guild %s: another process is acting for it", guild_id)
            elif outcome != "waiting":
                log.info("weekly discussion, guild %s: %s", guild_id, outcome)
        await self._refresh_threads()  # also the weeks another process (an overlapping one) opened

    # ---- commands --------------------------------------------------------------------------------------------
    @manage_server()
    @discussion.command(name="set", description="Open a discussion thread every week in a channel")
    @app_commands.describe(channel="Where to post", weekday="Day of the week", time="Local time, 24-hour HH:MM",
                           timezone="IANA timezone, e.g. Europe/Berlin")
    @app_commands.choices(weekday=WEEKDAY_CHOICES)
    async def set_schedule(self, interaction: discord.Interaction[TutorBot], channel: discord.TextChannel,
                           weekday: app_commands.Choice[int], time: str, timezone: str = "UTC") -> None:
        assert interaction.guild_id is not None
        try:
            schedule = Schedule(interaction.guild_id, channel.id, weekday.value, parse_time(time),
                                parse_timezone(timezone))
        except ScheduleError as exc:
            await say(interaction, f"Nothing was changed: {exc}.")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        await asyncio.to_thread(self.store.set_schedule, schedule, self.clock())
        status = await self.service.status(interaction.guild_id, self.clock())
        await say(interaction, f"Weekly discussion set: {schedule.describe()} in {channel.mention}. "
                               + (self._when(status.next_post, schedule) if status else ""))

    @set_schedule.autocomplete("timezone")
    async def _timezones(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        wanted = current.strip().lower()
        names = sorted(z for z in zoneinfo.available_timezones() if wanted in z.lower())
        return [app_commands.Choice(name=z, value=z) for z in names[:25]]

    @manage_server()
    @discussion.command(name="status", description="Show the schedule, the next post and its topic")
    async def status(self, interaction: discord.Interaction[TutorBot]) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        status = await self.service.status(interaction.guild_id, self.clock())
        if status is None:
            await say(interaction, "No weekly discussion is scheduled. Set one with /discussion set.")
            return
        topic = status.next_topic.text if status.next_topic else "none (the library has no essays)"
        await say(interaction, f"Every week {status.schedule.describe()} in <#{status.schedule.channel_id}>.\n"
                               f"{self._when(status.next_post, status.schedule)}\nNext topic: {topic}")

    @staticmethod
    def _when(moment: datetime, schedule: Schedule) -> str:
        local = moment.astimezone(schedule.zone)
        stamp = int(moment.timestamp())
        return f"Next post: {local:%A %d %B %Y, %H:%M} {schedule.timezone} (<t:{stamp}:F>, <t:{stamp}:R>)."

    @manage_server()
    @discussion.command(name="preview", description="See next week's opening post (only you)")
    async def preview(self, interaction: discord.Interaction[TutorBot]) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        opening = await self.service.preview(interaction.guild_id, self.clock())
        if opening is None:
            await say(interaction, "There is nothing to discuss yet: the library has no essays.")
            return
        await interaction.followup.send(content=f"Thread: {opening.thread_name}", embed=opening_embed(opening),
                                        ephemeral=True)

    @manage_server()
    @discussion.command(name="now", description="Post the next discussion now (closing the current one)")
    async def now(self, interaction: discord.Interaction[TutorBot]) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.service.post_now(interaction.guild_id, self.clock())
        await self._refresh_threads()
        if outcome == "no schedule":
            await say(interaction, "Set a channel first with /discussion set.")
            return
        if outcome == BUSY:
            await say(interaction, "Another process of the bot is posting this server's discussion right now, so "
                                   "nothing was changed. Check the channel, then try again in a minute if need be.")
            return
        await say(interaction, f"Done: {outcome}.")

    @manage_server()
    @discussion.command(name="off", description="Stop the weekly discussion")
    async def off(self, interaction: discord.Interaction[TutorBot]) -> None:
        assert interaction.guild_id is not None
        stopped = await asyncio.to_thread(self.store.disable, interaction.guild_id)
        await say(interaction, "The weekly discussion is off." if stopped else "No weekly discussion was scheduled.")

    # ---- taking part -----------------------------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.channel.id not in self.bot.discussion_threads or not message.content.strip():
            return
        self._take(message)
        await asyncio.to_thread(self.store.touch, message.channel.id, self.clock())

    def _take(self, message: discord.Message) -> None:
        self.inbox.put(message.channel.id, message, now=self._addressed(message))

    def _addressed(self, message: discord.Message) -> bool:
        me = self.bot.user
        replied = message.reference is not None and isinstance(message.reference.resolved, discord.Message) and (
            message.reference.resolved.author == me)
        return bool(me and (me in message.mentions or replied))

    async def _answer(self, burst: Burst) -> None:
        """One reply to everything said in the thread since the last, focused on the week's essay."""
        thread_id = burst.key
        assert isinstance(thread_id, int)
        guild_id = burst.last.guild.id if burst.last.guild else None
        post = await asyncio.to_thread(self.store.post_for_thread, thread_id)
        claim = self.service.claim_of(post) if post is not None else None
        try:
            reply = await self.bot.conversations.reply(
                f"discussion:{thread_id}", [Said(m.author.id, m.content) for m in burst.messages],
                guild_id=guild_id, essay=claim.essay_id if claim else None)
            await burst.last.reply(embed=reply_embed(reply), mention_author=False)
        except Exception:
            log.exception("could not answer in discussion thread %s", thread_id)


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(DiscussionCog(bot))
