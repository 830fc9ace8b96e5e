"""The bot's features, one cog each, loaded by name as discord.py extensions (the client never imports them, so
there is no cycle between the client and the cogs). Cogs only translate between Discord and the core."""

#: Loaded in this order by `TutorBot.setup_hook`; each module has an `async def setup(bot)`.
EXTENSIONS = (
    "bot.discord.cogs.conversation",  # /ask, mentions, the bot's threads and DMs, the reply buttons
    "bot.discord.cogs.essays",  # /essays, /thesis
    "bot.discord.cogs.admin",  # /essay add|remove, /reindex (only in ADMIN_GUILD_IDS servers)
    "bot.discord.cogs.discussion",  # the weekly discussion
    "bot.discord.cogs.privacy",  # /forget, and purging old conversations (CONVERSATION_RETENTION_DAYS)
    "bot.discord.cogs.refresh",  # swapping in index builds that other processes made (INDEX_REFRESH_SECONDS)
)
