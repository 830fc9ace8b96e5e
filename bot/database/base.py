"""The backend interface: transactions, cross-process locks, and the error the front ends show in one line."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol


class DatabaseError(RuntimeError):
    """The database cannot be used (unreachable, refused, migrated by a newer program); the message says why."""


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What a store gets inside `Database.transaction()`: `?` placeholders, rows as tuples of plain values."""

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Cursor: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any: ...


class Lock(Protocol):
    """A named lock held across processes (and across the threads of one), released when its holder releases it
    *or dies*: a PostgreSQL advisory lock lives with its server session, a file lock with its open file, so a
    process killed while holding one never leaves it held. Not re-entrant; `with lock:` waits for it."""

    name: str

    def acquire(self, *, wait: bool = True) -> bool:
        """Take the lock; with `wait=False`, False at once if another holder has it."""

    def release(self) -> None: ...
    def __enter__(self) -> object: ...
    def __exit__(self, *exc: object) -> None: ...


class Database(abc.ABC):
    """One database, migrated to the current schema when it is opened."""

    dialect: str  # "sqlite" or "postgresql": the folder of its migrations
    closed = False

    @abc.abstractmethod
    def transaction(self) -> AbstractContextManager[Connection]:
        """A connection whose statements commit together at the end of the block (or roll back on an exception)."""

    @abc.abstractmethod
    def lock(self, name: str) -> Lock:
        """The cross-process lock called `name` (not taken yet)."""

    @abc.abstractmethod
    def describe(self) -> str:
        """Where the database is, for logs and `doctor` (never a password)."""

    def schema_version(self) -> int:
        """The newest migration applied."""
        with self.transaction() as db:
            row = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def close(self) -> None:
        self.closed = True
