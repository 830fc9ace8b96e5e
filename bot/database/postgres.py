"""The PostgreSQL backend (DATABASE_URL=postgresql://…): psycopg 3 with a connection pool shared by every store of
the process; cross-process locks are advisory locks.

Statements use `?` placeholders like SQLite's and are translated once each. Rows are tuples of plain values like
SQLite's: TIMESTAMPTZ comes back as ISO 8601 text in UTC, JSON and JSONB as their text.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import RowMaker
from psycopg.types.string import TextLoader
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.database.base import Cursor, Database, DatabaseError
from bot.database.migrations import upgrade

log = logging.getLogger(__name__)

#: Connections per process: the worker threads that run blocking store calls (asyncio's default executor has
#: min(32, cores + 4)) plus the few held by locks.
POOL_SIZE = 10
CONNECT_TIMEOUT = 10  # seconds, to reach the server
WAIT_TIMEOUT = 30.0  # seconds a store call waits for a free connection
SCHEMA_TABLE = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"""
MIGRATION_LOCK = "schema-migrations"
OPENED: weakref.WeakSet[PostgresDatabase] = weakref.WeakSet()  # for `close_databases`


def lock_key(name: str) -> int:
    """The 64-bit advisory-lock key of a lock name (stable across processes and versions)."""
    digest = hashlib.blake2b(f"socratic-tutor:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def describe_url(url: str) -> str:
    """`PostgreSQL tutor on db.example:5432 as bot`: the URL without its password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "PostgreSQL (DATABASE_URL cannot be parsed)"
    host = parts.get("host") or "localhost"
    where = f"{host}:{parts['port']}" if parts.get("port") else host
    user = f" as {parts['user']}" if parts.get("user") else ""
    return f"PostgreSQL {parts.get('dbname') or parts.get('user') or ''} on {where}{user}".replace("  ", " ")


@lru_cache(maxsize=512)
def _placeholders(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


def _plain_rows(cursor: psycopg.Cursor[Any]) -> RowMaker[tuple[Any, ...]]:
    def row(values: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v for v in values)

    return row


def _configure(connection: psycopg.Connection[Any]) -> None:
    connection.row_factory = _plain_rows  # type: ignore[assignment]
    for name in ("json", "jsonb"):
        connection.adapters.register_loader(name, TextLoader)


class Translated:
    """A psycopg connection that takes the stores' `?` placeholders."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        if not params:
            return self.connection.execute(sql)  # type: ignore[return-value]
        return self.connection.execute(_placeholders(sql), params)  # type: ignore[return-value]

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:
            with self.connection.cursor() as cursor:
                cursor.executemany(_placeholders(sql), rows)


class AdvisoryLock:
    """A session-level advisory lock, on a connection taken from the pool (in autocommit, so no transaction stays
    open) for as long as it is held. A dead process's connection closes, and the server releases its locks."""

    def __init__(self, pool: ConnectionPool, name: str) -> None:
        self.name = name
        self.key = lock_key(name)
        self._pool = pool
        self._connection: psycopg.Connection[Any] | None = None

    def acquire(self, *, wait: bool = True) -> bool:
        connection = self._pool.getconn(timeout=WAIT_TIMEOUT)
        try:
            connection.autocommit = True
            if wait:
                connection.execute("SELECT pg_advisory_lock(%s)", (self.key,))
                held = True
            else:
                held = bool(connection.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()[0])
        except BaseException:
            self._give_back(connection)
            raise
        if not held:
            self._give_back(connection)
            return False
        self._connection = connection
        return True

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
        finally:
            self._give_back(connection)

    def _give_back(self, connection: psycopg.Connection[Any]) -> None:
        with contextlib.suppress(psycopg.Error):  # a broken connection: the pool discards it
            connection.autocommit = False
        self._pool.putconn(connection)

    def __enter__(self) -> AdvisoryLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class PostgresDatabase(Database):
    dialect = "postgresql"

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE) -> None:
        self.url = url
        self._where = describe_url(url)
        with self._reporting("connect to"):
            self._migrate()
            self._pool = ConnectionPool(url, min_size=1, max_size=pool_size, configure=_configure,
                                        check=ConnectionPool.check_connection, timeout=WAIT_TIMEOUT,
                                        kwargs={"connect_timeout": CONNECT_TIMEOUT}, name="state", open=True)
        try:
            self._pool.wait(timeout=CONNECT_TIMEOUT)
        except PoolTimeout:
            self._pool.close()
            raise DatabaseError(f"cannot connect to {self._where}: no connection within {CONNECT_TIMEOUT} s") from None
        OPENED.add(self)
        atexit.register(self.close)

    @contextmanager
    def transaction(self) -> Iterator[Translated]:
        with self._reporting("use"), self._pool.connection() as connection:  # commits at the end of the block
            yield Translated(connection)

    def lock(self, name: str) -> AdvisoryLock:
        return AdvisoryLock(self._pool, name)

    def describe(self) -> str:
        return self._where

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._pool.close()

    @contextmanager
    def _reporting(self, doing: str) -> Iterator[None]:
        """Connection failures as one DatabaseError line that names the server (never the password)."""
        try:
            yield
        except (psycopg.OperationalError, PoolTimeout) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DatabaseError(f"cannot {doing} {self._where}: {reason}") from None

    def _migrate(self) -> None:
        run: Callable[[Any, str], None] = lambda db, script: db.execute(script)  # noqa: E731 - psycopg runs a script
        with psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT) as connection:  # one transaction
            _configure(connection)
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(MIGRATION_LOCK),))
            connection.execute(SCHEMA_TABLE)
            upgrade(Translated(connection), self.dialect, self._where, run)


def probe(url: str) -> str:
    """For `doctor`, changing nothing: can we connect and create tables (a real write, rolled back), and which
    schema version the database has. Raises DatabaseError with the reason."""
    where = describe_url(url)
    try:
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT) as connection:
            version = connection.execute("SELECT current_setting('server_version')").fetchone()[0]
            connection.execute("CREATE TABLE doctor_probe (x INTEGER)")
            connection.rollback()
            present = connection.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()[0]
            schema = connection.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] if present else 0
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseError(f"cannot use {where}: {reason}") from None
    return f"{where} (server {version}) is reachable and writable; schema version {schema or 0}"
