"""The Discord front end: the bot (`client`), one cog per feature (`cogs/`), and the helpers they share (rendering,
buttons, streaming, interactions, the thread registry, rate limiting, the inbox of incoming messages).

Nothing here is imported by the core. Inside this package `import discord` is the discord.py library: imports
are absolute, and `bot.discord` is only ever imported as a submodule of `bot`.
"""
