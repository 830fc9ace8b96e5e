"""Where the bot's state lives: one SQLite file (DATABASE_PATH, the default) or a PostgreSQL server
(DATABASE_URL=postgresql://…), behind one small API that the stores in `bot.state` and `bot.discussion.store` use.

    database = open_database(settings)            # or a path, or "postgresql://user@host/db"
    with database.transaction() as db:             # one transaction: committed at the end, rolled back on error
        db.execute("INSERT INTO t (a, b) VALUES (?, ?)", (1, "x"))
    with database.lock("discussion:42"):           # held across processes (see `Lock`)
        ...

SQL is written once, with `?` placeholders, in what both dialects share (`ON CONFLICT … DO NOTHING` and `DO UPDATE`,
`TRUE` and `FALSE`); only the schema differs, and it lives in versioned migration files
(`bot/database/migrations/<dialect>/V<n>__<name>.sql`) applied when a database is opened (`migrations.py`).

Rows come back as tuples of plain values on both backends: ISO 8601 text for timestamps and JSON text for JSON
columns (PostgreSQL's own types are converted), so the stores read them the same way. Blocking: call from a worker
thread in async code.
"""

from __future__ import annotations

import sys
import threading
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from bot.database.base import Connection, Database, DatabaseError, Lock

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = ["Connection", "Database", "DatabaseError", "Lock", "Store", "is_postgres_url", "open_database"]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")

_open: dict[str, Database] = {}  # PostgreSQL: one pool per server URL and process
_opening = threading.Lock()


def is_postgres_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(POSTGRES_SCHEMES)


def open_database(target: Settings | Database | Path | str) -> Database:
    """The database `target` names, created or migrated to the current schema on first use.

    `target`: the settings (DATABASE_URL if set, else DATABASE_PATH), an open `Database`, a PostgreSQL URL, or the
    path of an SQLite file. A PostgreSQL database is opened once per process (its connection pool is shared by every
    store); an SQLite file is cheap to open, so each call gets its own handle."""
    if isinstance(target, Database):
        return target
    if not isinstance(target, (str, Path)):  # the settings
        url = target.database_url.get_secret_value() if target.database_url else None
        target = url or target.database_path
    if is_postgres_url(target):
        from bot.database.postgres import PostgresDatabase  # psycopg is only imported when it is used

        url = str(target)
        with _opening:
            database = _open.get(url)
            if database is None or database.closed:
                database = _open[url] = PostgresDatabase(url)
            return database
    from bot.database.sqlite import SQLiteDatabase

    return SQLiteDatabase(Path(target))


class Store:
    """Base of the stores: their database (opened, so migrated, on construction: call it from a worker thread in
    async code), and this process's writes to it one at a time."""

    def __init__(self, database: Settings | Database | Path | str) -> None:
        self.database = open_database(database)
        self._lock = threading.Lock()

    def _connect(self) -> AbstractContextManager[Connection]:
        return self.database.transaction()


def close_databases() -> None:
    """Close every PostgreSQL pool this process opened (tests use it; at exit they close themselves)."""
    with _opening:
        _open.clear()
    postgres = sys.modules.get("bot.database.postgres")  # never imported: nothing to close
    for database in list(postgres.OPENED) if postgres else []:
        database.close()
