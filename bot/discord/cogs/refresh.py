"""One library for all processes: every INDEX_REFRESH_SECONDS, swap in a build that another process made.

Bot processes (shards) and the CLI share INDEX_DIR. When one of them changes the library (`/essay add` in an admin
server, `python -m bot index add`), it points INDEX_DIR/CURRENT at a new build; every other process notices at its
next check (one small file read, in a worker thread) and loads the build in the background, answering from the old
one until the new one is ready: no restart, and no question fails during the swap. A build that cannot be loaded is
logged and tried again at the next check.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from discord.ext import commands, tasks

from bot.retrieval.store import IndexLoadError

if TYPE_CHECKING:
    from bot.discord.client import TutorBot

log = logging.getLogger(__name__)


class RefreshCog(commands.Cog):
    def __init__(self, bot: TutorBot) -> None:
        self.bot = bot
        self._checker = tasks.loop(seconds=bot.settings.index_refresh_seconds)(self.check)
        self._failed = ""  # the last error logged, so that a broken build is reported once, not every few seconds

    async def cog_load(self) -> None:
        self._checker.start()

    async def cog_unload(self) -> None:
        self._checker.cancel()

    async def check(self) -> bool:
        """Swap in another process's build if CURRENT names one; True if it did."""
        try:
            swapped = await asyncio.to_thread(self.bot.libraries.refresh)
        except Exception as exc:  # the loop must go on: the next check may find a good build
            if str(exc) != self._failed:
                log.warning("could not load the index build another process made (keeping the loaded one): %s", exc,
                            exc_info=not isinstance(exc, IndexLoadError | OSError))
                self._failed = str(exc)
            return False
        self._failed = ""
        if swapped:
            essays = self.bot.libraries.library(None).essays()
            log.info("swapped in the index build another process made: %d essays", len(essays))
        return swapped


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(RefreshCog(bot))
