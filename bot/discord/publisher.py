"""The weekly discussion's `Publisher` on Discord: send the opening post, find it again, read, close and nudge."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.discord.render import DESCRIPTION_LIMIT, TUTOR_COLOUR, fit, summary_embed, trim
from bot.discussion.posts import Opening
from bot.discussion.summary import Contribution

if TYPE_CHECKING:
    from bot.discord.client import TutorBot

FOOTER = "Weekly discussion · {week}"
SEARCH_DEPTH = 50  # how far back in the channel a restart looks for an opening post it may already have sent
ONE_WEEK_MINUTES = 10080
QUESTION_FIELD = "Your turn"
WEEKLY_SUMMARY = "This week's discussion, summed up"


def opening_embed(opening: Opening) -> discord.Embed:
    embed = discord.Embed(title=opening.title, description=trim(opening.text(), DESCRIPTION_LIMIT),
                          colour=TUTOR_COLOUR)
    embed.set_footer(text=FOOTER.format(week=opening.week_key))
    return fit(embed)


class DiscordPublisher:
    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
        assert isinstance(channel, discord.abc.Messageable)
        return channel

    async def find_post(self, channel_id: int, week_key: str) -> tuple[int, int | None] | None:
        channel = await self._channel(channel_id)
        footer = FOOTER.format(week=week_key)
        async for message in channel.history(limit=SEARCH_DEPTH):
            if self.bot.user and message.author.id == self.bot.user.id and any(
                e.footer.text == footer for e in message.embeds
            ):
                thread = message.thread or await self._open_thread(message, message.embeds[0].title or week_key)
                return message.id, thread.id
        return None

    async def publish(self, channel_id: int, opening: Opening) -> tuple[int, int | None]:
        channel = await self._channel(channel_id)
        message = await channel.send(embed=opening_embed(opening))
        thread = await self._open_thread(message, opening.thread_name)
        return message.id, thread.id

    async def _open_thread(self, message: discord.Message, name: str) -> discord.Thread:
        return await message.create_thread(name=name[:100], auto_archive_duration=ONE_WEEK_MINUTES)

    async def contributions(self, thread_id: int) -> tuple[list[Contribution], list[str]]:
        thread = await self._channel(thread_id)
        people: list[Contribution] = []
        asked: list[str] = []
        async for message in thread.history(limit=None, oldest_first=True):
            if self.bot.user and message.author.id == self.bot.user.id:
                asked += [f.value.strip("*") for e in message.embeds for f in e.fields if f.name == QUESTION_FIELD]
                if not message.embeds and message.content.endswith("?"):
                    asked.append(message.content)  # a nudge
            elif not message.author.bot and message.content.strip():
                people.append(Contribution(message.author.display_name, message.content))
        return people, asked

    async def close(self, thread_id: int, summary: str) -> None:
        thread = await self._channel(thread_id)
        assert isinstance(thread, discord.Thread)
        await thread.send(embed=summary_embed(WEEKLY_SUMMARY, summary))
        await thread.edit(locked=True, archived=True)

    async def nudge(self, thread_id: int, question: str) -> None:
        thread = await self._channel(thread_id)
        await thread.send(question)
