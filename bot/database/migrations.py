"""Versioned schema migrations, applied when a database is opened (in the manner of RoboDanny's `migrations/`).

Each dialect has a folder of SQL files, `migrations/<dialect>/V<n>__<what>.sql`, numbered from 1 without gaps;
the two folders hold the same versions (a test checks it). A database records what it has in `schema_migrations`
(version, name, when), and opening it applies the missing files in order, each with its row, in one transaction
that holds the database's migration lock (PostgreSQL: an advisory lock; SQLite: the write lock of
`BEGIN IMMEDIATE`). So when two processes start at once, one migrates and the other waits, then finds nothing to
do; a migration that fails leaves the database as it was. A database migrated by a newer program (a version this
one does not know) is refused rather than used with a schema it does not understand.

To change the schema: add `V<n+1>__<what>.sql` to both folders. Never edit a released file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources

from bot.database.base import Connection, DatabaseError

log = logging.getLogger(__name__)

FILE_NAME = re.compile(r"^V(?P<version>\d+)__(?P<name>\w+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


@cache
def migrations(dialect: str) -> tuple[Migration, ...]:
    """The dialect's migrations in order (checked: numbered 1..n, no gaps, no duplicates)."""
    folder = resources.files("bot.database") / "migrations" / dialect
    found = []
    for entry in folder.iterdir():
        match = FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match["version"]), match["name"], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations/{dialect}: versions {[m.version for m in found]} are not 1..{len(found)}")
    return tuple(found)


def latest(dialect: str) -> int:
    return len(migrations(dialect))


def upgrade(db: Connection, dialect: str, where: str, run_script: Callable[[Connection, str], None]) -> list[Migration]:
    """Apply the migrations `db` lacks, inside the caller's transaction (which holds the migration lock and has
    created `schema_migrations`). Returns what was applied."""
    known = migrations(dialect)
    applied = {int(row[0]) for row in db.execute("SELECT version FROM schema_migrations")}
    newest = max(applied, default=0)
    if newest > len(known):
        raise DatabaseError(f"{where} has schema version {newest}, but this program knows only up to {len(known)}: "
                            "it was migrated by a newer version of the bot; upgrade this one")
    todo = [m for m in known if m.version not in applied]
    for migration in todo:
        run_script(db, migration.sql)
        db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                   (migration.version, migration.name, datetime.now(UTC).isoformat(timespec="seconds")))
        log.info("%s: applied migration V%d %s", where, migration.version, migration.name)
    return todo
