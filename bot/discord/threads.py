"""Which Discord threads are tutor conversations, so the bot answers every message there without a mention.

Kept in a table of the conversation database (DATABASE_PATH), so a restarted bot still knows its threads, and
mirrored in memory, so the check made for every incoming message needs no disk access. Blocking: construct and
`add` from a worker thread in async code.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.sqlite import SQLiteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS discord_threads (
    thread_id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
"""


class ConversationThreads(SQLiteStore):
    schema = _SCHEMA

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        with self._connect() as db:
            self._ids = {row[0] for row in db.execute("SELECT thread_id FROM discord_threads")}

    def __contains__(self, thread_id: object) -> bool:
        return thread_id in self._ids

    def add(self, thread_id: int, *, guild_id: int, user_id: int) -> None:
        """Remember a thread the bot opened for `user_id`'s conversation."""
        self._ids.add(thread_id)
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO discord_threads VALUES (?, ?, ?, ?)",
                       (thread_id, guild_id, user_id, datetime.now(UTC).isoformat(timespec="seconds")))
