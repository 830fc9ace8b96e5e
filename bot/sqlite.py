"""One way to open the project's SQLite files: WAL journal, a 30 s busy timeout, one transaction, always closed."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
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


class SQLiteStore:
    """Base of the stores: creates the file and its tables (`schema`), serialises this process's writes."""

    schema = ""
    foreign_keys = False

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.executescript(self.schema)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path, foreign_keys=self.foreign_keys)
