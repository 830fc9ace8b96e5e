"""Which library (and tutor) serves a server, and which servers may change it.

Today one library serves every server, and the servers listed in ADMIN_GUILD_IDS own it: only there do
`/essay` and `/reindex` exist. Cogs never reach for a library directly; they ask this object with the server's id
(None for a DM), so one library per server can be added later by replacing this class alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.library import Library
from bot.tutor.engine import Tutor


class Libraries:
    def __init__(self, library: Library, tutor: Tutor, admin_guild_ids: Iterable[int]) -> None:
        self._library = library
        self._tutor = tutor
        self.admin_guild_ids = frozenset(admin_guild_ids)

    def library(self, guild_id: int | None) -> Library:
        """The library that server `guild_id` (None: a DM) reads."""
        return self._library

    def tutor(self, guild_id: int | None) -> Tutor:
        """The tutor over that server's library."""
        return self._tutor

    def refresh(self) -> bool:
        """Blocking: swap in builds that other processes made (`Library.refresh`) and prepare the tutor's view of a
        new one (argument map, catalog) at once, so the first question after the swap does not wait for it. True if
        anything was swapped."""
        if not self._library.refresh():
            return False
        _ = self._tutor.current  # loads the tutor's view of the new build
        return True

    def may_manage(self, guild_id: int | None) -> bool:
        """Whether `/essay` and `/reindex` may change the library from this server."""
        return guild_id is not None and guild_id in self.admin_guild_ids
