"""The SQLite backend: one file (DATABASE_PATH), opened per transaction (WAL, 30 s busy timeout, foreign keys),
locks as files beside it. Processes on one machine can share it; several machines need PostgreSQL."""

from __future__ import annotations

import re
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path

from bot.database.base import Connection, Database
from bot.database.migrations import upgrade
from bot.filelock import FileLock
from bot.sqlite import transaction

SCHEMA_TABLE = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"""
# Columns that releases before versioned migrations added on open, when missing: (table, column, definition).
LEGACY_COLUMNS = (
    ("conversations", "other_id", "TEXT"),
    ("conversations", "focus_source", "TEXT"),
    ("turns", "meta", "TEXT NOT NULL DEFAULT '{}'"),
)
MIGRATION_LOCK = "schema-migrations"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def run_script(db: Connection, script: str) -> None:
    """Each statement of `script` in the caller's transaction (`executescript` would commit first)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    leftover = [line for line in statement.splitlines() if line.strip() and not line.strip().startswith("--")]
    if leftover:
        raise ValueError(f"a migration ends in an incomplete SQL statement: {leftover[0][:60]}")


class SQLiteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._migrate()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path, foreign_keys=True)

    def lock(self, name: str) -> FileLock:
        return FileLock(self.path.parent / f".{self.path.name}.locks" / f"{_UNSAFE.sub('_', name)}.lock", name)

    def describe(self) -> str:
        return f"SQLite file {self.path}"

    def _migrate(self) -> None:
        """Under a file lock: a new, empty file switched to WAL by two processes at once can end up written in two
        journal modes (each sees the other's work as absent), so the first opening must be one at a time."""
        with self.lock(MIGRATION_LOCK):
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)  # transactions by hand, below
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("BEGIN IMMEDIATE")
                try:
                    self._adopt_legacy(db)
                    db.execute(SCHEMA_TABLE)
                    upgrade(db, self.dialect, self.describe(), run_script)
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
            finally:
                db.close()

    @staticmethod
    def _adopt_legacy(db: sqlite3.Connection) -> None:
        """A database from before versioned migrations has the tables of V1 but maybe not every column: add the
        missing ones, so that V1 (all IF NOT EXISTS) finds exactly its schema."""
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").fetchone():
            return
        for table, column, definition in LEGACY_COLUMNS:
            present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            if present and column not in present:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
