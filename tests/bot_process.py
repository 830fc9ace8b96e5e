"""A real bot process on the fake Discord, for the tests of several processes (tests/test_discord_scale.py).

    FAKE_DISCORD_URL=http://127.0.0.1:PORT BOT_PROCESS_NAME=p0 DISCORD_TOKEN=… DATABASE_URL=… SHARD_COUNT=2 \\
        SHARD_IDS=0 python -m tests.bot_process

Runs `TutorBot` exactly as `python -m bot run` does, from the settings in the environment, with discord.py pointed
at the fake (as `FakeDiscord.patch_discord` does in-process) and the process's name in the User-Agent of its
requests, so a test can tell which process did what. Logs go to stderr.
"""

from __future__ import annotations

import logging
import os
import sys

import discord
import yarl

from bot.config import Settings
from bot.discord.client import TutorBot


def main() -> None:
    url, name = os.environ["FAKE_DISCORD_URL"], os.environ["BOT_PROCESS_NAME"]
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format=f"%(asctime)s {name} %(levelname)s %(name)s: %(message)s")
    for noisy in ("discord.gateway", "discord.client", "discord.http", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("bot.discord.cogs.discussion").setLevel(logging.DEBUG)  # "another process is acting"
    discord.http.Route.BASE = f"{url}/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url.replace("http://", "ws://") + "/")
    settings = Settings(_env_file=None)
    bot = TutorBot(settings, guild_ready_timeout=0.05)
    bot.http.user_agent += f" bot-process/{name}"
    assert settings.discord_token is not None
    bot.run(settings.discord_token.get_secret_value(), log_handler=None)


if __name__ == "__main__":
    main()
