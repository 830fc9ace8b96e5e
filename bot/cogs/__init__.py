"""The bot's features, one cog each: conversations (`/ask`, threads, DMs), the library (`/essays`, `/thesis`) and
administration (`/essay add|remove`, `/reindex`). Cogs only translate between Discord and the core."""
