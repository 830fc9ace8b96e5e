"""One way to open the project's SQLite files: WAL journal, a 30 s busy timeout, one transaction, always closed.

Used by the SQLite state backend (`bot.database.sqlite`) and the embedding cache (`bot.retrieval.cache`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def transaction(path: Path, *, foreign_keys: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection whose statements commit together (or roll back on an exception), closed afterwards."""
    db = sqlite3.connect(path, timeout=30)
    try:
        db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer (bot and CLI share the files)
        if foreign_keys:
            db.execute("PRAGMA foreign_keys=ON")
        with db:
            yield db
    finally:
        db.close()
