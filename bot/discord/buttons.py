"""The buttons under every tutor reply: Another angle, Sources, End.

They must keep working after a restart, when the bot no longer has the view objects it sent. So each button is a
`DynamicItem`: its custom_id carries the action and the conversation id (``tutor:angle:1234``), and the class,
registered by the conversation cog when it loads, rebuilds the button from any matching click.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.interactions import apologize, say, send_embeds
from bot.discord.ratelimit import limited_notice
from bot.discord.render import passage_embeds, reply_embed, summary_embed
from bot.discussion.summary import conversation_text

if TYPE_CHECKING:
    from bot.discord.client import TutorBot

GOODBYE = "Conversation ended. Thanks for thinking it through! Use /ask, or mention me, to start a new one."
SUMMED_UP = "Your conversation, summed up"
NO_SOURCES = "The last reply in this conversation quoted no passages."


async def conversation_channel(
    interaction: discord.Interaction[TutorBot], conversation_id: str
) -> discord.abc.Messageable:
    """Where the conversation goes on: its thread when it has one (a click under the reply that opened the thread,
    in the parent channel, continues in the thread), else the channel of the click."""
    bot, thread_id = interaction.client, int(conversation_id)
    if thread_id in bot.threads and interaction.channel_id != thread_id:
        thread = bot.get_channel(thread_id) or await bot.fetch_channel(thread_id)
        if isinstance(thread, discord.Thread):
            return thread
    if not isinstance(interaction.channel, discord.abc.Messageable):  # a click comes from a message's channel
        raise TypeError(f"cannot post in channel {interaction.channel_id}")
    return interaction.channel


async def another_angle(interaction: discord.Interaction[TutorBot], conversation_id: str) -> None:
    """A new counter-question, of a different Socratic move, on the same point (a reply: it counts against the
    flood limit, and over it waits, saying so privately)."""
    bot = interaction.client
    await interaction.response.defer()
    await bot.rate_limit.wait_turn(
        interaction.user.id, lambda seconds: interaction.followup.send(limited_notice(seconds), ephemeral=True))
    reply = await bot.conversations.another_angle(conversation_id, guild_id=interaction.guild_id)
    channel = await conversation_channel(interaction, conversation_id)
    await channel.send(embed=reply_embed(reply), view=reply_view(conversation_id))


async def sources(interaction: discord.Interaction[TutorBot], conversation_id: str) -> None:
    """The full passages behind the last reply's quotes, shown only to whoever clicked."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    passages = await interaction.client.conversations.sources(conversation_id, guild_id=interaction.guild_id)
    if passages:
        await send_embeds(interaction, passage_embeds(passages), ephemeral=True)
    else:
        await say(interaction, NO_SOURCES)


async def end(interaction: discord.Interaction[TutorBot], conversation_id: str) -> None:
    """Close the conversation: disable these buttons, post its summary, archive the bot's thread."""
    await interaction.response.edit_message(view=reply_view(conversation_id, disabled=True))
    summary = await interaction.client.conversations.end(
        conversation_id, guild_id=interaction.guild_id, names=lambda ids: display_names(interaction, ids),
        default=interaction.user.display_name)
    channel = await conversation_channel(interaction, conversation_id)
    await channel.send(embed=summary_embed(SUMMED_UP, conversation_text(summary), footer=GOODBYE))
    if isinstance(channel, discord.Thread) and channel.id in interaction.client.threads:
        await channel.edit(archived=True)


async def display_names(interaction: discord.Interaction[TutorBot], user_ids: set[int]) -> dict[int, str]:
    """The display names of these users (in the server, if cached), for a summary that names without pinging;
    a user Discord no longer knows is left out (and shown as the default)."""
    names = {interaction.user.id: interaction.user.display_name}
    for user_id in user_ids - names.keys():
        user = (interaction.guild and interaction.guild.get_member(user_id)) or interaction.client.get_user(user_id)
        if user is None:
            try:
                user = await interaction.client.fetch_user(user_id)
            except discord.HTTPException:
                continue
        names[user_id] = user.display_name
    return names


Action = Callable[["discord.Interaction[TutorBot]", str], Awaitable[None]]
#: custom_id action -> (label, style, what a click does); the order is the order of the buttons.
ACTIONS: dict[str, tuple[str, discord.ButtonStyle, Action]] = {
    "angle": ("Another angle", discord.ButtonStyle.primary, another_angle),
    "sources": ("Sources", discord.ButtonStyle.secondary, sources),
    "end": ("End", discord.ButtonStyle.danger, end),
}


TEMPLATE = r"tutor:(?P<action>angle|sources|end):(?P<conversation>\d+)"


class ReplyButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    def __init__(self, action: str, conversation_id: str, *, disabled: bool = False) -> None:
        label, style, _ = ACTIONS[action]
        super().__init__(discord.ui.Button(label=label, style=style, disabled=disabled,
                                           custom_id=f"tutor:{action}:{conversation_id}"))
        self.action = action
        self.conversation_id = conversation_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReplyButton:
        return cls(match["action"], match["conversation"])

    async def callback(self, interaction: discord.Interaction[TutorBot]) -> None:  # type: ignore[override]
        try:
            await ACTIONS[self.action][2](interaction, self.conversation_id)
        except Exception as error:  # any failure is logged and answered with an apology, never silence
            await apologize(interaction, error)


def reply_view(conversation_id: str, *, disabled: bool = False) -> discord.ui.View:
    """The three buttons for a conversation; a persistent view (no timeout)."""
    view = discord.ui.View(timeout=None)
    for action in ACTIONS:
        view.add_item(ReplyButton(action, conversation_id, disabled=disabled))
    return view
